// chainbook dev: the site served from memory on this machine only, each lesson rebuilt when it
// is saved, and the browser told to reload. A lesson with a mistake keeps its last good page,
// with the mistake (file:line:col) shown above it and printed in the terminal. Every response
// comes from a map of the site's own paths, never from a file named by the request, so no
// request reaches a file outside the site.
import { watch, readFileSync, type FSWatcher } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { dirname, relative, resolve } from 'node:path';
import { DIRECTIVES } from '../directives/registry.ts';
import { escapeHtml } from '../render/html.ts';
import { renderOne, renderSite } from '../render/site.ts';
import { formatDiagnostic, LessonError } from '../src/lesson/diagnostics.ts';
import type { AnyDirective } from '../src/lesson/directive.ts';
import { evaluateLesson, lessonDiagnostics, type EvaluatedLesson } from '../src/lesson/evaluate.ts';
import { parseLesson } from '../src/lesson/parse.ts';
import { effects, lessonFiles, missingGlyphs, processConsole, siteAssets, UsageError, type Console } from './commands.ts';

/** The addresses chainbook dev listens on: this machine's, never a network's. */
const LOCAL = ['127.0.0.1', 'localhost', '::1'];

export interface DevOptions {
  port?: number;
  host?: string;
  console?: Console;
  directives?: readonly AnyDirective[];
}

export interface DevServer {
  url: string;
  /** Rebuilds one lesson now (the watcher calls it on a save) and tells the browser to reload. */
  rebuild(file: string): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', css: 'text/css; charset=utf-8', woff2: 'font/woff2', woff: 'font/woff', ttf: 'font/ttf', txt: 'text/plain; charset=utf-8', js: 'text/javascript; charset=utf-8' };

/**
 * The page's script in dev only: reload when the server says a lesson was rebuilt. A page
 * knows which build served it (?build=N); a rebuild between its serving and its stream opening
 * would otherwise go unheard, so the stream's first word is the current build.
 */
const RELOAD_JS = "const served = new URL(document.currentScript.src).searchParams.get('build');\nconst events = new EventSource('/__chainbook/events');\nevents.addEventListener('open', () => { document.documentElement.dataset.chainbookDev = 'connected'; });\nevents.addEventListener('build', (e) => { if (e.data !== served) location.reload(); });\nevents.addEventListener('reload', () => location.reload());\n";

export async function dev(args: string[], options: DevOptions = {}): Promise<DevServer> {
  const { port = 8173, host = '127.0.0.1', console = processConsole, directives = DIRECTIVES } = options;
  if (!LOCAL.includes(host)) throw new UsageError(`chainbook dev serves this machine only: --host ${host} is refused (use 127.0.0.1, localhost or ::1)`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: expected a port number from 0 to 65535, got ${port}`);
  const files = lessonFiles(args).map((f) => resolve(f));
  const fx = effects(true, console);
  const assets = siteAssets();
  const good = new Map<string, EvaluatedLesson>();
  const errors = new Map<string, string>();
  let pages = new Map<string, string>();

  /** What goes to the terminal from a lesson: its control characters shown, not obeyed. */
  const say = (text: string) => console.err(`${text.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u009b]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}\n`);

  /** Evaluates one lesson: its last good state stays when this one fails; a file that is gone leaves the site. */
  const evaluate = (file: string): boolean => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      good.delete(file);
      errors.delete(file);
      files.splice(files.indexOf(file), 1);
      say(`${displayName(file)}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : `cannot be read (${(e as Error).message})`}; it leaves the site until it is back`);
      return false;
    }
    try {
      const lesson = evaluateLesson(parseLesson(displayName(file), text), directives, fx);
      for (const d of [...lessonDiagnostics(lesson), ...missingGlyphs(lesson)]) say(formatDiagnostic(d, 'warning'));
      good.set(file, lesson);
      errors.delete(file);
      return true;
    } catch (e) {
      if (!(e instanceof LessonError)) throw e;
      errors.set(file, e.message);
      say(e.message);
      return false;
    }
  };
  const lessons = () => files.filter((f) => good.has(f)).map((f) => good.get(f)!);
  /** Every page; a lesson the site cannot hold (two of one name, one called index) leaves it, with its mistake. */
  const renderAll = () => {
    for (;;) {
      try {
        pages = renderSite(lessons());
        return;
      } catch (e) {
        if (!(e instanceof LessonError)) throw e;
        const culprit = files.find((f) => good.has(f) && e.message.startsWith(`${displayName(f)}:`));
        say(e.message);
        if (!culprit) return;
        good.delete(culprit);
        errors.set(culprit, e.message);
      }
    }
  };

  const server = createServer();
  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) => fail(e.code === 'EADDRINUSE' ? new UsageError(`port ${port} is in use: pick another with --port`, false) : e));
    // Bound before the lessons are evaluated: a port in use is said at once, not after training.
    server.listen(port, host === 'localhost' ? '127.0.0.1' : host, () => ok());
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actual}/`;
  // A page that rebinds its own name to 127.0.0.1 sends its name as Host: only this machine's are served.
  const hosts = new Set([`127.0.0.1:${actual}`, `localhost:${actual}`, `[::1]:${actual}`]);

  for (const f of [...files]) evaluate(f);
  renderAll();

