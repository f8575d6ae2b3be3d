// chainbook's command line: build the site, verify lessons, start a new lesson. The only
// module that touches the file system. It parses arguments, dispatches, and catches once.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderSite } from '../render/site.ts';
import { createHash } from 'node:crypto';
import { LessonError } from './lesson/errors.ts';
import { evaluateLesson, type EvaluatedLesson, type LessonEffects } from './lesson/evaluate.ts';
import type { TrainResult } from './lesson/training.ts';
import { parseLesson } from './lesson/parse.ts';
import { starterLesson } from './lesson/starter.ts';
import { verifyReport } from './lesson/verify.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `usage:
  chainbook build [lesson.md …] [--out DIR]   write the site of these lessons (default: every lesson in lessons/, into site/)
  chainbook verify [lesson.md …]              re-derive every number, training included; exit 1 on any disagreement
  chainbook new NAME                          write lessons/NAME.md, a starter lesson`;

class UsageError extends Error {}

function lessonFiles(args: string[]): string[] {
  if (args.length) {
    for (const f of args) if (!existsSync(f) || !statSync(f).isFile()) throw new UsageError(`no such lesson file: ${f}`);
    return args;
  }
  const dir = join(root, 'lessons');
  return readdirSync(dir).filter((f) => f.endsWith('.md')).sort().map((f) => relative(process.cwd(), join(dir, f)));
}

/**
 * Training runs are cached by content in .cache/runs/ENGINE, where ENGINE hashes the code
 * that does the arithmetic: a change to the trainer or its kernels starts a fresh cache.
 */
function runCacheDir(): string {
  const hash = createHash('sha256');
  const files = ['src/trainer.ts', 'src/numerics.ts', 'src/network.ts', 'src/losses.ts', 'src/activations.ts', 'src/lesson/training.ts'];
  const kernels = join(root, 'src', 'kernels');
  if (existsSync(kernels)) files.push(...readdirSync(kernels).sort().map((f) => `src/kernels/${f}`));
  for (const f of files) hash.update(f).update(readFileSync(join(root, f)));
  return join(root, '.cache', 'runs', hash.digest('hex').slice(0, 16));
}

/** Build uses the run cache; verify trains every run again, so it re-derives every number. */
function effects(useCache: boolean): LessonEffects {
  let last = -1;
  const runCache = runCacheDir();
  return {
    readFile: (path) => readFileSync(join(root, path), 'utf8'),
    cache: !useCache ? undefined : {
      get(key) {
        const file = join(runCache, `${createHash('sha256').update(key).digest('hex')}.json`);
        return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as TrainResult) : undefined;
      },
      set(key, value) {
        mkdirSync(runCache, { recursive: true });
        writeFileSync(join(runCache, `${createHash('sha256').update(key).digest('hex')}.json`), JSON.stringify(value));
      },
    },
    progress(label, done, total) {
      const pct = Math.floor((100 * done) / total);
      const line = `    training ${label}: ${done}/${total} (${pct}%)`;
      if (process.stderr.isTTY) process.stderr.write(`\r${line}${done === total ? '\n' : ''}`);
      else {
        // Without a terminal: a line at each quarter, not one per recorded step.
        const quarter = Math.floor(pct / 25);
        if (quarter !== last || done === total) process.stderr.write(`${line}\n`);
        last = done === total ? -1 : quarter;
      }
    },
  };
}

function evaluateAll(files: string[], useCache: boolean): EvaluatedLesson[] {
  const fx = effects(useCache);
  return files.map((file) => {
    process.stderr.write(`  ${file}\n`);
    return evaluateLesson(parseLesson(file, readFileSync(file, 'utf8')), fx);
  });
}

function build(args: string[]): number {
  let out = join(root, 'site');
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') {
      if (!args[i + 1]) throw new UsageError('--out needs a folder');
      out = resolve(args[++i]);
    } else rest.push(args[i]);
  }
  const files = lessonFiles(rest);
  process.stderr.write(`building ${files.length} lesson${files.length === 1 ? '' : 's'}\n`);
  const lessons = evaluateAll(files, true);
  const pages = renderSite(lessons); // any error stops here, before the old site is touched
  guardOutput(out);
  // Write beside the target and swap, so a failed build leaves the previous site intact.
  const staging = `${out}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, 'assets'), { recursive: true });
  for (const [path, html] of pages) writeFileSync(join(staging, path), html);
  writeFileSync(join(staging, SITE_MARK), 'written by chainbook build; the next build replaces this folder\n');
  const katexDist = join(dirname(createRequire(import.meta.url).resolve('katex/package.json')), 'dist');
  mkdirSync(join(staging, 'assets', 'katex'));
  cpSync(join(katexDist, 'katex.min.css'), join(staging, 'assets', 'katex', 'katex.min.css'));
  cpSync(join(katexDist, 'fonts'), join(staging, 'assets', 'katex', 'fonts'), { recursive: true });
  cpSync(join(root, 'render', 'styles.css'), join(staging, 'assets', 'chainbook.css'));
  rmSync(out, { recursive: true, force: true });
  renameSync(staging, out);
  let warnings = 0;
  for (const l of lessons) {
    for (const c of l.checks) if (!c.ok) { warnings++; process.stderr.write(`${l.parsed.file}:${c.at.line}:${c.at.col}: warning: ${c.quantity}: source ${c.quotedText}, computed ${c.computed} (${c.verdict})\n`); }
    for (const i of l.lint) { warnings++; process.stderr.write(`${l.parsed.file}:${i.at.line}:${i.at.col}: warning: ${i.text} is not a number the lesson computes or quotes\n`); }
  }
  process.stdout.write(`wrote ${pages.size} pages to ${relative(process.cwd(), out) || '.'}${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'}: run verify)` : ''}\n`);
  return 0;
}

/** Marks a folder as chainbook's output: only such a folder (or none, or an empty one) is replaced. */
const SITE_MARK = '.chainbook-site';

function guardOutput(out: string): void {
  if (root === out || root.startsWith(`${out}/`) || out === '/') throw new UsageError(`--out ${out} would replace the project itself; choose a folder of its own, like site/`);
  if (!existsSync(out) || out === join(root, 'site')) return; // site/ is chainbook's own, git-ignored
  if (!statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a file, not a folder`);
  if (readdirSync(out).length > 0 && !existsSync(join(out, SITE_MARK))) {
    throw new UsageError(`--out ${out} holds files chainbook did not write; a build replaces its whole output folder, so choose an empty or new one`);
  }
}

