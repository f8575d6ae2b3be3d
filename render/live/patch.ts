// Putting a block's new HTML in place. When a reader moves a number, a derivation's markup
// keeps its shape and only its numbers change, and a figure's shapes only move or change
// colour: then the text nodes and attributes that changed are rewritten and the browser parses
// nothing. Any other change (a sign that brings parentheses, a label that appears) replaces the
// block's HTML whole.

const ENTITY = /&(?:#(\d+)|#x([\da-f]+)|(amp|lt|gt|quot|apos|nbsp));/gi;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
const ATTRIBUTE = /\s([^\s=/>]+)(?:="([^"]*)")?/g;

/** HTML text as the DOM holds it; undefined where it has an entity this does not know. */
function decode(text: string): string | undefined {
  if (!text.includes('&')) return text;
  const decoded = text.replace(ENTITY, (_, dec: string, hex: string, name: string) => (dec ? String.fromCodePoint(Number(dec)) : hex ? String.fromCodePoint(parseInt(hex, 16)) : NAMED[name.toLowerCase()]));
  return decoded.includes('&') ? undefined : decoded;
}

/** A tag's name, and its attributes in order; undefined for a closing tag or a comment. */
function parseTag(tag: string): { name: string; attributes: [string, string][] } | undefined {
  const name = /^<([a-zA-Z][\w-]*)/.exec(tag)?.[1];
  if (!name) return undefined;
  const attributes: [string, string][] = [];
  for (const m of tag.slice(name.length + 1).matchAll(ATTRIBUTE)) attributes.push([m[1], m[2] ?? '']);
  return { name, attributes };
}

/**
 * What an element was last given: its HTML as the engine wrote it (the DOM's own serialisation
 * differs), where each of its parts starts (text and tags alternate, text first), and, once a
 * patch needed them, its text nodes and elements in order.
 */
interface Shown {
  html: string;
  index?: Index;
  texts?: Text[];
  elements?: Element[];
}

/** Part k of the HTML starts at starts[k] (and the last ends at starts[parts]); before it stand textsBefore[k] text nodes and elementsBefore[k] elements. */
interface Index {
  starts: Int32Array;
  textsBefore: Int32Array;
  elementsBefore: Int32Array;
  parts: number;
}

const shown = new WeakMap<Element, Shown>();

function indexHtml(html: string): Index | undefined {
  const starts: number[] = [0];
  for (let at = 0; ; ) {
    const open = html.indexOf('<', at);
    if (open < 0) break;
    const close = html.indexOf('>', open);
    if (close < 0) return undefined;
    starts.push(open, close + 1);
    at = close + 1;
  }
  const parts = starts.length;
  starts.push(html.length);
  const textsBefore = new Int32Array(parts), elementsBefore = new Int32Array(parts);
  for (let k = 1; k < parts; k++) {
    const previous = k - 1, empty = starts[k] === starts[previous];
    textsBefore[k] = textsBefore[previous] + (previous % 2 === 0 && !empty ? 1 : 0);
    const c = html.charCodeAt(starts[previous] + 1);
    elementsBefore[k] = elementsBefore[previous] + (previous % 2 === 1 && c !== 47 /* / */ && c !== 33 /* ! */ ? 1 : 0);
  }
  return { starts: Int32Array.from(starts), textsBefore, elementsBefore, parts };
}

function textsOf(el: Element): Text[] {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const nodes: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
  return nodes;
}

/** How far `a` from i and `b` from j agree: long runs are compared a slice at a time, which a redraw of numbers in unchanged markup is almost all of. */
function agreeing(a: string, i: number, b: string, j: number): number {
  const n = Math.min(a.length - i, b.length - j);
  let d = 0, step = 64;
  while (d < n) {
    const s = Math.min(step, n - d);
    if (s <= 16) {
      while (d < n && a.charCodeAt(i + d) === b.charCodeAt(j + d)) d++;
      return d;
    }
    if (a.slice(i + d, i + d + s) === b.slice(j + d, j + d + s)) {
      d += s;
      step = Math.min(step * 2, 8192);
    } else step = s >> 1;
  }
  return d;
}

