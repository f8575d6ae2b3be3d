// The losses, each defined once: value, derivative, and how the lessons write it.
// Squared-error losses act on the prediction a; the cross-entropies act on the logit z of
// the output layer (fused with its sigmoid or softmax), because log σ(z) and log softmax(z)
// computed from z stay finite at |z| = 1000 where log(a) of a rounded a does not.
import { bceFromLogit, logSumExp } from './numerics.ts';

export type LossName =
  | 'squared' // Σ_k (a_k - t_k)²            (seeds 000, 001)
  | 'half_squared' // Σ_k ½(a_k - t_k)²       (seeds 003, 004)
  | 'mean_squared' // (1/K) Σ_k (a_k - t_k)²
  | 'half_mean_squared' // (1/K) Σ_k ½(a_k - t_k)²
  | 'bce' // Σ_k -t_k log a_k - (1-t_k) log(1-a_k), a = σ(z)
  | 'softmax_ce'; // -Σ_k t_k log softmax(z)_k   (seed 002)

export const LOSSES: readonly LossName[] = ['squared', 'half_squared', 'mean_squared', 'half_mean_squared', 'bce', 'softmax_ce'];

export function isLoss(name: unknown): name is LossName {
  return typeof name === 'string' && (LOSSES as readonly string[]).includes(name);
}

/** Losses computed per output from the prediction: E_k = c·(a_k - t_k)², with ∂E_k/∂a_k = 2c·(a_k - t_k). */
export function squaredCoefficient(loss: LossName, outputs: number): number {
  switch (loss) {
    case 'squared': return 1;
    case 'half_squared': return 0.5;
    case 'mean_squared': return 1 / outputs;
    case 'half_mean_squared': return 0.5 / outputs;
    default: return NaN;
  }
}

export function isSquared(loss: LossName): boolean {
  return loss !== 'bce' && loss !== 'softmax_ce';
}

/** Loss of one sample whose output-layer logits are z[zo..zo+K) and activations a[ao..ao+K). */
export function sampleLoss(
  loss: LossName,
  z: ArrayLike<number>, zo: number,
  a: ArrayLike<number>, ao: number,
  t: ArrayLike<number>, to: number,
  K: number,
): number {
  let e = 0;
  if (loss === 'bce') {
    for (let k = 0; k < K; k++) e += bceFromLogit(z[zo + k], t[to + k]);
  } else if (loss === 'softmax_ce') {
    let tSum = 0;
    for (let k = 0; k < K; k++) {
      tSum += t[to + k];
      e -= t[to + k] * z[zo + k];
    }
    e += tSum * logSumExp(z, zo, K);
  } else {
    const c = squaredCoefficient(loss, K);
    for (let k = 0; k < K; k++) {
      const d = a[ao + k] - t[to + k];
      e += c * d * d;
    }
  }
  return e;
}
