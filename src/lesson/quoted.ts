// Whether a figure printed by a source stands for a computed number: the computed value,
// shortened the way the source shortens (rounded half-up, or cut off) to the figure's printed
// decimals, must be the figure, digit for digit.
import { shortened, shortenedNumber, type Rounding } from '../decimal.ts';

/** How many decimals a figure is printed with: "0.6456563062" → 10. */
export function decimalsOf(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/**
 * Whether a figure pads zeros past `decimals`: 0.7987314000 from a source that writes its
 * intermediates to 7 decimals. Arithmetic on such values may print more digits (0.5 − 0.5 ×
 * 0.0818667051 = 0.45906664745), never zeros that no rounding produced.
 */
export function padsPast(text: string, decimals: number): boolean {
  return decimalsOf(text) > decimals && decimalsOf(text.replace(/0+$/, '')) <= decimals;
}

/** A printed figure in the form `shortened` writes: no plus sign, no leading zeros. */
function canonical(text: string): string {
  const body = text.replace(/^[+-]/, '').replace(/^0+(?=\d)/, '');
  return text.startsWith('-') ? `-${body}` : body;
}

/** Does the figure printed as `text` stand for `value`, shortened by `rounding`? */
export function figureMatches(value: number, text: string, rounding: Rounding): boolean {
  return matcher(text)(value, rounding);
}

/** The test figureMatches makes, for one figure read once (diagnose asks it of thousands of values). */
export function matcher(text: string): (value: number, rounding: Rounding) => boolean {
  const decimals = decimalsOf(text), figure = canonical(text);
  // Up to 15 significant digits two decimals are two doubles: the numbers can be compared.
  if (/^-?\d+(\.\d+)?$/.test(figure) && text.replace(/[^0-9]/g, '').replace(/^0+/, '').length <= 15) {
    const n = Number(figure);
    return (value, rounding) => Number.isFinite(value) && Object.is(shortenedNumber(value, decimals, rounding), n);
  }
  return (value, rounding) => Number.isFinite(value) && shortened(value, decimals, rounding) === figure;
}
