// Starts the site build for the browser test (and the run cache stability.test.ts reads) as
// soon as the run starts, beside the unit tests instead of before or after them. A cold build
// trains for ~85 s, most of it lessons 4 and 5 (~40 s each): each lesson is first built alone,
// two processes at a time, to fill the run cache on both cores, and then the site, from the
// cache, in seconds. The builds are the CLI's own, into a temporary folder, with the project's
// run cache in .cache/runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
  const running = new Set<ChildProcess>();
  let stopped = false;
  const chainbook = (args: string[]) => new Promise<void>((done) => {
    if (stopped) return done();
    const child = spawn(process.execPath, ['bin/chainbook.js', ...args], { stdio: ['ignore', out, out] });
    running.add(child);
    child.on('exit', (code, signal) => {
      running.delete(child);
      if (args.includes(build.dir)) writeFileSync(build.rc, `${code ?? signal}\n`);
      done();
    });
    child.on('error', (e) => {
      if (args.includes(build.dir)) writeFileSync(build.rc, `${e.message}\n`);
      done();
    });
  });
  // The warming builds' own errors do not matter: the site's build reports the same ones.
  const lessons = readdirSync('lessons').filter((f) => f.endsWith('.md')).map((f) => join('lessons', f));
  const warm = async () => {
    for (let lesson = lessons.shift(); lesson; lesson = lessons.shift()) await chainbook(['build', lesson, '--out', join(tmp, `warm-${lessons.length}`)]);
  };
  void Promise.all([warm(), warm()]).then(() => chainbook(['build', '--out', build.dir]));
  project.provide('siteBuild', build);
  return async () => {
    stopped = true;
    await Promise.all([...running].map((child) => {
      const exited = new Promise((r) => child.on('exit', r));
      child.kill();
      return exited;
    }));
    rmSync(tmp, { recursive: true, force: true });
  };
}
