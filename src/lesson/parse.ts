// A lesson file → a parsed lesson: the checked front matter and the body's tokens, each
// directive, value and math token (and each piece of prose) stamped with its offset in the file.
import { Marked, type Token, type Tokens, type TokensList } from 'marked';
import { parseDocument, isMap, isSeq, type Document } from 'yaml';
import type { Rounding } from '../decimal.ts';
import type { ModelSpec } from '../spec.ts';
import type { DatasetSpec } from './dataset.ts';
import { inLesson, LessonError } from './diagnostics.ts';
import { SourceMap } from './source-map.ts';
import { lessonSyntax, type LessonToken } from './syntax.ts';

export interface LessonSample {
  x: number[];
  t: number[];
}

export interface LessonMeta {
  title: string;
  summary?: string;
  /** the material the lesson reproduces */
  source?: string;
  /** where that material is published (http or https) */
  sourceUrl?: string;
  /** which of the course's seed texts it is (shared/seeds), like "003" */
  seed?: string;
  /** what a reader should know first, in words */
  needs?: string;
  /** position in the index */
  order: number;
  /** decimals numbers are printed with, unless a directive says otherwise */
  decimals: number;
  /** how the source shortens the figures it prints, unless a check says otherwise */
  rounding: Rounding;
  model: ModelSpec;
  /** named changes to the model, used by directives with in=NAME */
  variants: Record<string, Partial<ModelSpec>>;
  /** the samples of the traced step; a lesson with a data set may leave them out (its first sample is used) */
  data?: LessonSample[];
  /** a data set made by the engine, for training runs */
  dataset?: DatasetSpec;
  lr: number;
  /**
   * Replay the source's arithmetic: on the main model or a variant (`model`), every
   * intermediate rounded to `decimals`, with `values` the source used in place of computed ones.
   */
  carry?: { model?: string; decimals?: number; rounding?: Rounding; values: Record<string, number> };
  /** what the lesson's names mean, shown as a glossary */
  names: Record<string, string>;
}

export interface ParsedLesson {
  file: string;
  /** the lesson's name: its file name without .md */
  slug: string;
  meta: LessonMeta;
  /** line:col of any offset into the lesson's text */
  map: SourceMap;
  tokens: TokensList;
  /** the directive, value and math tokens in document order, each with its offset */
  syntax: LessonToken[];
  /** the prose the number lint reads: text, code spans, math and inline HTML, each with its place */
  prose: Prose[];
  /** offset of a front-matter path such as model.layers[1] (of its key with `key`, of a scalar's text past its quote with `text`) */
  fieldOffset(path: string, which?: 'value' | 'key' | 'text'): number;
}

const FIELDS = ['title', 'summary', 'source', 'source_url', 'seed', 'needs', 'order', 'decimals', 'rounding', 'model', 'variants', 'data', 'dataset', 'lr', 'carry', 'names'];

export function parseLesson(file: string, source: string): ParsedLesson {
  // Offsets count characters of the text with \n line ends: a BOM or CRLF must not shift them.
  const text = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const map = new SourceMap(text);
  return inLesson(file, map, () => parse(file, text, map));
}

