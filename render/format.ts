// Formula parts → LaTeX, once with symbols and once with the numbers the nodes hold.
import type { Part } from '../src/formula.ts';
import { formatNumber } from '../src/lesson/numbers.ts';
import { Node } from '../src/tracer.ts';

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