/** The part holding offset `at`: the last whose start is at or before it. */
function partAt(index: Index, at: number): number {
  let lo = 0, hi = index.parts - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (index.starts[mid] <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The changes that turn what the element shows into `next`, and the index of `next`; undefined
 * when their shapes differ. Only where the two differ is anything parsed: the text or tag there.
 */
function changes(el: Element, was: Shown, index: Index, next: string): { apply: (() => void)[]; index: Index } | undefined {
  const old = was.html, { starts } = index;
  const apply: (() => void)[] = [];
  /** parts whose length changed, and by how much, in order */
  const moved: [number, number][] = [];
  let i = 0, j = 0, done = -1;
  for (;;) {
    const d = agreeing(old, i, next, j);
    if (i + d === old.length && j + d === next.length) break;
    let k = partAt(index, Math.min(i + d, old.length - 1));
    // Where they part at a tag's `<`, the text before it is what changed (it grew).
    if (k % 2 === 1 && starts[k] === i + d) k--;
    // Each part once, in order: a part met again means parts were added or taken away.
    if (k <= done) return undefined;
    done = k;
    const shift = j - i;
    const from = starts[k], to = starts[k + 1], start = from + shift;
    let end: number;
    if (k % 2 === 0) {
      const open = next.indexOf('<', start);
      end = open < 0 ? next.length : open;
      // The same tags with text in the same places: the DOM's text nodes are these, one for one.
      if (from === to || end === start || (open < 0) !== (k === index.parts - 1)) return undefined;
      const texts = (was.texts ??= textsOf(el));
      const node = texts[index.textsBefore[k]], decoded = decode(next.slice(start, end));
      if (!node || decoded === undefined) return undefined;
      apply.push(() => void (node.data = decoded));
    } else {
      end = next.indexOf('>', start) + 1;
      if (end === 0) return undefined;
      const x = parseTag(old.slice(from, to)), y = parseTag(next.slice(start, end));
      if (!x || !y || x.name !== y.name || x.attributes.length !== y.attributes.length || x.attributes.some(([n], q) => n !== y.attributes[q][0])) return undefined;
      // The DOM's elements are the opening tags, one for one, where the parser added none (a table's tbody).
      const elements = (was.elements ??= [...el.querySelectorAll('*')]);
      const target = elements[index.elementsBefore[k]];
      if (!target || target.localName !== x.name.toLowerCase()) return undefined;
      for (let q = 0; q < y.attributes.length; q++) {
        const [name, value] = y.attributes[q];
        if (value === x.attributes[q][1]) continue;
        const decoded = decode(value);
        if (decoded === undefined) return undefined;
        apply.push(() => target.setAttribute(name, decoded));
      }
    }
    if (end - start !== to - from) moved.push([k, end - start - (to - from)]);
    i = to;
    j = end;
  }
  const last = index.parts - 1;
  if (was.texts && was.texts.length !== index.textsBefore[last] + (starts[last] < starts[last + 1] ? 1 : 0)) return undefined;
  if (was.elements && was.elements.length !== index.elementsBefore[last]) return undefined;
  // The new HTML's parts start where the old ones did, moved by every change of length before them.
  const nextStarts = new Int32Array(starts.length);
  let shift = 0, m = 0;
  for (let k = 0; k < starts.length; k++) {
    nextStarts[k] = starts[k] + shift;
    while (m < moved.length && moved[m][0] === k) shift += moved[m++][1];
  }
  return { apply, index: { ...index, starts: nextStarts } };
}

/** The element holds other HTML than the engine last gave it: the next patch puts it whole. */
export function forget(el: Element): void {
  shown.delete(el);
}

export function remembered(el: Element): boolean {
  return shown.has(el);
}

/** What the element shows, as the engine wrote it: a new rendering is compared with it. */
export function remember(el: Element, html: string): void {
  shown.set(el, { html, index: indexHtml(html) });
}

/** Puts `html` in the element: patched where the element was given HTML of the same shape, else whole. */
export function patchHtml(el: Element, html: string): void {
  const was = shown.get(el);
  if (was?.html === html) return;
  const index = was && (was.index ??= indexHtml(was.html));
  const patch = was && index && changes(el, was, index, html);
  if (was && patch) {
    for (const change of patch.apply) change();
    was.html = html;
    was.index = patch.index;
  } else {
    el.innerHTML = html;
    shown.set(el, { html });
  }
}
