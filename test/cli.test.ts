// The command line as a user runs it: exit codes, located errors, and a failed build that
// leaves the previous site intact.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build, sourceTreeHash } from '../cli/commands.ts';
import { LessonError } from '../src/lesson/diagnostics.ts';
import { starterLesson } from '../src/lesson/starter.ts';
import { main } from '../cli/main.ts';

const scratch = mkdtempSync(join(tmpdir(), 'chainbook-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
// The command line run in this process: main() is what bin/chainbook.js runs, given the same
// arguments and a console that records. A spawned node costs ~2 s of start-up (tsx compiling
// the engine) per call, which these tests do not test; the kill test below spawns real
// processes, and its last build checks a spawned bin/chainbook.js's exit code.
const chainbook = (...args: string[]) => {
  const r = { stdout: '', stderr: '', status: 0 };
  r.status = main(args, { out: (t) => (r.stdout += t), err: (t) => (r.stderr += t), errIsTTY: false }) as number; // every command but dev returns at once
  return r;
};
/** In another folder: what a user gets running chainbook there (its lessons, its .cache). */
const chainbookIn = (cwd: string, ...args: string[]) => {
  const here = process.cwd();
  process.chdir(cwd); // a forked worker of its own: nothing else runs in this process meanwhile
  try {
    return chainbook(...args);
  } finally {
    process.chdir(here);
  }
};
const spawned = (...args: string[]) => spawnSync(process.execPath, ['bin/chainbook.js', ...args], { encoding: 'utf8' });

describe('chainbook', () => {
  const out = join(scratch, 'site');

  it('build writes the pages, KaTeX\'s CSS and fonts, and the stylesheet', () => {
    // One lesson: the others train networks, which belongs to the build, not to the tests.
    const r = chainbook('build', 'lessons/02-worked-example.md', '--out', out);
    expect(r.stderr).toContain('lessons/02-worked-example.md');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^wrote \d+ pages to /);
    for (const f of ['index.html', '02-worked-example.html', 'assets/chainbook.css', 'assets/katex/katex.min.css', 'assets/katex/fonts/KaTeX_Main-Regular.woff2']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('href="02-worked-example.html"');
  });

  it('a lesson with a mistake exits 1 with file:line:col and leaves the previous site', () => {
    const before = readFileSync(join(out, '02-worked-example.html'), 'utf8');
    const bad = join(scratch, 'bad.md');
    writeFileSync(bad, readFileSync('lessons/02-worked-example.md', 'utf8').replace('::derive w6', '::derive w66'));
    const r = chainbook('build', bad, '--out', out);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${bad}:\\d+:10: expected a parameter; the parameters are w1, w2`));
    expect(r.stderr).not.toContain('    at '); // no stack trace
    expect(readFileSync(join(out, '02-worked-example.html'), 'utf8')).toBe(before);
  });

  it('verify passes on the lessons and fails on a planted wrong source figure', () => {
    const ok = chainbook('verify', 'lessons/02-worked-example.md');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('verified: 1 lesson');
    const planted = join(scratch, 'planted.md');
    writeFileSync(planted, readFileSync('lessons/02-worked-example.md', 'utf8').replace('quoted=0.2287842405', 'quoted=0.2287842499'));
    const r = chainbook('verify', planted);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('the source prints 0.2287842499');
    expect(r.stdout).toContain('1 failure: 1 lesson');
  });

  it('build refuses to replace a folder it did not write', () => {
    const precious = join(scratch, 'precious');
    mkdirSync(precious);
    writeFileSync(join(precious, 'thesis.txt'), 'years of work');
    const r = chainbook('build', 'lessons/02-worked-example.md', '--out', precious);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('holds files chainbook did not write');
    expect(readFileSync(join(precious, 'thesis.txt'), 'utf8')).toBe('years of work');
    expect(chainbook('build', '--out', '.').stderr).toContain('would replace the project itself');
  });

  it('new refuses to overwrite and explains its argument', () => {
    expect(chainbook('new', '02-worked-example').stderr).toContain('exists already');
    expect(chainbook('new', 'Bad Name').status).toBe(2);
  });
});

describe('the command line itself', () => {
  const run = (...args: string[]) => {
    const r = { out: '', err: '', status: 0 };
    r.status = main(args, { out: (t) => (r.out += t), err: (t) => (r.err += t), errIsTTY: false }) as number;
    return r;
  };

  it('answers --help, COMMAND --help and --version, and documents its exit codes', () => {
    const help = run('--help');
    expect(help.status).toBe(0);
    for (const c of ['chainbook build', 'chainbook verify', 'chainbook new NAME', '70 chainbook itself failed']) expect(help.out).toContain(c);
    const build = run('build', '--help');
    expect(build.status).toBe(0);
    expect(build.out).toContain('usage: chainbook build [LESSON.md …] [--out DIR]');
    expect(run('--version').out.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it('exits 2 with the usage on a wrong call', () => {
    for (const args of [[], ['bulid'], ['build', '--bogus'], ['build', '--out'], ['new'], ['new', 'a', 'b'], ['verify', 'no-such.md']]) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toContain('usage:');
    }
  });
});

describe('the run cache key', () => {
  it('changes with any file of the source tree, nested ones included', () => {
    const tree = join(scratch, 'tree');
    mkdirSync(join(tree, 'src', 'lesson'), { recursive: true });
    writeFileSync(join(tree, 'src', 'a.ts'), 'a');
    writeFileSync(join(tree, 'src', 'lesson', 'b.ts'), 'b');
    const before = sourceTreeHash(tree);
    expect(sourceTreeHash(tree)).toBe(before);
    writeFileSync(join(tree, 'src', 'lesson', 'b.ts'), 'b2');
    expect(sourceTreeHash(tree)).not.toBe(before);
    writeFileSync(join(tree, 'src', 'lesson', 'b.ts'), 'b');
    writeFileSync(join(tree, 'src', 'lesson', 'c.ts'), '');
    expect(sourceTreeHash(tree)).not.toBe(before);
  });
});

describe('the run cache', () => {
  it('ignores damaged or edited entries, trains again and builds the same site', () => {
    const dir = join(scratch, 'cache-work');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'one.md'), readFileSync('lessons/01-one-neuron.md', 'utf8'));
    const run = (...args: string[]) => chainbookIn(dir, ...args);
    expect(run('build', 'one.md', '--out', 'site').status).toBe(0);
    const page = readFileSync(join(dir, 'site', 'one.html'), 'utf8');
    const cacheDir = join(dir, '.cache', 'runs', readdirSync(join(dir, '.cache', 'runs'))[0]);
    const files = readdirSync(cacheDir).map((f) => join(cacheDir, f));
    expect(files.length).toBeGreaterThanOrEqual(3);
    writeFileSync(files[0], readFileSync(files[0], 'utf8').slice(0, 40)); // truncated
    writeFileSync(files[1], 'garbage');
    writeFileSync(files[2], readFileSync(files[2], 'utf8').replace(/"finalLoss":[-\d.e]+/, '"finalLoss":0.2999')); // edited
    const again = run('build', 'one.md', '--out', 'site');
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr.match(/ignoring .* not a run chainbook wrote/g)?.length).toBe(3);
    expect(readFileSync(join(dir, 'site', 'one.html'), 'utf8')).toBe(page);
  });
});

describe('one build at a time, and a site never lost', () => {
  const quiet = { out() {}, err() {}, errIsTTY: false };
  const lesson = join(scratch, 'locked.md');
  writeFileSync(lesson, starterLesson('locked'));

  it('refuses a second build into a folder another live build holds, and takes over a dead one\'s lock', () => {
    const out = join(scratch, 'locked-site');
    writeFileSync(join(scratch, '.locked-site.chainbook-lock'), `${process.pid}\n`); // this very process: alive
    expect(() => build([lesson], out, { console: quiet })).toThrow(/another chainbook build \(pid \d+\) is writing/);
    writeFileSync(join(scratch, '.locked-site.chainbook-lock'), '999999999\n'); // no such process
    expect(build([lesson], out, { console: quiet })).toBe(0);
    expect(existsSync(join(out, 'locked.html'))).toBe(true);
    expect(existsSync(join(scratch, '.locked-site.chainbook-lock'))).toBe(false);
  });

  it('puts back the previous site a build killed mid-swap left aside, even if the next build fails', () => {
    const out = join(scratch, 'swapped-site');
    expect(build([lesson], out, { console: quiet })).toBe(0);
    const page = readFileSync(join(out, 'locked.html'), 'utf8');
    renameSync(out, join(scratch, '.swapped-site.chainbook-previous')); // killed between the two renames
    const bad = join(scratch, 'broken.md');
    writeFileSync(bad, starterLesson('broken').replace('::derive w1', '::derive w9'));
    expect(() => build([bad], out, { console: quiet })).toThrow(LessonError);
    expect(readFileSync(join(out, 'locked.html'), 'utf8')).toBe(page);
    expect(existsSync(join(scratch, '.swapped-site.chainbook-previous'))).toBe(false);
  });

  it('leaves a folder called like the old staging folder alone', () => {
    const mine = join(scratch, 'mine-site.partial');
    mkdirSync(mine);
    writeFileSync(join(mine, 'keep.txt'), 'mine');
    expect(build([lesson], join(scratch, 'mine-site'), { console: quiet })).toBe(0);
    expect(readFileSync(join(mine, 'keep.txt'), 'utf8')).toBe('mine');
  });
});

describe('a build killed at any moment', () => {
  it('leaves the previous site whole: in its folder, or aside for the next build to put back', async () => {
    const out = join(scratch, 'killed-site');
    const lesson = 'lessons/02-worked-example.md';
    expect(chainbook('build', lesson, '--out', out).status).toBe(0);
    const before = readFileSync(join(out, '02-worked-example.html'), 'utf8');
    const staging = join(scratch, '.killed-site.chainbook-staging'), aside = join(scratch, '.killed-site.chainbook-previous');
    // Early (still starting), as the staging folder appears (writing), and as the old site goes aside (swapping).
    const tick = () => new Promise((r) => setTimeout(r, 2));
    for (const moment of ['early', 'staging', 'aside'] as const) {
      const child = spawn(process.execPath, ['bin/chainbook.js', 'build', lesson, '--out', out], { stdio: 'ignore' });
      const exited = new Promise((r) => child.on('exit', r));
      const t0 = Date.now();
      if (moment === 'early') await new Promise((r) => setTimeout(r, 300));
      else while (!existsSync(moment === 'staging' ? staging : aside) && child.exitCode === null && Date.now() - t0 < 20_000) await tick();
      child.kill('SIGKILL');
      await exited;
      const where = existsSync(join(out, '02-worked-example.html')) ? out : aside;
      expect(readFileSync(join(where, '02-worked-example.html'), 'utf8'), `killed ${moment}`).toBe(before);
      expect(readFileSync(join(where, 'index.html'), 'utf8'), `killed ${moment}`).toContain('02-worked-example.html');
    }
    // The next build clears what the kills left and puts a whole site in place (a real process:
    // bin/chainbook.js's exit code).
    expect(spawned('build', lesson, '--out', out).status).toBe(0);
    expect(readFileSync(join(out, '02-worked-example.html'), 'utf8')).toBe(before);
    expect(existsSync(staging) || existsSync(aside) || existsSync(join(scratch, '.killed-site.chainbook-lock'))).toBe(false);
  }, 90_000);
});
