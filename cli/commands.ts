// The commands, with the file system: read lessons, cache training runs, write the site
// beside its folder and swap it in. Each takes the directive registry, so a build with an extra
// directive is the same build.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIRECTIVES } from '../directives/registry.ts';
import { isCjk } from '../render/html.ts';
import { renderSite } from '../render/site.ts';
import { verifyReport } from '../render/verify-report.ts';
import { formatDiagnostic, type Diagnostic } from '../src/lesson/diagnostics.ts';
import type { AnyDirective, LessonEffects } from '../src/lesson/directive.ts';
import { evaluateLesson, lessonDiagnostics, type EvaluatedLesson } from '../src/lesson/evaluate.ts';
import { parseLesson } from '../src/lesson/parse.ts';
import { starterLesson } from '../src/lesson/starter.ts';
import type { TrainResult } from '../src/lesson/train-run.ts';
import { net2Compiled } from '../src/kernels/net2.ts';
import { liveBundle } from './live-bundle.ts';

/** The package's own folder: its data, styles and engine source. Lessons, site and cache are the working folder's. */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A mistake in how the command was called (or a folder it cannot use now): exit 2, with the usage where it helps. */
export class UsageError extends Error {
  constructor(message: string, readonly showUsage = true) {
    super(message);
  }
}

/** Where the output goes and who reads it. */
export interface Console {
  out(text: string): void;
  err(text: string): void;
  /** whether err is a terminal (progress then redraws one line) */
  errIsTTY: boolean;
}

export const processConsole: Console = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  errIsTTY: Boolean(process.stderr.isTTY),
};

export interface CommandOptions {
  directives?: readonly AnyDirective[];
  console?: Console;
}

export function lessonFiles(args: string[]): string[] {
  if (args.length) {
    for (const f of args) if (!existsSync(f) || !statSync(f).isFile()) throw new UsageError(`no such lesson file: ${f}`);
    return args;
  }
  const dir = resolve('lessons');
  if (!existsSync(dir)) throw new UsageError('no lessons/ folder here: name lesson files, or run in a folder with lessons/ (chainbook new NAME starts one)');
  return readdirSync(dir).filter((f) => f.endsWith('.md')).sort().map((f) => relative(process.cwd(), join(dir, f)));
}

/**
 * A hash of every file under root/dir, names and contents. The run cache is keyed by the
 * engine's (src/): any change to what computes a run starts a fresh cache.
 */
