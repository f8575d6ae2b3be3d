// Numbers as the page prints them, and formula parts → LaTeX, once with symbols and once with
// the numbers the nodes hold.
import { Node } from '../src/tape.ts';
import type { Part } from './formula.ts';

/** Rounded to `decimals`, trailing zeros dropped (0.6000000000000001 → "0.6"), no "-0". */
export function formatNumber(value: number, decimals: number): string {
  if (!Number.isFinite(value)) return String(value);
  let s = value.toFixed(decimals);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

/** `digits` significant digits with trailing zeros dropped, or a dash for a missing number. */
export function formatSignificant(value: number | undefined, digits: number): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  return value.toPrecision(digits).replace(/(\.\d*?)0+(e|$)/, '$1$2').replace(/\.(e|$)/, '$1');
}

export function symbols(parts: Part[]): string {
  return parts.map((p) => (typeof p === 'string' ? p : p instanceof Node ? p.tex : '\\,')).join('');
}

export function numbers(parts: Part[], decimals: number): string {
  return parts.map((p) => (typeof p === 'string' ? p : p instanceof Node ? num(p.value, decimals, p) : '\\cdot ')).join('');
}

/** A number in parentheses when negative; tied to its node (`linked`) when one is given. */
export function num(value: number, decimals: number, node?: Node): string {
  const s = formatNumber(value, decimals);
  return s.startsWith('-') ? `(${linked(node, s)})` : linked(node, s);
}

/**
 * A number as the live page links it: \htmlData marks it with its node (data-node), so hovering
 * it finds every other place the quantity appears. Only the engine's math may use it (katex.ts).
 */
export function linked(node: Node | undefined, tex: string): string {
  if (!node?.link) return tex;
  // A number the lesson declares (an input, a target, a parameter): the live page edits it where it stands.
  const declared = node.op === 'input' || node.op === 'param' ? ',declared=1' : '';
  return `\\htmlData{node=${node.link}${declared}}{${tex}}`;
}

/** LaTeX without the links: what a reader sees, for measuring and comparing. */
export function plainTex(tex: string): string {
  return tex.replace(/\\htmlData\{[^{}]*\}\{([^{}]*)\}/g, '$1');
}

export function minus(text: string): string {
  return text.replace(/(^|[^\w.])-(?=\.?\d)/g, '$1−');
}

/**
 * A column of numbers aligned on the decimal point: each padded after its digits with figure
 * spaces (one digit wide in tabular figures) to the column's most decimals. Other cells as they are.
 */
export function alignDecimals(cells: string[]): string[] {
  const decimals = (s: string) => (/^[−-]?\d+(\.\d+)?$/.test(s) ? (s.split('.')[1]?.length ?? 0) : -1);
  const most = Math.max(0, ...cells.map(decimals));
  return cells.map((s) => {
    const d = decimals(s);
    if (d < 0 || d === most) return s;
    // A missing point is a punctuation space wide, a missing digit a figure space.
    return s + (d === 0 ? '\u2008' : '') + '\u2007'.repeat(most - d);
  });
}

/**
 * A number in running text or a table cell: a true minus, and a nonzero value that rounds to 0
 * said to be below the last decimal shown ("0" alone would claim it is zero).
 */
export function htmlNumber(value: number, decimals: number): string {
  const s = formatNumber(value, decimals);
  if (s === '0' && value !== 0 && Number.isFinite(value)) return `${value < 0 ? '−' : ''}less than ${formatNumber(0.5 * 10 ** -decimals, decimals + 1)}`;
  return minus(s);
}

const SUPERSCRIPT: Record<string, string> = { '-': '⁻', '+': '', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** A number as text for a figure or a sentence: true minus, and 2.5·10⁻⁷ rather than 2.5e-7. */
export function textNumber(value: number, decimals: number): string {
  return minus(formatNumber(value, decimals));
}

/** `digits` significant digits as text: true minus, powers of ten written out (2.575·10⁻⁷). */
export function textSignificant(value: number | undefined, digits: number): string {
  const s = formatSignificant(value, digits);
  const e = /^(-?[\d.]+)e([+-]\d+)$/.exec(s);
  return minus(e ? `${e[1]}·10${[...e[2]].map((c) => SUPERSCRIPT[c]).join('')}` : s);
}
