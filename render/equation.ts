// Display math as rows that wrap instead of running off the page. KaTeX's display mode sets
// an equation as one unbreakable box; a long substitution then scrolls or is cut off. Here
// each line of an `aligned` block (or a one-line equation, split at its first relation)
// becomes a row of a grid: the left-hand side in one column, the rest in the next, typeset in
// KaTeX's inline mode with \displaystyle, which lets the browser break the line after any
// top-level relation or operator. Continuation lines start under the rest, so the = signs stay
// aligned and nothing is hidden at any width.
import { plainTex } from './format.ts';

const COMMAND = /\\([A-Za-z]+|.?)/y;

/** The name of the command whose backslash is at `i` (a letter run, or one other character). */
function commandAt(text: string, i: number): string {
  COMMAND.lastIndex = i;
  return COMMAND.exec(text)![1];
}

/** One line: what stands left of the alignment point, what follows it, and a note beside it. */
export interface EquationRow {
  lhs: string;
  rhs: string;
  note?: string;
}

/**
 * Walks `text` and calls `atTop` with each character or command (`word`, without its
 * backslash) that stands outside braces, \left…\right and \begin…\end; `atTop` returning true
 * stops the walk there. Returns where it stopped, -1 at the end, or undefined when the braces
 * do not balance.
 */
function walkTop(text: string, atTop: (i: number, c: string, word?: string) => boolean | void): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      const word = commandAt(text, i);
      if (word === 'left' || word === 'begin') depth++;
      else if (word === 'right' || word === 'end') depth--;
      else if (depth === 0 && atTop(i, c, word)) return i;
      i += word.length;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (depth === 0 && atTop(i, c)) return i;
    if (depth < 0) return undefined;
  }
  return depth === 0 ? -1 : undefined;
}

/**
 * Splits `text` at top-level occurrences of `separator`. Undefined when the text is not
 * balanced: it is then not ours to rearrange.
 */
function splitTop(text: string, separator: '\\\\' | '&'): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  const end = walkTop(text, (i, c, word) => {
    const isSeparator = separator === '&' ? c === '&' && word === undefined : word === '\\';
    if (!isSeparator) return;
    parts.push(text.slice(start, i));
    start = i + separator.length;
  });
  if (end === undefined) return undefined;
  parts.push(text.slice(start));
  return parts;
}

const RELATIONS = ['approx', 'le', 'ge', 'leq', 'geq', 'ne', 'neq', 'equiv', 'to'];

/** The first top-level relation sign of a one-line equation, where its right-hand side starts. */
function firstRelation(text: string): number {
  return walkTop(text, (_, c, word) => (word === undefined ? c === '=' || c === '<' || c === '>' : RELATIONS.includes(word))) ?? -1;
}

/**
 * The rows of a display equation, or undefined where its LaTeX is more than lines of
 * `lhs & rhs` (a matrix, cases, a lone aligned block inside something else): then it is left
 * to KaTeX's display mode.
 */
export function equationRows(tex: string): EquationRow[] | undefined {
  const body = tex.trim();
  const aligned = /^\\begin\{aligned\}([\s\S]*)\\end\{aligned\}$/.exec(body);
  if (aligned) {
    const lines = splitTop(aligned[1], '\\\\');
    if (!lines || /\\begin\{aligned\}/.test(aligned[1])) return undefined;
    const rows: EquationRow[] = [];
    for (const line of lines) {
      if (!line.trim()) continue;
      const cells = splitTop(line, '&');
      if (!cells) return undefined;
      const [lhs, rhs = '', ...rest] = cells.map((c) => c.trim());
      const note = rest.filter((c) => c !== '').join('\\quad ');
      rows.push({ lhs, rhs, ...(note ? { note } : {}) });
    }
    return rows;
  }
  if (/\\begin\{|\\\\/.test(body) || splitTop(body, '&')?.length !== 1) return undefined;
  const at = firstRelation(body);
  // A long left-hand side is a formula, not a name: the equation is one row that wraps whole,
  // so "= value" comes at its end.
  if (at <= 0 || at > 60) return [{ lhs: '', rhs: body }];
  return [{ lhs: body.slice(0, at).trim(), rhs: body.slice(at).trim() }];
}

/**
 * Short parenthesised groups made atoms (braced), so a line breaks between them, not inside
 * one: "0.79(1 − 0.79)" stays whole. A long group stays breakable, or it could not fit at all.
 */
export function atomicGroups(tex: string, longest = 48): string {
  let out = '', depth = 0, open = -1;
  for (let i = 0; i < tex.length; i++) {
    const c = tex[i];
    if (c === '\\') {
      const word = commandAt(tex, i);
      out += tex.slice(i, i + 1 + word.length);
      // \left( … \right) is one atom already; its parentheses are not ours.
      if (word === 'left' || word === 'right') {
        out += tex[i + 1 + word.length] ?? '';
        i++;
      }
      i += word.length;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') depth--;
    if (c === '(' && depth === 0 && open < 0) open = out.length;
    if (c === ')' && depth === 0 && open >= 0) {
      const group = out.slice(open) + ')';
      out = out.slice(0, open) + (plainTex(group).length <= longest && !group.slice(1, -1).includes('(') ? `{${group}}` : group);
      open = -1;
      continue;
    }
    if (c === '(' && depth === 0 && open >= 0) open = out.length; // a nested group: the innermost is the one braced
    out += c;
  }
  return out;
}
