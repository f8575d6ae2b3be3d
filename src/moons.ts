/**
 * scikit-learn's `datasets.make_moons`, drawing from a numpy-compatible
 * RandomState so a lesson gets the same two moons as the tutorial it follows
 * (`np.random.seed(0); make_moons(300, noise=0.20)` and friends).
 *
 * Follows sklearn/datasets/_samples_generator.py of scikit-learn 1.x (0.2x's
 * samples_generator.py is identical): points on two half circles from
 * np.linspace, then `sklearn.utils.shuffle` (arange(n) shuffled in place by
 * `RandomState.shuffle`), then `normal(scale=noise, size=(n, 2))` added in
 * row-major order.
 *
 * The random draws (shuffle order, labels, noise) are bit-exact. The circle
 * points use Math.cos/Math.sin, which round differently from glibc's cos/sin
 * (what numpy calls) at ~3% of angles, so about 2% of coordinates differ from
 * numpy's by one ulp: at most 2^-53 for noise <= 0.2, 2^-51 with noise 1.0
 * (see test/moons.test.ts). Matching those too would take a port of glibc's
 * sin/cos.
 */

import type { RandomState } from './random.ts';

export interface MoonsOptions {
  /** Standard deviation of the Gaussian noise; omitted means no noise and no noise draws (sklearn's None). */
  noise?: number;
  /** Shuffle the samples (sklearn's default, true). */
  shuffle?: boolean;
  rng: RandomState;
}

export interface Moons {
  /** Row-major n × 2 coordinates. */
  X: Float64Array;
  /** Class of each row: 0 for the upper (outer) moon, 1 for the lower (inner) one. */
  y: Uint8Array;
  n: number;
}

/** numpy's `linspace(0, pi, count)`: i * (pi / (count - 1)), with the last point set to pi exactly. */
function angles(count: number): Float64Array {
  const out = new Float64Array(count);
  if (count < 2) return out; // numpy gives [] and [0]
  const step = Math.PI / (count - 1);
  for (let i = 0; i < count - 1; i++) out[i] = i * step;
  out[count - 1] = Math.PI;
  return out;
}

export function makeMoons(nSamples: number, options: MoonsOptions): Moons {
  const { noise, shuffle = true, rng } = options;
  if (!Number.isSafeInteger(nSamples) || nSamples < 1) {
    throw new RangeError(`makeMoons: nSamples must be a positive integer, got ${nSamples}`);
  }
  if (noise !== undefined && !(noise >= 0)) {
    throw new RangeError(`makeMoons: noise must be >= 0, got ${noise}`);
  }
  // For odd n the inner (second) moon gets the extra point, as in sklearn.
  const nOuter = Math.floor(nSamples / 2);
  const nInner = nSamples - nOuter;

  const ordered = new Float64Array(2 * nSamples);
  const labels = new Uint8Array(nSamples);
  const outer = angles(nOuter);
  for (let i = 0; i < nOuter; i++) {
    ordered[2 * i] = Math.cos(outer[i]);
    ordered[2 * i + 1] = Math.sin(outer[i]);
  }
  const inner = angles(nInner);
  for (let i = 0; i < nInner; i++) {
    const row = nOuter + i;
    ordered[2 * row] = 1 - Math.cos(inner[i]);
    ordered[2 * row + 1] = 1 - Math.sin(inner[i]) - 0.5;
    labels[row] = 1;
  }

  let X = ordered;
  let y = labels;
  if (shuffle) {
    // sklearn.utils.shuffle: indices = arange(n); rng.shuffle(indices); X[indices], y[indices].
    const order = rng.permutation(nSamples);
    X = new Float64Array(2 * nSamples);
    y = new Uint8Array(nSamples);
    for (let i = 0; i < nSamples; i++) {
      const source = order[i];
      X[2 * i] = ordered[2 * source];
      X[2 * i + 1] = ordered[2 * source + 1];
      y[i] = labels[source];
    }
  }

  if (noise !== undefined) {
    const jitter = rng.normal(0, noise, 2 * nSamples);
    for (let i = 0; i < 2 * nSamples; i++) X[i] += jitter[i];
  }
  return { X, y, n: nSamples };
}
