// Numerically stable scalar kernels shared by the tracer and the vectorised trainer.
// Each stays finite and accurate for arguments of ±1000, where the textbook formulas
// overflow (exp(1000)) or cancel (log(1 - sigmoid(40))).

/** σ(x) = 1/(1+e^{-x}), evaluated on the side where the exponential cannot overflow. */
export function sigmoid(x: number): number {
  const e = fastExp(x < 0 ? x : -x); // e^{-|x|} ≤ 1: never overflows
  const s = 1 / (1 + e);
  return x < 0 ? e * s : s;
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
    const e = fastExp(z[offset + i] - max);
    out[offset + i] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let i = 0; i < n; i++) out[offset + i] *= inv;
}

// exp and tanh for the hot loops. Math.exp and Math.tanh cost 10-18 ns a call in V8 and the
// seeds' workloads make 10⁸ of them. fastExp is table-driven (Tang's method): x = (64m + j)·ln2/64
// + r with |r| ≤ ln2/128, e^x = 2^m · 2^(j/64) · p(r) with a degree-5 polynomial; within 2 ulp
// of Math.exp. fastTanh uses it away from zero and Cephes' rational form near zero, where
// 1 - 2/(e^{2x}+1) would cancel; within 4 ulp of Math.tanh. test/numerics.test.ts holds both bounds.
const ROUND_SHIFT = 6755399441055744; // 1.5·2^52: adding it rounds a double to an integer
const INV_LN2_64 = 64 / Math.LN2;
// fdlibm's split of ln 2: the high part has 32 significant bits, so k·LN2_64_HI is exact.
const LN2_64_HI = 6.93147180369123816490e-1 / 64;
const LN2_64_LO = 1.90821492927058770002e-10 / 64;
const EXP_TABLE = Float64Array.from({ length: 64 }, (_, j) => 2 ** (j / 64));
// 2^m for m from -1100 to 1100 (0 and Infinity beyond the double range).
const POW2_OFFSET = 1100;
const POW2 = Float64Array.from({ length: 2 * POW2_OFFSET + 1 }, (_, i) => 2 ** (i - POW2_OFFSET));

export function fastExp(x: number): number {
  if (!(x > -745.2 && x < 709.79)) return x !== x ? x : x > 0 ? Infinity : 0;
  const k = x * INV_LN2_64 + ROUND_SHIFT - ROUND_SHIFT;
  const r = x - k * LN2_64_HI - k * LN2_64_LO;
  const ki = k | 0;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120)))));
  // m = floor(k / 64) and j = k mod 64, with two's complement doing the right thing for k < 0.
  return EXP_TABLE[ki & 63] * p * POW2[(ki >> 6) + POW2_OFFSET];
}

// Cephes tanh: tanh x = x + x³·P(x²)/Q(x²) for |x| < 0.625.
const P0 = -9.64399179425052238628e-1, P1 = -9.92877231001918586564e1, P2 = -1.61468768441708447952e3;
const Q0 = 1.12811678491632931402e2, Q1 = 2.23548839060100448583e3, Q2 = 4.84406305325125486048e3;

export function fastTanh(x: number): number {
  const ax = x < 0 ? -x : x;
  if (ax < 0.625) {
    if (x === 0) return x; // keeps the sign of -0
    const z = x * x;
    return x + x * z * ((P0 * z + P1) * z + P2) / (((z + Q0) * z + Q1) * z + Q2);
  }
  if (!(ax < 19.1)) return x !== x ? x : x < 0 ? -1 : 1; // beyond 19.1, 1 - tanh is below half an ulp
  const t = 1 - 2 / (fastExp(2 * ax) + 1);
  return x < 0 ? -t : t;
}
