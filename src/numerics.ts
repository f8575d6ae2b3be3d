// Numerically stable scalar kernels shared by the tracer and the vectorised trainer.
// Each stays finite and accurate for arguments of ±1000, where the textbook formulas
// overflow (exp(1000)) or cancel (log(1 - sigmoid(40))).

/** σ(x) = 1/(1+e^{-x}), evaluated on the side where the exponential cannot overflow. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** softplus(x) = log(1 + e^x) without overflow; log σ(x) = -softplus(-x). */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** Binary cross-entropy of a sigmoid unit from its logit z: -t·log σ(z) - (1-t)·log(1-σ(z)). */
export function bceFromLogit(z: number, t: number): number {
  return softplus(z) - t * z;
}

/** log Σ e^{z_i} over z[offset .. offset+n). */
export function logSumExp(z: ArrayLike<number>, offset: number, n: number): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, z[offset + i]);
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(z[offset + i] - max);
  return max + Math.log(sum);
}

/** Softmax of z[offset .. offset+n) written into out[offset ..]; shifted by the maximum so no term overflows. */
export function softmaxInto(z: ArrayLike<number>, out: Float64Array | number[], offset: number, n: number): void {
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, z[offset + i]);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(z[offset + i] - max);
    out[offset + i] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let i = 0; i < n; i++) out[offset + i] *= inv;
}

// tanh on the trainer's hot path. Math.tanh costs 11-18 ns a call in V8; the two-moons
// workload makes 3·10⁸ of them. This evaluates expm1(-2|x|) with a degree-13 polynomial
// after reduction by powers of two, then tanh = -m/(m+2): no cancellation near zero, a few
// ulp at most everywhere (test/numerics.test.ts bounds the error against Math.tanh).
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700e0;
const ROUND_SHIFT = 6755399441055744; // 1.5·2^52: adding it rounds a double to an integer
// 2^-k for k = 0..56; beyond that e^{-2|x|} is below half an ulp of 1 and tanh(x) = ±1.
const POW2_NEG = new Float64Array(57).map((_, k) => 2 ** -k);
// 1/n! for the Taylor series of expm1 on |r| ≤ ln2/2: the r^14 term is below 2^-60.
const C2 = 1 / 2, C3 = 1 / 6, C4 = 1 / 24, C5 = 1 / 120, C6 = 1 / 720, C7 = 1 / 5040;
const C8 = 1 / 40320, C9 = 1 / 362880, C10 = 1 / 3628800, C11 = 1 / 39916800;
const C12 = 1 / 479001600, C13 = 1 / 6227020800;

export function fastTanh(x: number): number {
  const ax = x < 0 ? -x : x;
  if (!(ax < 19.1)) return x !== x ? x : x < 0 ? -1 : 1; // also NaN in, NaN out
  const y = -2 * ax;
  // k = round(y / ln2) ≤ 0; r = y - k·ln2 in [-ln2/2, ln2/2], reduced in two parts for accuracy.
  const k = y * INV_LN2 + ROUND_SHIFT - ROUND_SHIFT; // round to nearest, without a call
  const r = y - k * LN2_HI - k * LN2_LO;
  const em1r = r * (1 + r * (C2 + r * (C3 + r * (C4 + r * (C5 + r * (C6 + r * (C7 + r * (C8 + r * (C9 + r * (C10 + r * (C11 + r * (C12 + r * C13))))))))))));
  // expm1(y) = 2^k·expm1(r) + (2^k − 1); both terms exact-signed, 2^k − 1 is exact.
  const p = POW2_NEG[-k | 0];
  const m = p * em1r + (p - 1);
  const t = -m / (m + 2);
  return x < 0 ? -t : t;
}
