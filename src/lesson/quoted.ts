// Whether a figure printed by a source stands for a computed number.

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
