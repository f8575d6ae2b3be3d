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
  return parts.map((p) => (typeof p === 'string' ? p : p instanceof Node ? num(p.value, decimals) : '\\cdot ')).join('');
}

/** A number inside a formula: negative ones in parentheses so signs and powers read right. */
export function num(value: number, decimals: number): string {
  const s = formatNumber(value, decimals);
  return s.startsWith('-') ? `(${s})` : s;
}
