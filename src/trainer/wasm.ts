// The trainer's WebAssembly backend: networks with one hidden layer on the fused SIMD kernel
// (src/kernels/net2.wat), updated simultaneously; calls in sequential order go to the loops
// (for 'auto') or throw (for 'wasm'). The kernel trains a copy of the parameters: pulled in
// when a call starts, pushed back into the network when it ends.
import { isSquared } from '../losses.ts';
import type { Network } from '../network.ts';
import type { UpdateOrder } from '../spec.ts';
import { DIVERGENCE, FORWARD, GRADIENTS, Net2Kernel, OK, UPDATE, UPDATE_AND_FORWARD, WEIGHTED_SUMS_1, WEIGHTED_SUMS_2 } from '../kernels/net2.ts';
import { JsBackend } from './js.ts';
import { type Backend, dataLoss, DivergenceError, type EpochLoss, type SgdOptions } from './shared.ts';

export class WasmBackend implements Backend {
  readonly name = 'wasm';
  readonly gW: Float64Array[];
  readonly gb: Float64Array[];
  private readonly kernel: Net2Kernel;
  /** the loops for sequential updates, on the kernel's rows and gradients; none: those calls throw */
  private readonly sequential: JsBackend | undefined;
  /** the iteration the divergence checks report */
  private iteration = 0;

  constructor(private readonly net: Network, private readonly maxBatch: number, sequentialOnLoops: boolean) {
    const kernel = (this.kernel = new Net2Kernel(net, maxBatch));
    this.gW = kernel.gW;
    this.gb = kernel.gb;
    this.sequential = sequentialOnLoops ? new JsBackend(net, maxBatch, { Z: [kernel.Z1, kernel.Z2], A: [kernel.A1, kernel.A2], gW: kernel.gW, gb: kernel.gb }) : undefined;
  }

  /** The loops, for a call in sequential order. */
  private loops(): JsBackend {
    if (!this.sequential) throw new RangeError("backend 'wasm' updates simultaneously: a sequential update needs backend 'js' or 'auto'");
    return this.sequential;
  }

  forward(X: Float64Array, start: number, count: number): Float64Array {
    this.kernel.pull();
    return this.stageAndForward(X, start, count);
  }

  private stageAndForward(X: Float64Array, start: number, count: number): Float64Array {
    const { kernel } = this;
    kernel.stage(X, undefined, start, count);
    const status = kernel.run(count, FORWARD);
    if (status !== OK) throw this.divergence(status);
    return kernel.A2;
  }

  loss(X: Float64Array, T: Float64Array, start: number, count: number): number {
    this.kernel.pull();
    this.stageAndForward(X, start, count);
    return this.lossOfLastForward(T, start, count);
  }

  private lossOfLastForward(T: Float64Array, start: number, count: number): number {
    const { config } = this.net;
    const { kernel } = this;
    let e = dataLoss(this.net, kernel.Z2, kernel.A2, T, start, count);
    if (config.l2 > 0) {
      // from the kernel's copy once an update has made it the newer one (summed in its layout)
      let sq = 0;
      if (kernel.ahead) sq = kernel.squaredWeights();
      else for (const W of this.net.W) for (let i = 0; i < W.length; i++) sq += W[i] * W[i];
      e += (config.l2 / 2) * sq;
    }
    if (!Number.isFinite(e)) throw new DivergenceError(this.iteration, 2, 'loss');
    return e;
  }

  step(X: Float64Array, T: Float64Array, start: number, count: number, lr: number | undefined, order: UpdateOrder, measure: boolean): number {
    if (order === 'sequential') return this.loops().step(X, T, start, count, lr, order, measure);
    const { kernel } = this;
    kernel.pull();
    try {
      kernel.stage(X, T, start, count);
      return this.stepStaged(T, start, count, lr, measure);
    } finally {
      kernel.push();
    }
  }

