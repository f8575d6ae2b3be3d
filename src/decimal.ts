// Numbers as a source prints them: shortened to a number of decimals, rounded half-up (away
// from zero) or cut off. Digits are taken from the shortest decimal that reads back as the
// same double (what JavaScript and numpy print), so 0.3 cuts to 0.3, not to the 0.2999… of
// its binary expansion.

export type Rounding = 'round' | 'truncate';

/** The shortest round-trip decimal of a finite double, without an exponent: 1e-7 → "0.0000001". */
export function plainDecimal(x: number): string {
  const s = String(x);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, lead, rest = '', exp] = m;
  const digits = lead + rest;
  const point = 1 + Number(exp); // position of the decimal point within digits
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** The figure a source printing `decimals` decimals shows for `value`. */
export function shortened(value: number, decimals: number, rounding: Rounding): string {
  if (!Number.isFinite(value)) return String(value);
  const plain = plainDecimal(value);
  const negative = plain.startsWith('-');
  const [whole, fraction = ''] = (negative ? plain.slice(1) : plain).split('.');
  let digits = BigInt(whole + fraction.slice(0, decimals).padEnd(decimals, '0'));
  if (rounding === 'round' && fraction.length > decimals && fraction[decimals] >= '5') digits += 1n;
  const s = digits.toString().padStart(decimals + 1, '0');
  const text = decimals === 0 ? s : `${s.slice(0, s.length - decimals)}.${s.slice(s.length - decimals)}`;
  // A negative value keeps its sign even where its digits round to zero, as numpy prints -0.0.
  return negative ? `-${text}` : text;
}

/**
 * `shortened` as a double, without the string where the digit that decides lies clear of its
 * boundary: n / 10^k is then the correctly rounded double of the decimal, as Number() of the
 * string is. Near a boundary (or for large numbers) it takes the string's way.
 */
export function shortenedNumber(value: number, decimals: number, rounding: Rounding): number {
  if (decimals <= 22 && Number.isFinite(value)) {
    const p = 10 ** decimals, x = Math.abs(value) * p;
    const margin = Math.max(1e-9, x * 1e-14);
    if (margin < 0.25) {
      const whole = Math.floor(x), frac = x - whole;
      // A value with at most `decimals` decimals already (a weight like 0.1): itself.
      if ((frac <= margin || frac >= 1 - margin) && Math.round(x) / p === Math.abs(value)) return value;
      if (rounding === 'truncate' ? frac > margin && frac < 1 - margin : Math.abs(frac - 0.5) > margin) {
        const n = rounding === 'truncate' || frac < 0.5 ? whole : whole + 1;
        return (value < 0 ? -n : n) / p;
      }
    }
  }
  return Number(shortened(value, decimals, rounding));
}
