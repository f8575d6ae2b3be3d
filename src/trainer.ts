// The vectorised trainer: the same network in matrix form on Float64Array, batched forward and
// backward passes, full-batch gradient descent and per-sample SGD. It checks the tracer on
// every number and does the long training runs. Two backends do the arithmetic: the loops of
// src/trainer/js.ts for any network, and for one hidden layer updated simultaneously the fused
// WebAssembly kernel of src/trainer/wasm.ts (src/kernels/net2.wat), where the platform has one.
import { net2Unavailable } from './kernels/net2.ts';
import type { Network } from './network.ts';
import type { UpdateOrder } from './spec.ts';
import { JsBackend } from './trainer/js.ts';
import type { Backend, BackendName, FullBatchOptions, History, SgdOptions, TrainerOptions } from './trainer/shared.ts';
import { WasmBackend } from './trainer/wasm.ts';

export { DivergenceError } from './trainer/shared.ts';
export type { BackendName, EpochLoss, FullBatchOptions, History, SgdOptions, TrainerOptions } from './trainer/shared.ts';

export class Trainer {
  /** the gradients of the last step, in the network's layouts */
  readonly gW: Float64Array[];
  readonly gb: Float64Array[];
  /** the backend of calls in the network's own update order ('auto' resolved); a one-hidden-layer network's sequential-order calls run on the loops */
  readonly backend: 'js' | 'wasm';
  private readonly impl: Backend;

  constructor(readonly net: Network, readonly maxBatch: number, options: TrainerOptions = {}) {
    this.impl = backendFor(net, maxBatch, options.backend ?? 'auto');
    this.backend = this.impl.name;
    this.gW = this.impl.gW;
    this.gb = this.impl.gb;
  }

  /** Outputs of rows [start, start+count) of X (row-major, n × n0), as a view valid until the next call. */
  forward(X: Float64Array, start: number, count: number): Float64Array {
    this.checkBatch(count);
    return this.impl.forward(X, start, count);
  }

  /** The loss of rows [start, start+count) with the current weights (reduction and penalty included). */
  loss(X: Float64Array, T: Float64Array, start: number, count: number): number {
    this.checkBatch(count);
    return this.impl.loss(X, T, start, count);
  }

  /**
   * Gradients of the loss over rows [start, start+count) into gW/gb, and, when lr is given,
   * the update: simultaneous after all layers, or sequential, each layer as soon as its
   * gradient is known so the layers below see its new weights. Returns the loss before the
   * update, or NaN when `measure` is false (the loss costs a log per sample).
   */
  step(X: Float64Array, T: Float64Array, start: number, count: number, lr?: number, order: UpdateOrder = 'simultaneous', measure = true): number {
    this.checkBatch(count);
    return this.impl.step(X, T, start, count, lr, order, measure);
  }

  /** Full-batch gradient descent on all n rows; loss[i] is the loss iteration i·lossEvery descended on. */
  trainFullBatch(X: Float64Array, T: Float64Array, n: number, options: FullBatchOptions): History {
    const { iterations, lr, order = this.net.config.update, lossEvery = 1 } = options;
    this.checkBatch(n);
    const loss = this.impl.trainFullBatch(X, T, n, iterations, lr, order, lossEvery);
    return { loss };
  }

  /** Per-sample SGD: one step per sample, epochs over the n rows; loss[e] sums the epoch's sample losses. */
  trainSGD(X: Float64Array, T: Float64Array, n: number, options: SgdOptions): History {
    const { epochs, lr, order = this.net.config.update, sampleOrder, epochLoss = 'before_step' } = options;
    const loss = this.impl.trainSGD(X, T, n, epochs, lr, order, sampleOrder, epochLoss);
    return { loss };
  }

  /** Outputs for all n rows, in batches of at most maxBatch. */
  predict(X: Float64Array, n: number): Float64Array {
    return this.impl.predict(X, n);
  }

  /** Weighted sums of layer l from the last forward pass (a view). */
  preactivations(l: number): Float64Array {
    return this.impl.preactivations(l);
  }

  /** The gradients of the last step in the network's `params` order. */
  flatGradients(): Float64Array {
    return Float64Array.from(this.net.params, (p) => (p.kind === 'weight' ? this.gW : this.gb)[p.layer - 1][p.offset]);
  }

  private checkBatch(count: number): void {
    if (count > this.maxBatch) throw new RangeError(`a batch of ${count} rows exceeds this trainer's ${this.maxBatch}`);
  }
}

// 'auto': the kernel wherever it can train the network, its calls in sequential order on the loops.
function backendFor(net: Network, maxBatch: number, name: BackendName): Backend {
  if (name === 'js') return new JsBackend(net, maxBatch);
  const unavailable = net2Unavailable(net) ?? (name === 'wasm' && net.config.update === 'sequential' ? 'updates simultaneously, and this network updates sequentially' : undefined);
  if (unavailable === undefined) return new WasmBackend(net, maxBatch, name === 'auto');
  if (name === 'wasm') throw new RangeError(`backend 'wasm' cannot train this network: the one-hidden-layer kernel ${unavailable}`);
  return new JsBackend(net, maxBatch);
}
