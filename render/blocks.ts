// The pieces of a lesson's article that the build and the live page both make: a numbered
// figure, a numbered step, a table in its scroll box, and a lesson's words with their math.
// No markdown here, so the page's script can render a directive again without marked.
import type { FigureParts } from '../src/lesson/directive.ts';
import { minus } from './format.ts';
import { escapeHtml } from './html.ts';
import type { MathRenderer } from './katex.ts';

/** An anchor's words: lower case, joined by hyphens (the page adds -2, -3 to a repeat). */
export function anchorBase(text: string): string {
  const words = text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\$[^$]*\$/g, (m) => m.replace(/[\\{}^_$]/g, ' ')).replace(/[^\p{L}\p{N}_]+/gu, '-').replace(/^-+|-+$/g, '');
  // Cut by characters, not UTF-16 units, so no surrogate pair is split.
  return Array.from(words).slice(0, 60).join('').replace(/-+$/, '') || 'section';
}

/** A numbered figure: the drawing scrolls inside its own box where it is wider than the page, and its numbers fold below it. */
export function figureHtml(parts: FigureParts, id: string, label: string): string {
  const data = parts.data ? `<details class="figure-data"><summary>Figure ${label} as a table</summary>${parts.data}</details>` : '';
  return `<figure class="figure${parts.wide ? ' wide' : ''}" id="${id}"><div class="scroll figure-body">${parts.body}</div><figcaption><a class="figure-number" href="#${id}">Figure ${label}.</a> ${parts.caption}</figcaption>${data}</figure>`;
}

/** A worked step's class when the HTML is one (a numbered equation), else undefined. */
export function stepClass(html: string): RegExpExecArray | null {
  return /^<div class="step ([\w -]+)">/.exec(html);
}

/** A worked step as a numbered equation, its anchor named after what it works out (derive-w5). */
export function numberedStep(html: string, id: string, label: string): string {
  const step = stepClass(html)!;
  return `<div class="step ${step[1]}" id="${id}"><a class="eq-number" href="#${id}" title="equation ${label}">(${label})</a>${html.slice(step[0].length)}`;
}

/** A table wider than the column scrolls inside a box of its own, never the page. */
export function boxTables(html: string): string {
  if (!html.includes('<table')) return html;
  // Plain string replacement: the engine writes every table as <table> or <table class=…>, and a regular expression over a block of math costs the live page a tenth of a redraw.
  return html.replaceAll('<table', '<div class="scroll table-box"><table').replaceAll('</table>', '</table></div>');
}

/** Words with `$…$` math in them: the words escaped (with true minus signs), the math typeset. */
export function proseHtml(text: string, math: MathRenderer, at?: (index: number) => number): string {
  let html = '', offset = 0;
  // \$ is a dollar sign; $…$ (not after a backslash) is math.
  for (const part of text.split(/((?<!\\)\$(?:\\.|[^\\$])+\$)/)) {
    const start = offset;
    offset += part.length;
    if (part.length > 1 && part.startsWith('$') && part.endsWith('$')) html += math.render(part.slice(1, -1), false, at && ((i) => at(start + 1 + i)));
    else html += minus(escapeHtml(part.replaceAll('\\$', '$')));
  }
  return html;
}
