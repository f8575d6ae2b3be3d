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