function parse(file: string, text: string, map: SourceMap): ParsedLesson {
  const slug = file.replace(/^.*\//, '').replace(/\.md$/, '');
  // The name becomes a file and an address: letters, digits, dots, dashes and underscores only.
  if (slug.length > 100) throw new LessonError(0, `a lesson's file name becomes its page's name: at most 100 characters, not ${slug.length}`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(slug)) throw new LessonError(0, `a lesson's file name becomes its page's name: use letters, digits, ".", "-" and "_" (and no space), not ${JSON.stringify(slug)}`);
  const fm = /^---[ \t]*\n([\s\S]*?)\n---[ \t]*(?:\n|$)/.exec(text);
  if (!fm) throw new LessonError(0, 'expected front matter: a first line "---", the lesson\'s title, model and data in YAML, and a closing "---"');
  // The front matter's text starts after the opening "---" line.
  const YAML_START = text.indexOf('\n') + 1;
  const doc = parseDocument(fm[1], { prettyErrors: false, uniqueKeys: true });
  // A tag YAML does not know (!include) would be dropped silently: it is a mistake.
  const unknownTag = doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (unknownTag) throw new LessonError(YAML_START + unknownTag.pos[0], `front matter: ${unknownTag.message}; a lesson's front matter is plain YAML, with no tags`);
  if (doc.errors.length) {
    const e = doc.errors[0];
    // An indentation error is reported at its line's start: point at the line's first character instead.
    let at = YAML_START + e.pos[0];
    while (text[at] === ' ' || text[at] === '\t') at++;
    throw new LessonError(at, `front matter: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const fieldOffset = (path: string, which: 'value' | 'key' | 'text' = 'value'): number => {
    const at = YAML_START + offsetIn(doc, path, which === 'key' ? 'key' : 'value');
    // A quoted scalar's text starts after its quote.
    return which === 'text' && (text[at] === '"' || text[at] === "'") ? at + 1 : at;
  };
  const fail = (path: string, message: string, which: 'value' | 'key' = 'value'): never => {
    throw new LessonError(fieldOffset(path, which), message);
  };
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // An alias bomb: YAML's own limit on aliases, reported as a mistake in the front matter.
    throw new LessonError(YAML_START, `front matter: ${(e as Error).message}`);
  }
  const meta = checkMeta(raw, fail);

  const bodyStart = fm[0].length;
  const marked = new Marked({ extensions: lessonSyntax(), gfm: true });
  const body = text.slice(bodyStart);
  let tokens: TokensList;
  try {
    tokens = marked.lexer(body);
  } catch (e) {
    // marked recurses once a level of quotes or lists: thousands of levels run out of stack.
    if (e instanceof RangeError) throw new LessonError(bodyStart, 'the text is nested too deeply to read (quotes or lists thousands of levels deep)');
    throw e;
  }
  const syntax: LessonToken[] = [];
  const prose: Prose[] = [];
  stamp(tokens, body, (i) => bodyStart + i, (token, at) => {
    if (token.type === 'directive' || token.type === 'value' || token.type === 'math') {
      const t = token as LessonToken;
      t.offset = at(0);
      t.at = at;
      syntax.push(t);
      if (t.problem) throw new LessonError(at(t.problem.at), t.problem.message);
      // The words a directive puts on the page are prose too: an erratum's numbers must be computed.
      if (t.type === 'directive') {
        for (const { key, value, at: start } of t.args) {
          if (!key || !PROSE_ARGS.includes(key)) continue;
          const skip = key.length + (t.raw.startsWith(`${key}="`, start) ? 2 : 1);
          prose.push({ raw: value, at: (i) => at(start + skip + i), words: true });
        }
      }
    }
    if ((token.type === 'link' || token.type === 'image') && !safeUrl((token as Tokens.Link).href, token.type)) {
      throw new LessonError(at(0), `a ${token.type} may point at http, https${token.type === 'link' ? ', mailto' : ''} or a relative address, not ${(token as Tokens.Link).href.slice(0, 40)}`);
    }
    if (token.type === 'text' && !('tokens' in token && token.tokens?.length)) {
      // What the lesson's own syntax left as text is an opening that never closed.
      const open = /\$\$|(?<!\\)\$|\{\{/.exec(token.raw);
      if (open) {
        const what = open[0] === '{{' ? '{{ opens a value that is not closed: expected }} on the same line' : open[0] === '$$' ? '$$ opens display math that is not closed: expected a closing $$' : '$ opens math that is not closed: expected a closing $ on the same line (write \\$ for a dollar sign)';
        throw new LessonError(at(open.index), what);
      }
    }
    if (token.type === 'math' || token.type === 'codespan' || token.type === 'html' || (token.type === 'text' && !('tokens' in token && token.tokens?.length))) {
      prose.push({ raw: token.raw, at });
    }
  });
  if (syntax.length > MAX_SYNTAX) throw new LessonError(syntax[MAX_SYNTAX].offset, `more than ${MAX_SYNTAX} directives, values and formulas in one lesson: split it into several`);
  return { file, slug, meta, map, tokens, syntax, prose, fieldOffset };
}

/** The most directives, {{…}} values and math a lesson may hold (a long course page has a few hundred). */
const MAX_SYNTAX = 100_000;