  const clients = new Set<ServerResponse>();
  /** how many rebuilds the server has made: a page served before the latest one reloads when its stream opens */
  let build = 0;
  const rebuild = (file: string) => {
    const start = performance.now();
    try {
      if (!files.includes(file)) files.push(file);
      const before = good.get(file);
      if (evaluate(file)) {
        const lesson = good.get(file)!;
        // A new title or order changes the neighbours' links and the index: then every page.
        const sameFrame = before && before.parsed.meta.title === lesson.parsed.meta.title && before.parsed.meta.order === lesson.parsed.meta.order && pages.has(`${lesson.parsed.slug}.html`);
        try {
          for (const [path, html] of sameFrame ? renderOne(lessons(), lesson) : renderSite(lessons())) pages.set(path, html);
          console.out(`rebuilt ${displayName(file)} in ${Math.round(performance.now() - start)} ms\n`);
        } catch (e) {
          if (!(e instanceof LessonError)) throw e;
          if (before) good.set(file, before);
          else good.delete(file);
          errors.set(file, e.message);
          say(e.message);
          renderAll();
        }
      } else if (!files.includes(file)) renderAll();
    } catch (e) {
      // Whatever goes wrong in one rebuild, the server stays up for the next save.
      say(`chainbook dev: could not rebuild ${displayName(file)}: ${(e as Error).message} (this is a bug in chainbook)`);
    }
    build++;
    for (const c of clients) c.write('event: reload\ndata: \n\n');
  };

  const pageFor = (path: string): string | undefined => {
    const html = pages.get(path);
    const file = files.find((f) => errors.has(f) && `${slugOf(f)}.html` === path);
    const banner = (words: string) => `<div class="dev-error" role="alert"><p>${words}</p><pre>${escapeHtml(errors.get(file!)!)}</pre></div>`;
    if (html === undefined) return file ? withDevScript(devPage(banner('This lesson has a mistake, and has not built yet.')), build) : undefined;
    if (!file) return withDevScript(html, build);
    // A function, so no $ in the message is read as a replacement pattern.
    return withDevScript(html.replace(/<body>\n?/, () => `<body>\n${banner('This lesson has a mistake; the page below is its last good build.')}`), build);
  };

  server.on('request', (req, res) => {
    if (!hosts.has(req.headers.host ?? '')) return send(res, 421, 'text/plain; charset=utf-8', `chainbook dev answers only to ${url}\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'only GET and HEAD\n');
    const path = sitePath(req.url ?? '/');
    if (path === '__chainbook/events') {
      if (req.method === 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'the event stream is for GET\n');
      if (clients.size >= 64) return send(res, 503, 'text/plain; charset=utf-8', 'too many open pages\n');
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(`event: build\ndata: ${build}\n\n`);
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (path === '__chainbook/dev.js') return send(res, 200, TYPES.js, RELOAD_JS);
    const page = path === undefined ? undefined : pageFor(path);
    if (page !== undefined) return send(res, 200, TYPES.html, page);
    const asset = path === undefined ? undefined : assets.get(path);
    if (asset !== undefined) return send(res, 200, TYPES[path!.split('.').pop()!] ?? 'application/octet-stream', asset);
    send(res, 404, 'text/plain; charset=utf-8', 'not part of the site\n');
  });
  // Saves often come as several events (write, rename, attribute): one rebuild per burst.
  const timers = new Map<string, NodeJS.Timeout>();
  const watchers: FSWatcher[] = [...new Set(files.map((f) => dirname(f)))].map((dir) =>
    watch(dir, (_, name) => {
      const file = name ? resolve(dir, name.toString()) : undefined;
      // A lesson added to lessons/ joins the site when the folder is served whole.
      if (!file || !(files.includes(file) || (args.length === 0 && file.endsWith('.md') && dirname(file) === resolve('lessons')))) return;
      clearTimeout(timers.get(file));
      timers.set(file, setTimeout(() => rebuild(file), 40));
    }),
  );
  console.out(`serving ${files.length} lesson${files.length === 1 ? '' : 's'} at ${url} (this machine only; Ctrl-C stops)\n`);
  return {
    url,
    rebuild,
    close: async () => {
      for (const w of watchers) w.close();
      for (const t of timers.values()) clearTimeout(t);
      for (const c of clients) c.end();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/**
 * The site path a request names, or undefined when it is not one: decoded once, and refused when
 * it climbs (..), hides (a dot segment), or carries a backslash, NUL or an absolute path.
 */
export function sitePath(url: string): string | undefined {
  // The path as the request wrote it: a URL parser would resolve .. before it could be refused.
  const raw = url.split(/[?#]/)[0];
  if (!raw.startsWith('/')) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (/[\\\0]/.test(path) || path.startsWith('//')) return undefined;
  const segments = path.slice(1).split('/');
  if (segments.some((s) => s === '..' || s === '.' || (s.startsWith('.') && s !== ''))) return undefined;
  const joined = segments.join('/');
  return joined === '' ? 'index.html' : joined;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

/** A dev page of build `build`: the page's own CSP widened to this one script and its event stream (a live page allows its scripts already). */
function withDevScript(html: string, build: number): string {
  return html
    .replace(/default-src 'none';(?: script-src 'self' 'wasm-unsafe-eval';)?/, "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self';")
    .replace('</body>', `<script src="/__chainbook/dev.js?build=${build}"></script>\n</body>`);
}

/** A lesson that has never built: just its mistake, reloading when it is fixed. */
function devPage(problem: string): string {
  return `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'self' 'unsafe-inline'">\n<title>a mistake · chainbook dev</title>\n<link rel="stylesheet" href="/assets/chainbook.css">\n</head>\n<body>\n${problem}\n</body>\n</html>\n`;
}

const slugOf = (file: string) => file.replace(/^.*\//, '').replace(/\.md$/, '');
const displayName = (file: string) => relative(process.cwd(), file) || file;
