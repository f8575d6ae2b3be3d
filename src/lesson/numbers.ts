// Printing computed numbers, and deciding whether a printed figure is a given number.

/** Rounded to `decimals`, trailing zeros dropped (0.6000000000000001 → "0.6"), no "-0". */
export function formatNumber(value: number, decimals: number): string {
  if (!Number.isFinite(value)) return String(value);
  let s = value.toFixed(decimals);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

/** How many decimals a figure is printed with: "0.6456563062" → 10. */
export function decimalsOf(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/**
 * Does a figure printed as `text` stand for `value`? Sources round or truncate their last
 * digit, so any value within one unit of that digit counts (or `units`: a replay of the
 * source's own shortened arithmetic drifts by a unit more).
 */
export function matchesQuoted(value: number, text: string, units = 1): boolean {
  if (!Number.isFinite(value)) return false;
  const unit = 10 ** -decimalsOf(text);
  return Math.abs(value - Number(text)) <= units * unit * (1 + 1e-9);
}

/** `digits` significant digits with trailing zeros dropped, or a dash for a missing number. */
export function formatSignificant(value: number | undefined, digits: number): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  return value.toPrecision(digits).replace(/(\.\d*?)0+(e|$)/, '$1$2').replace(/\.(e|$)/, '$1');
}
