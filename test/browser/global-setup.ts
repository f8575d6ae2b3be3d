// Starts the site build for the browser test (and the run cache stability.test.ts reads) as
// soon as the run starts, in a process of its own: vitest leaves one core to itself on these
// two-core machines, and a cold build (~70 s of training) then runs beside the unit tests
// instead of before or after them. The build is the CLI's own, into a temporary folder, with
// the project's run cache in .cache/runs.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

export interface SiteBuild {
  /** the built site's folder */
  dir: string;
  /** holds the build's exit code once it has finished */
  rc: string;
  /** its stdout and stderr */
  log: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    siteBuild: SiteBuild;
  }
}

export default function setup(project: TestProject) {
  const tmp = mkdtempSync(join(tmpdir(), 'chainbook-browser-'));
  const build: SiteBuild = { dir: join(tmp, 'site'), rc: join(tmp, 'build.rc'), log: join(tmp, 'build.log') };
  const out = openSync(build.log, 'w');
  const child = spawn(process.execPath, ['bin/chainbook.js', 'build', '--out', build.dir], { stdio: ['ignore', out, out] });
  child.on('exit', (code, signal) => writeFileSync(build.rc, `${code ?? signal}\n`));
  child.on('error', (e) => writeFileSync(build.rc, `${e.message}\n`));
  project.provide('siteBuild', build);
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.on('exit', r));
      child.kill();
      await exited;
    }
    rmSync(tmp, { recursive: true, force: true });
  };
}
