// What the trainer's two backends (js.ts: loops; wasm.ts: the fused kernel) share: the
// interface src/trainer.ts drives them through, the divergence report, the options, the
// activation codes, and the data term of the loss.
import { sampleLoss } from '../losses.ts';
import type { Network } from '../network.ts';
import type { UpdateOrder } from '../spec.ts';

/** A NaN or an infinity, caught where it first appeared. */
export class DivergenceError extends Error {
  constructor(readonly iteration: number, readonly layer: number, readonly quantity: 'weighted sums' | 'gradients' | 'loss') {
    const what = quantity === 'loss' ? `the loss (from the outputs of layer ${layer})` : `the ${quantity} of layer ${layer}`;
    super(`training diverged at iteration ${iteration}: ${what} became NaN or infinite (try a smaller learning rate)`);
  }
}

/**
 * js: the loops, for every network; wasm: the fused kernel, for one hidden layer (not softmax)
 * updated simultaneously, where the platform has WebAssembly SIMD; auto: wasm where it serves.
 */
export type BackendName = 'js' | 'wasm' | 'auto';

export interface TrainerOptions {
  backend?: BackendName;
}

export interface History {
  /** loss[i]: the loss of iteration (or epoch) i, measured as the run defines */
  loss: Float64Array;
}

export interface FullBatchOptions {
  iterations: number;
  lr: number;
  order?: UpdateOrder;
  /** measure the loss every this many iterations (default 1); loss[i] is iteration i·lossEvery */
  lossEvery?: number;
}

export type EpochLoss = 'after_step' | 'before_step';

export interface SgdOptions {
  epochs: number;
  lr: number;
  order?: UpdateOrder;
  /** the sample order of each epoch; in data order when absent */
  sampleOrder?: (epoch: number) => ArrayLike<number>;
  /**
   * after_step: the loss of each sample measured with the weights just updated on it, summed
   * over the epoch (seed 004 prints this); before_step: the loss each step descended on.
   */
  epochLoss?: EpochLoss;
}

/** What src/trainer.ts asks of a backend; the arguments are its public methods' (see there). */
export interface Backend {
  readonly name: 'js' | 'wasm';
  readonly gW: Float64Array[];
  readonly gb: Float64Array[];
  forward(X: Float64Array, start: number, count: number): Float64Array;
  loss(X: Float64Array, T: Float64Array, start: number, count: number): number;
  step(X: Float64Array, T: Float64Array, start: number, count: number, lr: number | undefined, order: UpdateOrder, measure: boolean): number;
  /** the losses of a full-batch run */
  trainFullBatch(X: Float64Array, T: Float64Array, n: number, iterations: number, lr: number, order: UpdateOrder, lossEvery: number): Float64Array;
  /** the epochs' losses of a per-sample SGD run */
  trainSGD(X: Float64Array, T: Float64Array, n: number, epochs: number, lr: number, order: UpdateOrder, sampleOrder: SgdOptions['sampleOrder'], epochLoss: EpochLoss): Float64Array;
  predict(X: Float64Array, n: number): Float64Array;
  preactivations(l: number): Float64Array;
}

/** Activation codes, the loops' switch and the kernel's (net2.wat's br_tables use these numbers). */
export const ACT_SIGMOID = 0, ACT_TANH = 1, ACT_RELU = 2, ACT_IDENTITY = 3, ACT_SOFTMAX = 4;
export const ACT_CODE = { sigmoid: ACT_SIGMOID, tanh: ACT_TANH, relu: ACT_RELU, identity: ACT_IDENTITY, softmax: ACT_SOFTMAX } as const;

/**
 * The loss of rows [start, start+count) from the output layer's Z and A of the last forward
 * pass, with the batch reduction, without the L2 penalty (each backend sums the weights where
 * it keeps them).
 */
export function dataLoss(net: Network, Z: Float64Array, A: Float64Array, T: Float64Array, start: number, count: number): number {
  const { config } = net;
  const K = net.sizes[net.sizes.length - 1];
  let e = 0;
  for (let s = 0; s < count; s++) e += sampleLoss(config.loss, Z, s * K, A, s * K, T, (start + s) * K, K);
  if (config.reduction === 'mean') e /= count;
  return e;
}
