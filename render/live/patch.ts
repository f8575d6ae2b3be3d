// Putting a block's new HTML in place. When a reader moves a number, a derivation's markup
// keeps its shape and only its numbers change, and a figure's shapes only move or change
// colour: then the text nodes and attributes that changed are rewritten and the browser parses
// nothing. Any other change (a sign that brings parentheses, a label that appears) replaces the
// block's HTML whole.

/** Splits HTML into text and tags: even places are text (maybe empty), odd places tags. */
const PARTS = /(<[^>]*>)/;
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

/** What an element was last given: its HTML in parts, and (once a patch needed them) its text nodes and elements in order. */
interface Shown {
  parts: string[];
  texts?: Text[];
  elements?: Element[];
}

const shown = new WeakMap<Element, Shown>();

function textsOf(el: Element): Text[] {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const nodes: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
  return nodes;
}

/** The changes that turn what the element shows into `next`, or undefined when their shapes differ. */
function changes(el: Element, was: Shown, next: string[]): (() => void)[] | undefined {
  const { parts } = was;
  if (parts.length !== next.length) return undefined;
  const out: (() => void)[] = [];
  let text = 0, opening = 0;
  for (let i = 0; i < next.length; i++) {
    const a = parts[i], b = next[i];
    if (i % 2 === 0) {
      if (a !== b) {
        // The same tags with text in the same places: the DOM's text nodes are these, one for one.
        if (a === '' || b === '') return undefined;
        const texts = (was.texts ??= textsOf(el));
        const node = texts[text], decoded = decode(b);
        if (!node || decoded === undefined) return undefined;
        out.push(() => void (node.data = decoded));
      }
      if (a !== '') text++;
      continue;
    }
    if (a !== b) {
      const x = parseTag(a), y = parseTag(b);
      if (!x || !y || x.name !== y.name || x.attributes.length !== y.attributes.length || x.attributes.some(([n], k) => n !== y.attributes[k][0])) return undefined;
      // The DOM's elements are the opening tags, one for one, where the parser added none (a table's tbody).
      const elements = (was.elements ??= [...el.querySelectorAll('*')]);
      const target = elements[opening];
      if (!target || target.localName !== x.name.toLowerCase()) return undefined;
      for (let k = 0; k < y.attributes.length; k++) {
        const [name, value] = y.attributes[k];
        if (value === x.attributes[k][1]) continue;
        const decoded = decode(value);
        if (decoded === undefined) return undefined;
        out.push(() => target.setAttribute(name, decoded));
      }
    }
    if (a[1] !== '/' && a[1] !== '!') opening++;
  }
  if (was.texts && was.texts.length !== text) return undefined;
  if (was.elements && was.elements.length !== opening) return undefined;
  return out;
}

/** What the element shows, as the engine wrote it (the DOM's own serialisation differs): a new rendering is compared with it. */
export function remembered(el: Element): boolean {
  return shown.has(el);
}

export function remember(el: Element, html: string): void {
  shown.set(el, { parts: html.split(PARTS) });
}

/** Puts `html` in the element: patched where the element was given HTML of the same shape, else whole. */
export function patchHtml(el: Element, html: string): void {
  const was = shown.get(el);
  const next = html.split(PARTS);
  const patch = was && changes(el, was, next);
  if (was && patch) {
    for (const change of patch) change();
    was.parts = next;
  } else {
    el.innerHTML = html;
    shown.set(el, { parts: next });
  }
}