/** Whether an address is one a page may follow: no script, no data a browser would run. */
function safeUrl(href: string, kind: 'link' | 'image'): boolean {
  // A browser decodes character references in an attribute (&#106;avascript:, javascript&colon;)
  // and drops control characters and white space inside a scheme ("java\tscript:").
  const decoded = href
    .replace(/&#x([0-9a-f]+);?/gi, (_, h: string) => String.fromCodePoint(Math.min(parseInt(h, 16), 0x10ffff)))
    .replace(/&#(\d+);?/g, (_, d: string) => String.fromCodePoint(Math.min(Number(d), 0x10ffff)))
    .replace(/&(colon|tab|newline);?/gi, (_, n: string) => ({ colon: ':', tab: '\t', newline: '\n' })[n.toLowerCase() as 'colon' | 'tab' | 'newline']);
  const bare = decoded.replace(/[\u0000-\u0020\u007f]/g, '');
  // Any other character reference before the first / ? # could spell a scheme: refuse it.
  if (/^[^/?#]*&[a-z]+;/i.test(bare)) return false;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(bare);
  return !scheme || ['http', 'https', ...(kind === 'link' ? ['mailto'] : [])].includes(scheme[1].toLowerCase());
}

/** Directive arguments whose text the page shows as prose. */
const PROSE_ARGS = ['erratum', 'unexplained', 'label'];

/** Where each character of a token's raw text stands in the lesson: raw index → offset. */
export type Locator = (index: number) => number;

/** A piece of prose for the number lint, with where each of its characters stands. */
export interface Prose {
  raw: string;
  at: Locator;
  /** a directive's words (an erratum), which may hold $…$ math of their own */
  words?: boolean;
}

/**
 * Marked's tokens carry no positions: each is found, in order, in the text it was lexed from,
 * and its children in its own. Lists and quotes lex their content without each line's
 * indentation or "> ", so their children's places go through a map of those lines.
 */
function stamp(tokens: Token[], within: string, locate: Locator, visit: (token: Token, at: Locator) => void): void {
  let cursor = 0;
  for (const token of tokens) {
    const found = find(token.raw, within, cursor);
    const at: Locator = (i) => locate(found.index + found.shift(i));
    visit(token, at);
    if (token.type === 'list') stamp((token as Tokens.List).items, token.raw, at, visit);
    else if (token.type === 'table') {
      const t = token as Tokens.Table;
      stamp([...t.header, ...t.rows.flat()].flatMap((cell) => cell.tokens), token.raw, at, visit);
    } else if ((token.type === 'blockquote' || token.type === 'list_item') && 'tokens' in token && token.tokens) {
      const inner = (token as Tokens.Blockquote | Tokens.ListItem).text;
      stamp(token.tokens, inner, unprefixed(inner, token.raw, at), visit);
    } else if ('tokens' in token && Array.isArray(token.tokens)) stamp(token.tokens, token.raw, at, visit);
    cursor = found.index + found.length;
  }
}

/** A token's raw in the text it came from: as it is, with table pipes still escaped, or by its first line. */
function find(raw: string, within: string, cursor: number): { index: number; length: number; shift: (i: number) => number } {
  const plain = within.indexOf(raw, cursor);
  if (plain >= 0) return { index: plain, length: raw.length, shift: (i) => i };
  // A table cell holds `\|` as `|`.
  const escaped = raw.replace(/\|/g, '\\|');
  const e = escaped === raw ? -1 : within.indexOf(escaped, cursor);
  if (e >= 0) return { index: e, length: escaped.length, shift: (i) => i + (raw.slice(0, i).match(/\|/g)?.length ?? 0) };
  const line = raw.trim().split('\n')[0];
  const l = line ? within.indexOf(line, cursor) : -1;
  if (l >= 0) return { index: l - raw.indexOf(line), length: line.length, shift: (i) => i };
  return { index: cursor, length: 0, shift: () => 0 };
}

/** Maps the content of a list item or quote (its lines without their prefixes) back through the lines of its raw. */
function unprefixed(inner: string, outer: string, at: Locator): Locator {
  const innerLines = inner.split('\n'), outerLines = outer.split('\n');
  // Per inner line: where it starts in inner, how much leading space marked gave it (tabs
  // become spaces), and where its first other character stands in outer.
  const lines: { start: number; lead: number; base: number }[] = [];
  let j = 0, outerStart = 0, start = 0;
  for (const line of innerLines) {
    const lead = line.length - line.trimStart().length, rest = line.slice(lead);
    // The next line of raw that is this line behind a prefix of markers and indentation.
    while (j < outerLines.length && !(outerLines[j].endsWith(rest) && /^[\s>*+\-\d.)]*$/.test(outerLines[j].slice(0, outerLines[j].length - rest.length)))) {
      outerStart += outerLines[j].length + 1;
      j++;
    }
    if (j >= outerLines.length) break;
    lines.push({ start, lead, base: outerStart + outerLines[j].length - rest.length });
    outerStart += outerLines[j].length + 1;
    j++;
    start += line.length + 1;
  }
  return (i) => {
    let k = 0;
    while (k + 1 < lines.length && lines[k + 1].start <= i) k++;
    const line = lines[k];
    return line ? at(line.base + Math.max(0, i - line.start - line.lead)) : at(0);
  };
}

/** `model.layers[1]` → the offset of that node in the front matter (or of its nearest ancestor). */
function offsetIn(doc: Document, path: string, which: 'value' | 'key'): number {
  const keys: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) keys.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  if (which === 'key' && keys.length > 0) {
    const parent = keys.length === 1 ? doc.contents : doc.getIn(keys.slice(0, -1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === keys[keys.length - 1]);
      const range = (pair?.key as { range?: [number, number, number] } | null)?.range;
      if (range) return range[0];
    }
  }
  for (let n = keys.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : (doc.getIn(keys.slice(0, n), true) as { range?: [number, number, number] } | undefined);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return range[0];
    if (n > 0 && keys.length > 0) {
      // A missing key: point at its parent mapping's key instead.
      const parent = n === 1 ? doc.contents : doc.getIn(keys.slice(0, n - 1), true);
      if (isMap(parent) || isSeq(parent)) continue;
    }
  }
  return 0;
}

type Fail = (path: string, message: string, which?: 'value' | 'key') => never;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => (v === undefined ? 'nothing' : typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v));

function numberList(v: unknown, path: string, fail: Fail): number[] {
  if (!Array.isArray(v) || v.length === 0) return fail(path, `expected a list of numbers like [0.1, 0.2], got ${show(v)}`);
  return v.map((x, i) => (typeof x === 'number' && Number.isFinite(x) ? x : fail(`${path}[${i}]`, `expected a number, got ${show(x)}`)));
}

function checkMeta(raw: unknown, fail: Fail): LessonMeta {
  if (!isRecord(raw)) return fail('', 'expected the front matter to be a mapping with title, model, data and lr');
  for (const key of Object.keys(raw)) if (!FIELDS.includes(key)) fail(key, `unknown field ${key}; expected one of ${FIELDS.join(', ')}`, 'key');
  if (typeof raw.title !== 'string' || !raw.title.trim()) fail('title', `expected a title, got ${show(raw.title)}`);
  const decimals = raw.decimals ?? 10;
  if (!Number.isInteger(decimals) || (decimals as number) < 0 || (decimals as number) > 17) fail('decimals', `expected a whole number of decimals from 0 to 17, got ${show(raw.decimals)}`);
  const rounding = raw.rounding ?? 'round';
  if (rounding !== 'round' && rounding !== 'truncate') fail('rounding', `expected round or truncate (how the source shortens the figures it prints), got ${show(raw.rounding)}`);
  const order = raw.order ?? 1000;
  if (typeof order !== 'number' || !Number.isFinite(order)) fail('order', `expected a number, got ${show(raw.order)}`);
  if (!isRecord(raw.model)) fail('model', `expected the model: a mapping with layers, activation, loss and the parameters`);
  const dataset = raw.dataset === undefined ? undefined : checkDataset(raw.dataset, fail);
  if (raw.data === undefined && !dataset) fail('data', 'expected data: a list of samples, each { x: [inputs], t: [targets] } (or a dataset)');
  if (raw.data !== undefined && (!Array.isArray(raw.data) || raw.data.length === 0)) fail('data', 'expected a list of samples, each { x: [inputs], t: [targets] }');
  const data = (raw.data as unknown[] | undefined)?.map((s, i) => {
    if (!isRecord(s)) return fail(`data[${i}]`, `expected { x: [inputs], t: [targets] }, got ${show(s)}`);
    return { x: numberList(s.x, `data[${i}].x`, fail), t: numberList(s.t, `data[${i}].t`, fail) };
  });
  if (typeof raw.lr !== 'number' || !(raw.lr > 0) || !Number.isFinite(raw.lr)) fail('lr', `expected a positive, finite learning rate, got ${show(raw.lr)}`);
  const variants = raw.variants ?? {};
  if (!isRecord(variants)) fail('variants', 'expected a mapping from a variant name to the model fields it changes');
  for (const [name, v] of Object.entries(variants as Record<string, unknown>)) {
    if (name === 'main') fail(`variants.${name}`, 'a variant cannot be called main: that is the model itself', 'key');
    if (!isRecord(v)) fail(`variants.${name}`, 'expected the model fields this variant changes, like { output: sigmoid, loss: bce }');
  }
  let carry: LessonMeta['carry'];
  if (raw.carry !== undefined) {
    if (!isRecord(raw.carry)) fail('carry', 'expected { decimals: N, values: { name: number } }');
    const c = raw.carry as Record<string, unknown>;
    for (const key of Object.keys(c)) if (!['model', 'decimals', 'rounding', 'values'].includes(key)) fail(`carry.${key}`, `unknown field ${key}; expected model, decimals, rounding, values`, 'key');
    if (c.decimals !== undefined && (!Number.isInteger(c.decimals) || (c.decimals as number) < 0 || (c.decimals as number) > 17)) fail('carry.decimals', `expected a whole number of decimals, got ${show(c.decimals)}`);
    const values: Record<string, number> = {};
    if (c.values !== undefined) {
      if (!isRecord(c.values)) fail('carry.values', 'expected a mapping from node name to the number the source used');
      for (const [k, v] of Object.entries(c.values as Record<string, unknown>)) values[k] = typeof v === 'number' && Number.isFinite(v) ? v : fail(`carry.values.${k}`, `expected a finite number, got ${show(v)}`);
    }
    if (c.model !== undefined && (typeof c.model !== 'string' || !Object.hasOwn(variants as object, c.model))) fail('carry.model', `expected the name of a variant to replay, got ${show(c.model)}`);
    if (c.rounding !== undefined && c.rounding !== 'round' && c.rounding !== 'truncate') fail('carry.rounding', `expected round or truncate, got ${show(c.rounding)}`);
    carry = { model: c.model as string | undefined, decimals: c.decimals as number | undefined, rounding: c.rounding as Rounding | undefined, values };
  }
  const names: Record<string, string> = {};
  if (raw.names !== undefined) {
    if (!isRecord(raw.names)) fail('names', 'expected a mapping from a name to what it means');
    for (const [k, v] of Object.entries(raw.names as Record<string, unknown>)) names[k] = typeof v === 'string' ? plainText(`names.${k}`, v) : fail(`names.${k}`, `expected a description, got ${show(v)}`);
  }
  // A control or direction-override character is never meant: in double quotes YAML reads \t
  // and \n as a tab and a line break, which eats the LaTeX \theta and \nu.
  function plainText(field: string, text: string): string {
    const bad = /[\u0000-\u0009\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.exec(text);
    if (bad) fail(field, `a control character (U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}) in the text${/[\t\n\b\f\v]/.test(bad[0]) || bad[0] === '\u0008' ? ': in double quotes YAML reads \\t, \\n, \\b as control characters, so write LaTeX in single quotes or unquoted' : ''}`);
    return text;
  }
  const sourceUrl = (url: string | undefined) => (url === undefined || /^https?:\/\/[^\s"<>]+$/i.test(url) ? url : fail('source_url', `expected an http or https address, got ${show(url)}`));
  const str = (k: 'summary' | 'source' | 'source_url' | 'seed' | 'needs') =>
    raw[k] === undefined ? undefined : typeof raw[k] === 'string' ? plainText(k, raw[k] as string) : fail(k, `expected text, got ${show(raw[k])}${typeof raw[k] === 'number' ? ` (write it in quotes, like "${k === 'seed' ? '003' : raw[k]}")` : ''}`);
  return {
    title: plainText('title', (raw.title as string).trim()),
    summary: str('summary'),
    source: str('source'),
    sourceUrl: sourceUrl(str('source_url')),
    seed: str('seed'),
    needs: str('needs'),
    order: order as number,
    decimals: decimals as number,
    rounding: rounding as Rounding,
    model: raw.model as unknown as ModelSpec,
    variants: variants as Record<string, Partial<ModelSpec>>,
    data,
    dataset,
    lr: raw.lr as number,
    carry,
    names,
  };
}

function checkDataset(v: unknown, fail: Fail): DatasetSpec {
  if (!isRecord(v)) return fail('dataset', 'expected { kind: moons, n: 300, noise: 0.2, seed: 0 } or { kind: iris }');
  for (const key of Object.keys(v)) if (!['kind', 'n', 'noise', 'seed'].includes(key)) fail(`dataset.${key}`, `unknown field ${key}; expected kind, n, noise, seed`, 'key');
  if (v.kind !== 'moons' && v.kind !== 'iris') return fail('dataset.kind', `expected moons or iris, got ${show(v.kind)}`);
  if (v.kind === 'iris' && Object.keys(v).length > 1) fail('dataset', 'iris takes no options: it is the 150 rows of data/iris.csv');
  const whole = (k: 'n' | 'seed', min: number, max: number) => {
    const x = v[k];
    if (x === undefined) return undefined;
    return Number.isInteger(x) && (x as number) >= min && (x as number) <= max ? (x as number) : fail(`dataset.${k}`, `expected a whole number from ${min} to ${max}, got ${show(x)}`);
  };
  const noise = v.noise;
  if (noise !== undefined && (typeof noise !== 'number' || !(noise >= 0))) fail('dataset.noise', `expected a noise level ≥ 0, got ${show(noise)}`);
  return { kind: v.kind, n: whole('n', 2, 100_000), noise: noise as number | undefined, seed: whole('seed', 0, 2 ** 32 - 1) };
}
