// The site global-setup.ts builds, for the tests that need it: waits for the build to finish.
import { existsSync, readFileSync } from 'node:fs';
import { inject } from 'vitest';

/** The built site's folder once its build has finished; with `mustSucceed`, a failed build throws its log. */
export async function builtSite({ mustSucceed = true, timeoutMs = 170_000 } = {}): Promise<string> {
  const build = inject('siteBuild');
  const t0 = Date.now();
  while (!existsSync(build.rc)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`the site build (into ${build.dir}) did not finish in ${timeoutMs / 1000} s:\n${readFileSync(build.log, 'utf8').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const rc = readFileSync(build.rc, 'utf8').trim();
  if (mustSucceed && rc !== '0') throw new Error(`the site build failed (exit ${rc}):\n${readFileSync(build.log, 'utf8').slice(-4000)}`);
  return build.dir;
}