export function sourceTreeHash(root: string, dir = 'src'): string {
  const hash = createHash('sha256');
  const walk = (sub: string): void => {
    for (const entry of readdirSync(join(root, sub), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = `${sub}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else hash.update(`${path}\0`).update(readFileSync(join(root, path)));
    }
  };
  walk(dir);
  return hash.digest('hex').slice(0, 16);
}

const checksum = (key: string, body: string) => createHash('sha256').update(key).update('\0').update(body).digest('hex');

/** A cache entry's run, if the file is one chainbook wrote for this key and nothing changed it since. */
function readCached(file: string, key: string): TrainResult | undefined {
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as { key?: unknown; check?: unknown; result?: unknown };
    const result = entry.result as TrainResult;
    if (entry.key !== key || entry.check !== checksum(key, JSON.stringify(result))) return undefined;
    if (!Array.isArray(result.at) || !Array.isArray(result.loss) || !Array.isArray(result.tracked) || !Array.isArray(result.params)) return undefined;
    // JSON has no NaN: a run that turned NaN comes back with a null final loss.
    if (result.finalLoss === null) result.finalLoss = NaN;
    return result;
  } catch {
    return undefined;
  }
}

/** Build reuses runs cached by content in .cache/runs/ENGINE; verify trains every run again, so it re-derives every number. */
export function effects(useCache: boolean, console: Console): LessonEffects {
  let last = -1;
  // A run's last bits depend on the engine's source and on whether the kernel runs here.
  const runCache = resolve('.cache', 'runs', `${sourceTreeHash(packageRoot)}-${net2Compiled ? 'wasm' : 'js'}`);
  const fileOf = (key: string) => join(runCache, `${createHash('sha256').update(key).digest('hex')}.json`);
  return {
    readFile: (path) => readFileSync(join(packageRoot, path), 'utf8'),
    cache: !useCache ? undefined : {
      get(key) {
        const file = fileOf(key);
        if (!existsSync(file)) return undefined;
        const result = readCached(file, key);
        // A damaged or edited entry is not served: the run trains again and replaces it.
        if (!result) console.err(`    ignoring ${relative(process.cwd(), file)}: it is not a run chainbook wrote (damaged or edited); training again\n`);
        return result;
      },
      set(key, value) {
        mkdirSync(runCache, { recursive: true });
        // Written beside and renamed in, so a killed build leaves no half-written entry.
        const file = fileOf(key), partial = `${file}.${process.pid}.partial`;
        const body = JSON.stringify(value);
        writeFileSync(partial, JSON.stringify({ key, check: checksum(key, body), result: value }));
        renameSync(partial, file);
      },
    },
    progress(label, done, total) {
      const pct = Math.floor((100 * done) / total);
      const line = `    training ${label}: ${done}/${total} (${pct}%)`;
      if (console.errIsTTY) console.err(`\r${line}${done === total ? '\n' : ''}`);
      else {
        // Without a terminal: a line at each quarter, not one per recorded step.
        const quarter = Math.floor(pct / 25);
        if (quarter !== last || done === total) console.err(`${line}\n`);
        last = done === total ? -1 : quarter;
      }
    },
  };
}

function evaluateAll(files: string[], useCache: boolean, directives: readonly AnyDirective[], console: Console): EvaluatedLesson[] {
  const fx = effects(useCache, console);
  return files.map((file) => {
    console.err(`  ${file}\n`);
    return evaluateLesson(parseLesson(file, readFileSync(file, 'utf8')), directives, fx);
  });
}

/** Marks a folder as chainbook's output: only such a folder (or none, or an empty one) is replaced. */
const SITE_MARK = '.chainbook-site';

function guardOutput(out: string): void {
  const here = process.cwd();
  if (here === out || here.startsWith(`${out}/`) || packageRoot === out || packageRoot.startsWith(`${out}/`) || out === '/') {
    throw new UsageError(`--out ${out} would replace the project itself; choose a folder of its own, like site/`);
  }
  if (!existsSync(out) || out === resolve('site')) return; // site/ is chainbook's own, git-ignored
  if (!statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a file, not a folder`);
  if (readdirSync(out).length > 0 && !existsSync(join(out, SITE_MARK))) {
    throw new UsageError(`--out ${out} holds files chainbook did not write; a build replaces its whole output folder, so choose an empty or new one`);
  }
}

/** Beside the output folder, names no user's folder has: `.site.chainbook-lock`, `.site.chainbook-staging-PID`, … */
const besideOut = (out: string, what: string) => join(dirname(out), `.${basename(out)}.chainbook-${what}`);

/**
 * One build at a time per output folder: a lock file holding the builder's pid. A lock whose
 * process is gone (a killed build) is taken over. Returns the release.
 */
export function lockOutput(out: string): () => void {
  const lock = besideOut(out, 'lock');
  mkdirSync(dirname(out), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      const pid = Number(readFileSync(lock, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw new UsageError(`another chainbook build (pid ${pid}) is writing ${relative(process.cwd(), out) || '.'}; wait for it to finish (or, if no build is running, remove ${relative(process.cwd(), lock)})`, false);
      rmSync(lock, { force: true }); // left by a build that was killed
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function build(files: string[], outDir: string | undefined, options: CommandOptions = {}): number {
  const { directives = DIRECTIVES, console = processConsole } = options;
  const out = resolve(outDir ?? 'site');
  guardOutput(out);
  const release = lockOutput(out);
  try {
    recoverOutput(out);
    const lessonsToBuild = lessonFiles(files);
    console.err(`building ${lessonsToBuild.length} lesson${lessonsToBuild.length === 1 ? '' : 's'}\n`);
    const lessons = evaluateAll(lessonsToBuild, true, directives, console);
    const pages = renderSite(lessons); // any error stops here, before the old site is touched
    writeSite(out, pages);
    const warnings = [...lessons.flatMap(lessonDiagnostics), ...lessons.flatMap(missingGlyphs)];
    for (const d of warnings) console.err(`${formatDiagnostic(d, 'warning')}\n`);
    const n = warnings.length;
    console.out(`wrote ${pages.size} pages to ${relative(process.cwd(), out) || '.'}${n ? ` (${n} warning${n === 1 ? '' : 's'} above)` : ''}\n`);
    return 0;
  } finally {
    release();
  }
}

/** The files every site carries beside its pages, by path: KaTeX's CSS and fonts, the Chinese glyphs, one stylesheet. */
export function siteAssets(): Map<string, Buffer | string> {
  const assets = new Map<string, Buffer | string>();
  const katexDist = join(dirname(createRequire(import.meta.url).resolve('katex/package.json')), 'dist');
  assets.set('assets/katex/katex.min.css', readFileSync(join(katexDist, 'katex.min.css')));
  // The live page: KaTeX to typeset again, and the engine and directives (cli/live-bundle.ts).
  assets.set('assets/katex/katex.min.js', readFileSync(join(katexDist, 'katex.min.js')));
  assets.set('assets/chainbook-live.js', liveBundle());
  for (const f of readdirSync(join(katexDist, 'fonts')).sort()) assets.set(`assets/katex/fonts/${f}`, readFileSync(join(katexDist, 'fonts', f)));
  // The Chinese glyphs the lessons use (render/fonts, made by scripts/cjk-font.mjs).
  for (const f of readdirSync(join(packageRoot, 'render', 'fonts')).sort()) if (f.endsWith('.woff2') || f === 'OFL.txt') assets.set(`assets/fonts/${f}`, readFileSync(join(packageRoot, 'render', 'fonts', f)));
  // One stylesheet: the fonts', the page's, the figures', then the live notebook's.
  assets.set('assets/chainbook.css', ['fonts/cjk.css', 'styles.css', 'figures/figures.css', 'figures/graph.css', 'live/live.css'].map((f) => readFileSync(join(packageRoot, 'render', f), 'utf8')).join('\n'));
  return assets;
}

/** After a build killed mid-swap: the previous site back in place, and staging left over removed. */
function recoverOutput(out: string): void {
  const previous = besideOut(out, 'previous');
  if (!existsSync(out) && existsSync(previous)) renameSync(previous, out);
  rmSync(previous, { recursive: true, force: true });
  rmSync(besideOut(out, 'staging'), { recursive: true, force: true });
}

/**
 * Writes the site beside the output folder, then swaps: the old site is renamed aside, the new
 * one renamed in, the old one removed. A kill between the two renames (two system calls) leaves
 * the old site aside, and the next build puts it back before anything else.
 */
function writeSite(out: string, pages: Map<string, string>): void {
  const staging = besideOut(out, 'staging'), previous = besideOut(out, 'previous');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, 'assets'), { recursive: true });
  for (const [path, html] of pages) writeFileSync(join(staging, path), html);
  writeFileSync(join(staging, SITE_MARK), 'written by chainbook build; the next build replaces this folder\n');
  for (const [path, body] of siteAssets()) {
    mkdirSync(dirname(join(staging, path)), { recursive: true });
    writeFileSync(join(staging, path), body);
  }
  if (existsSync(out)) renameSync(out, previous);
  renameSync(staging, out);
  rmSync(previous, { recursive: true, force: true });
}

export function verify(files: string[], options: CommandOptions = {}): number {
  const { directives = DIRECTIVES, console = processConsole } = options;
  const lessons = evaluateAll(lessonFiles(files), false, directives, console);
  renderSite(lessons); // renders too: a LaTeX mistake is a failure
  const { text, failures } = verifyReport(lessons);
  console.out(text);
  return failures ? 1 : 0;
}

export function create(name: string, options: CommandOptions = {}): number {
  const { console = processConsole } = options;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new UsageError('chainbook new NAME: NAME in lowercase letters, digits and dashes, like 05-my-lesson');
  const file = resolve('lessons', `${name}.md`);
  if (existsSync(file)) throw new UsageError(`${relative(process.cwd(), file)} exists already; choose another name`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, starterLesson(name));
  const shown = relative(process.cwd(), file);
  console.out(`wrote ${shown}: check it with chainbook verify ${shown}, then chainbook build\n`);
  return 0;
}

/** Chinese characters of a lesson the shipped font does not have: a reader without a CJK font would see boxes. */
let shippedGlyphs: Set<string> | undefined;

export function missingGlyphs(lesson: EvaluatedLesson): Diagnostic[] {
  // Read once a process: chainbook dev asks again on every save.
  const shipped = (shippedGlyphs ??= new Set(readFileSync(join(packageRoot, 'render', 'fonts', 'characters.txt'), 'utf8').trim()));
  const text = lesson.parsed.map.text;
  const seen = new Set<string>();
  const found: Diagnostic[] = [];
  let offset = 0;
  for (const c of text) {
    if (isCjk(c) && !shipped.has(c) && !seen.has(c)) {
      seen.add(c);
      found.push({ file: lesson.parsed.file, at: lesson.parsed.map.position(offset), message: `${c} is not in the Chinese font the site ships: run scripts/cjk-font.mjs (see its first lines) so readers without one do not see a box` });
    }
    offset += c.length;
  }
  return found;
}