  /**
   * The step on the staged rows from `row` on, with the checks in the order of the loops' step.
   * With `forwardAgain` (an update, the loss not measured) the kernel then runs the forward pass
   * again, as the loss after a step of per-sample SGD needs, in the same call.
   */
  private stepStaged(T: Float64Array, start: number, count: number, lr: number | undefined, measure: boolean, forwardAgain = false, row = 0): number {
    const { kernel } = this;
    // The kernel updates at once unless the loss, measured after it returns, must be checked first.
    const mode = lr === undefined || measure ? GRADIENTS : forwardAgain ? UPDATE_AND_FORWARD : UPDATE;
    const status = kernel.run(count, mode, lr, row);
    if (status === WEIGHTED_SUMS_1 || status === WEIGHTED_SUMS_2) throw this.divergence(status);
    const loss = measure ? this.lossOfLastForward(T, start, count) : NaN;
    if (status !== OK) throw this.divergence(status);
    if (lr !== undefined && measure) kernel.update(lr);
    return loss;
  }

  private divergence(status: number): DivergenceError {
    const { layer, quantity } = DIVERGENCE[status];
    return new DivergenceError(this.iteration, layer, quantity);
  }

  trainFullBatch(X: Float64Array, T: Float64Array, n: number, iterations: number, lr: number, order: UpdateOrder, lossEvery: number): Float64Array {
    if (order === 'sequential') return this.loops().trainFullBatch(X, T, n, iterations, lr, order, lossEvery);
    const { kernel } = this;
    const loss = new Float64Array(Math.ceil(iterations / lossEvery));
    // The rows stay staged for the whole run.
    kernel.pull();
    kernel.stage(X, T, 0, n);
    try {
      for (let i = 0; i < iterations; i++) {
        this.iteration = i;
        const measure = i % lossEvery === 0;
        const e = this.stepStaged(T, 0, n, lr, measure);
        if (measure) loss[i / lossEvery] = e;
      }
    } finally {
      kernel.push();
    }
    return loss;
  }

  trainSGD(X: Float64Array, T: Float64Array, n: number, epochs: number, lr: number, order: UpdateOrder, sampleOrder: SgdOptions['sampleOrder'], epochLoss: EpochLoss): Float64Array {
    if (order === 'sequential') return this.loops().trainSGD(X, T, n, epochs, lr, order, sampleOrder, epochLoss);
    const { kernel } = this;
    const loss = new Float64Array(epochs);
    const after = epochLoss === 'after_step';
    const squaredLoss = isSquared(this.net.config.loss);
    // All rows staged at once when they fit, else each sample before its step.
    let staged = false;
    try {
      for (let e = 0; e < epochs; e++) {
        // sampleOrder is a callback: it sees the network itself, and may change X or T.
        kernel.push();
        const rows = sampleOrder?.(e);
        kernel.pull();
        if (!staged || sampleOrder) staged = kernel.stageAll(X, T, n);
        let sum = 0;
        if (staged && squaredLoss) {
          // the whole epoch in one call: the loss of a squared error needs no logarithm
          const status = kernel.epoch(rows, n, lr, after);
          this.iteration = e * n + kernel.stoppedAt;
          if (status !== OK) throw this.divergence(status);
          sum = kernel.epochLoss;
        } else {
          for (let i = 0; i < n; i++) {
            this.iteration = e * n + i;
            const r = rows ? rows[i] : i;
            if (!staged) kernel.stage(X, T, r, 1);
            const before = this.stepStaged(T, r, 1, lr, !after, after, staged ? r : 0);
            sum += after ? this.lossOfLastForward(T, r, 1) : before;
          }
        }
        loss[e] = sum;
      }
    } finally {
      kernel.push();
    }
    return loss;
  }

  predict(X: Float64Array, n: number): Float64Array {
    const { maxBatch } = this;
    const K = this.net.sizes[2];
    const out = new Float64Array(n * K);
    this.kernel.pull();
    for (let start = 0; start < n; start += maxBatch) {
      const count = Math.min(maxBatch, n - start);
      out.set(this.stageAndForward(X, start, count).subarray(0, count * K), start * K);
    }
    return out;
  }

  preactivations(l: number): Float64Array {
    return l === 1 ? this.kernel.Z1 : this.kernel.Z2;
  }
}