function verify(args: string[]): number {
  const files = lessonFiles(args);
  const lessons = evaluateAll(files, false);
  renderSite(lessons); // renders too: a LaTeX mistake is a failure
  const { text, failures } = verifyReport(lessons);
  process.stdout.write(text);
  return failures ? 1 : 0;
}

function create(args: string[]): number {
  const name = args[0];
  if (!name || args.length > 1 || !/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new UsageError('chainbook new NAME: NAME in lowercase letters, digits and dashes, like 05-my-lesson');
  const file = join(root, 'lessons', `${name}.md`);
  if (existsSync(file)) throw new UsageError(`${relative(process.cwd(), file)} exists already; choose another name`);
  writeFileSync(file, starterLesson(name));
  process.stdout.write(`wrote ${relative(process.cwd(), file)}: check it with npm run verify -- ${relative(process.cwd(), file)}, then npm run build\n`);
  return 0;
}

function main(argv: string[]): number {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'build': return build(args);
      case 'verify': return verify(args);
      case 'new': return create(args);
      case undefined: case '-h': case '--help': case 'help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (e) {
    if (e instanceof LessonError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`chainbook: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    if (process.env.CHAINBOOK_DEBUG) throw e;
    process.stderr.write(`chainbook: unexpected error: ${(e as Error).message}\n(run with CHAINBOOK_DEBUG=1 for the stack trace)\n`);
    return 70;
  }
}

process.exitCode = main(process.argv.slice(2));
