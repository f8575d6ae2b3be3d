// The vectorised trainer: the same network in matrix form on Float64Array, batched forward and
// backward passes, full-batch gradient descent and per-sample SGD. It checks the tracer on
// every number and does the long training runs, so its hot loop allocates nothing and calls
// nothing polymorphic: each activation has its own loop. Networks with one hidden layer, updated
// simultaneously, run on a fused WebAssembly kernel instead (src/kernels/net2.wat), where the
// platform has one; the loops here serve every other case.
import { isSquared, sampleLoss, squaredCoefficient } from './losses.ts';
import type { Network } from './network.ts';
import { fastTanh, sigmoid, softmaxInto } from './numerics.ts';
import type { UpdateOrder } from './spec.ts';
import { AFTER_UPDATE, FORWARD, GRADIENTS, GRADIENTS_1, GRADIENTS_2, LOSS, Net2Kernel, UPDATE, UPDATE_AND_FORWARD, WEIGHTED_SUMS_1, WEIGHTED_SUMS_2 } from './kernels/net2.ts';

/** A NaN or an infinity, caught where it first appeared. */
export class DivergenceError extends Error {
  constructor(readonly iteration: number, readonly layer: number, readonly quantity: 'weighted sums' | 'gradients' | 'loss') {
    const what = quantity === 'loss' ? `the loss (from the outputs of layer ${layer})` : `the ${quantity} of layer ${layer}`;
    super(`training diverged at iteration ${iteration}: ${what} became NaN or infinite (try a smaller learning rate)`);
  }
}

export interface Snapshot {
  iteration: number;
  loss: number;
  /** parameters in the network's `params` order, before this iteration's update */
  params: Float64Array;
}

export interface History {
  /** loss[i]: the loss of iteration (or epoch) i, measured as the run defines */
  loss: Float64Array;
  snapshots: Snapshot[];
  /** outputs for every sample after training, row-major n × K */
  predictions: Float64Array;
}

export interface Progress {
  done: number;
  total: number;
  loss: number;
}

export interface FullBatchOptions {
  iterations: number;
  lr: number;
  order?: UpdateOrder;
  /** measure the loss every this many iterations (default 1); loss[i] is iteration i·lossEvery */
  lossEvery?: number;
  /** keep a snapshot every this many iterations */
  snapshotEvery?: number;
  onProgress?: (p: Progress) => void;
  /** how often onProgress is called, in iterations */
  progressEvery?: number;
}

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
  epochLoss?: 'after_step' | 'before_step';
  snapshotEvery?: number;
  onProgress?: (p: Progress) => void;
}

const ACT_SIGMOID = 0, ACT_TANH = 1, ACT_RELU = 2, ACT_IDENTITY = 3, ACT_SOFTMAX = 4;
const ACT_CODE = { sigmoid: ACT_SIGMOID, tanh: ACT_TANH, relu: ACT_RELU, identity: ACT_IDENTITY, softmax: ACT_SOFTMAX } as const;

export class Trainer {
  readonly gW: Float64Array[];
  readonly gb: Float64Array[];
  private readonly sizes: readonly number[];
  private readonly act: Uint8Array;
  private readonly Z: Float64Array[];
  private readonly A: Float64Array[];
  private readonly D: Float64Array[];
  /** the iteration the divergence checks report */
  private iteration = 0;
  /**
   * The fused kernel, when the network has one hidden layer and the platform runs it. It trains
   * a copy of the parameters: pulled in when a call starts, pushed back before any callback
   * and when the call ends.
   */
  private readonly kernel: Net2Kernel | undefined;

  constructor(readonly net: Network, readonly maxBatch: number) {
    this.sizes = net.sizes;
    this.act = Uint8Array.from(net.config.activations, (a) => ACT_CODE[a]);
    const kernel = (this.kernel = Net2Kernel.for(net, maxBatch));
    // With the kernel, the rows and gradients are views of its memory: the loops below work on
    // them just the same (for sequential updates, which the kernel does not do).
    const rows = () => this.sizes.slice(1).map((width) => new Float64Array(maxBatch * width));
    this.Z = kernel ? [kernel.Z1, kernel.Z2] : rows();
    this.A = kernel ? [kernel.A1, kernel.A2] : rows();
    this.D = rows();
    this.gW = kernel ? kernel.gW : net.W.map((w) => new Float64Array(w.length));
    this.gb = kernel ? kernel.gb : net.b.map((b) => new Float64Array(b.length));
  }

  /** Outputs of rows [start, start+count) of X (row-major, n × n0), as a view valid until the next call. */
  forward(X: Float64Array, start: number, count: number): Float64Array {
    this.kernel?.pull();
    return this.forwardWith(this.kernel, X, start, count);
  }

  private forwardWith(kernel: Net2Kernel | undefined, X: Float64Array, start: number, count: number): Float64Array {
    if (kernel) {
      this.stage(kernel, X, undefined, start, count);
      const status = kernel.run(count, FORWARD);
      if (status !== 0) throw this.divergence(status);
      return kernel.A2;
    }
    const sizes = this.sizes;
    const L = sizes.length - 1;
    for (let l = 1; l <= L; l++) {
      const rows = sizes[l], cols = sizes[l - 1];
      const input = l === 1 ? X : this.A[l - 2];
      const inOff = l === 1 ? start * cols : 0;
      const W = this.net.W[l - 1], b = this.net.b[l - 1];
      const Z = this.Z[l - 1], A = this.A[l - 1];
      const shared = b.length === 1, none = b.length === 0;
      let check = 0;
      for (let s = 0; s < count; s++) {
        const xo = inOff + s * cols, zo = s * rows;
        for (let j = 0; j < rows; j++) {
          let acc = none ? 0 : shared ? b[0] : b[j];
          const wo = j * cols;
          for (let k = 0; k < cols; k++) acc += W[wo + k] * input[xo + k];
          Z[zo + j] = acc;
          check += acc;
        }
      }
      if (!Number.isFinite(check)) throw new DivergenceError(this.iteration, l, 'weighted sums');
      const n = count * rows;
      switch (this.act[l - 1]) {
        case ACT_SIGMOID: for (let i = 0; i < n; i++) A[i] = sigmoid(Z[i]); break;
        case ACT_TANH: for (let i = 0; i < n; i++) A[i] = fastTanh(Z[i]); break;
        case ACT_RELU: for (let i = 0; i < n; i++) A[i] = Z[i] > 0 ? Z[i] : 0; break;
        case ACT_IDENTITY: A.set(Z.subarray(0, n)); break;
        case ACT_SOFTMAX: for (let s = 0; s < count; s++) softmaxInto(Z, A, s * rows, rows); break;
      }
    }
    return this.A[L - 1];
  }

  /** The loss of rows [start, start+count) with the current weights (reduction and penalty included). */
  loss(X: Float64Array, T: Float64Array, start: number, count: number): number {
    this.kernel?.pull();
    return this.lossWith(this.kernel, X, T, start, count);
  }

  private lossWith(kernel: Net2Kernel | undefined, X: Float64Array, T: Float64Array, start: number, count: number): number {
    this.forwardWith(kernel, X, start, count);
    return this.lossOfLastForward(T, start, count);
  }

  private lossOfLastForward(T: Float64Array, start: number, count: number): number {
    const { config } = this.net;
    const L = this.sizes.length - 1, K = this.sizes[L];
    const Z = this.Z[L - 1], A = this.A[L - 1];
    let e = 0;
    for (let s = 0; s < count; s++) e += sampleLoss(config.loss, Z, s * K, A, s * K, T, (start + s) * K, K);
    if (config.reduction === 'mean') e /= count;
    if (config.l2 > 0) {
      let sq = 0;
      if (this.kernel?.ahead) sq = this.kernel.squaredWeights();
      else for (const W of this.net.W) for (let i = 0; i < W.length; i++) sq += W[i] * W[i];
      e += (config.l2 / 2) * sq;
    }
    if (!Number.isFinite(e)) throw new DivergenceError(this.iteration, L, 'loss');
    return e;
  }

  /**
   * Gradients of the loss over rows [start, start+count) into gW/gb, and, when lr is given,
   * the update: simultaneous after all layers, or sequential, each layer as soon as its
   * gradient is known so the layers below see its new weights. Returns the loss before the
   * update, or NaN when `measure` is false (the loss costs a log per sample).
   */
  step(X: Float64Array, T: Float64Array, start: number, count: number, lr?: number, order: UpdateOrder = 'simultaneous', measure = true): number {
    const kernel = this.kernelFor(order);
    if (!kernel) return this.stepLoops(X, T, start, count, lr, order, measure);
    kernel.pull();
    try {
      this.stage(kernel, X, T, start, count);
      return this.stepKernel(kernel, T, start, count, lr, measure);
    } finally {
      kernel.push();
    }
  }

  /** Copies rows into the kernel's memory (with T, for a step). */
  private stage(kernel: Net2Kernel, X: Float64Array, T: Float64Array | undefined, start: number, count: number): void {
    if (count > this.maxBatch) throw new RangeError(`a batch of ${count} rows exceeds this trainer's ${this.maxBatch}`);
    kernel.stage(X, T, start, count);
  }

  private kernelFor(order: UpdateOrder): Net2Kernel | undefined {
    return order === 'simultaneous' ? this.kernel : undefined;
  }

  /**
   * The step on the kernel, on the staged rows from `row` on, with the checks in the order of the
   * loops' step. With `forwardAgain` (an update, the loss not measured) the kernel then runs the
   * forward pass again, as the loss after a step of per-sample SGD needs, in the same call.
   */
  private stepKernel(kernel: Net2Kernel, T: Float64Array, start: number, count: number, lr: number | undefined, measure: boolean, forwardAgain = false, row = 0): number {
    // The kernel updates at once unless the loss, measured after it returns, must be checked first.
    const mode = lr === undefined || measure ? GRADIENTS : forwardAgain ? UPDATE_AND_FORWARD : UPDATE;
    const status = kernel.run(count, mode, lr, row);
    if (status === WEIGHTED_SUMS_1 || status === WEIGHTED_SUMS_2) throw this.divergence(status);
    const loss = measure ? this.lossOfLastForward(T, start, count) : NaN;
    if (status !== 0) throw this.divergence(status);
    if (lr !== undefined && measure) kernel.update(lr);
    return loss;
  }

  /** The error for a kernel status. */
  private divergence(status: number): DivergenceError {
    if (status === GRADIENTS_2 || status === GRADIENTS_1) return new DivergenceError(this.iteration, status === GRADIENTS_2 ? 2 : 1, 'gradients');
    if (status === LOSS) return new DivergenceError(this.iteration, 2, 'loss');
    return new DivergenceError(this.iteration, status > AFTER_UPDATE ? status - AFTER_UPDATE : status, 'weighted sums');
  }

  private stepLoops(X: Float64Array, T: Float64Array, start: number, count: number, lr: number | undefined, order: UpdateOrder, measure: boolean): number {
    this.forwardWith(undefined, X, start, count);
    const loss = measure ? this.lossOfLastForward(T, start, count) : NaN;
    this.outputDelta(T, start, count);
    const sizes = this.sizes;
    const L = sizes.length - 1;
    const { W: Ws, config } = this.net;
    const sequential = lr !== undefined && order === 'sequential';
    for (let l = L; l >= 1; l--) {
      const rows = sizes[l], cols = sizes[l - 1];
      const input = l === 1 ? X : this.A[l - 2];
      const inOff = l === 1 ? start * cols : 0;
      const D = this.D[l - 1], W = Ws[l - 1];
      const gW = this.gW[l - 1], gb = this.gb[l - 1];
      // One accumulator per weight, summed over the samples in order: no zero-fill, and the
      // same additions in the same order as accumulating sample by sample.
      for (let j = 0; j < rows; j++) {
        for (let k = 0; k < cols; k++) {
          let acc = 0;
          for (let s = 0; s < count; s++) acc += D[s * rows + j] * input[inOff + s * cols + k];
          gW[j * cols + k] = acc;
        }
      }
      if (gb.length === rows) {
        for (let j = 0; j < rows; j++) {
          let acc = 0;
          for (let s = 0; s < count; s++) acc += D[s * rows + j];
          gb[j] = acc;
        }
      } else if (gb.length === 1) {
        let acc = 0;
        for (let i = 0; i < count * rows; i++) acc += D[i];
        gb[0] = acc;
      }
      if (config.l2 > 0) for (let i = 0; i < W.length; i++) gW[i] += config.l2 * W[i];
      let check = 0;
      for (let i = 0; i < gW.length; i++) check += gW[i];
      for (let i = 0; i < gb.length; i++) check += gb[i];
      if (!Number.isFinite(check)) throw new DivergenceError(this.iteration, l, 'gradients');
      if (sequential) this.update(l, lr);
      if (l > 1) this.backDelta(l, count);
    }
    if (lr !== undefined && !sequential) for (let l = 1; l <= L; l++) this.update(l, lr);
    return loss;
  }

  private update(l: number, lr: number): void {
    const W = this.net.W[l - 1], b = this.net.b[l - 1];
    const gW = this.gW[l - 1], gb = this.gb[l - 1];
    for (let i = 0; i < W.length; i++) W[i] -= lr * gW[i];
    for (let i = 0; i < b.length; i++) b[i] -= lr * gb[i];
  }

  /** ∂E/∂z of the output layer, per sample, with the batch reduction folded in. */
  private outputDelta(T: Float64Array, start: number, count: number): void {
    const { config } = this.net;
    const L = this.sizes.length - 1, K = this.sizes[L];
    const A = this.A[L - 1], Z = this.Z[L - 1], D = this.D[L - 1];
    const r = config.reduction === 'mean' ? 1 / count : 1;
    const act = this.act[L - 1];
    if (!isSquared(config.loss)) {
      // Cross-entropy from the logits: (Σt)·a - t, which is a - t for one-hot or single targets.
      const softmax = config.loss === 'softmax_ce';
      for (let s = 0; s < count; s++) {
        const o = s * K, to = (start + s) * K;
        let tSum = 1;
        if (softmax) {
          tSum = 0;
          for (let k = 0; k < K; k++) tSum += T[to + k];
        }
        for (let k = 0; k < K; k++) D[o + k] = r * (tSum * A[o + k] - T[to + k]);
      }
      return;
    }
    const c2 = 2 * squaredCoefficient(config.loss, K) * r;
    for (let s = 0; s < count; s++) {
      const o = s * K, to = (start + s) * K;
      if (act === ACT_SOFTMAX) {
        // dE/dz_j = a_j (g_j - Σ_k g_k a_k) for the softmax Jacobian.
        let dot = 0;
        for (let k = 0; k < K; k++) dot += c2 * (A[o + k] - T[to + k]) * A[o + k];
        for (let j = 0; j < K; j++) D[o + j] = A[o + j] * (c2 * (A[o + j] - T[to + j]) - dot);
      } else {
        for (let k = 0; k < K; k++) D[o + k] = c2 * (A[o + k] - T[to + k]) * derivative(act, A[o + k], Z[o + k]);
      }
    }
  }

  /** δ of layer l-1 from δ of layer l through W_l (as it is now) and f'_{l-1}. */
  private backDelta(l: number, count: number): void {
    const rows = this.sizes[l], cols = this.sizes[l - 1];
    const W = this.net.W[l - 1], D = this.D[l - 1], Dp = this.D[l - 2];
    const Ap = this.A[l - 2], Zp = this.Z[l - 2];
    const act = this.act[l - 2];
    for (let s = 0; s < count; s++) {
      const d0 = s * rows, p0 = s * cols;
      for (let k = 0; k < cols; k++) {
        let acc = 0;
        for (let j = 0; j < rows; j++) acc += W[j * cols + k] * D[d0 + j];
        Dp[p0 + k] = acc;
      }
    }
    const n = count * cols;
    switch (act) {
      case ACT_SIGMOID: for (let i = 0; i < n; i++) Dp[i] *= Ap[i] * (1 - Ap[i]); break;
      case ACT_TANH: for (let i = 0; i < n; i++) Dp[i] *= 1 - Ap[i] * Ap[i]; break;
      case ACT_RELU: for (let i = 0; i < n; i++) if (!(Zp[i] > 0)) Dp[i] = 0; break;
      case ACT_IDENTITY: break;
    }
  }

  /** Full-batch gradient descent on all n rows; loss[i] is the loss iteration i·lossEvery descended on. */
  trainFullBatch(X: Float64Array, T: Float64Array, n: number, options: FullBatchOptions): History {
    const { iterations, lr, order = this.net.config.update, lossEvery = 1, snapshotEvery, onProgress } = options;
    const progressEvery = options.progressEvery ?? Math.max(1, Math.floor(iterations / 100));
    const loss = new Float64Array(Math.ceil(iterations / lossEvery));
    const snapshots: Snapshot[] = [];
    let last = NaN;
    const kernel = this.kernelFor(order);
    // The rows stay staged for the whole run: only a callback could change X or T meanwhile.
    if (kernel) {
      kernel.pull();
      this.stage(kernel, X, T, 0, n);
    }
    try {
      for (let i = 0; i < iterations; i++) {
        this.iteration = i;
        const snap = snapshotEvery !== undefined && i % snapshotEvery === 0;
        const measure = snap || i % lossEvery === 0;
        if (snap) kernel?.push();
        const params = snap ? this.net.flat() : undefined;
        const e = kernel ? this.stepKernel(kernel, T, 0, n, lr, measure) : this.stepLoops(X, T, 0, n, lr, order, measure);
        if (measure) last = e;
        if (i % lossEvery === 0) loss[i / lossEvery] = e;
        if (params) snapshots.push({ iteration: i, loss: e, params });
        if (onProgress && ((i + 1) % progressEvery === 0 || i + 1 === iterations)) {
          kernel?.push();
          onProgress({ done: i + 1, total: iterations, loss: last });
          if (kernel) {
            kernel.pull();
            this.stage(kernel, X, T, 0, n);
          }
        }
      }
    } finally {
      kernel?.push();
    }
    return { loss, snapshots, predictions: this.predict(X, n) };
  }

  /** Per-sample SGD: one step per sample, epochs over the n rows; loss[e] sums the epoch's sample losses. */
  trainSGD(X: Float64Array, T: Float64Array, n: number, options: SgdOptions): History {
    const { epochs, lr, order = this.net.config.update, sampleOrder, epochLoss = 'before_step', snapshotEvery, onProgress } = options;
    const loss = new Float64Array(epochs);
    const snapshots: Snapshot[] = [];
    const kernel = this.kernelFor(order);
    const after = epochLoss === 'after_step';
    const squaredLoss = isSquared(this.net.config.loss);
    // All rows staged at once when they fit, else each sample before its step.
    let staged = false;
    try {
      for (let e = 0; e < epochs; e++) {
        // The callbacks and snapshots see the network itself, so the kernel's copy is pushed first.
        kernel?.push();
        const rows = sampleOrder?.(e);
        if (snapshotEvery && e % snapshotEvery === 0) snapshots.push({ iteration: e, loss: NaN, params: this.net.flat() });
        if (kernel) {
          kernel.pull();
          // again after a callback, which may have changed X or T
          if (!staged || sampleOrder) staged = kernel.stageAll(X, T, n);
        }
        let sum = 0;
        if (kernel && staged && squaredLoss) {
          // the whole epoch in one call: the loss of a squared error needs no logarithm
          const status = kernel.epoch(rows, n, lr, after);
          this.iteration = e * n + kernel.stoppedAt;
          if (status !== 0) throw this.divergence(status);
          sum = kernel.epochLoss;
        } else {
          for (let i = 0; i < n; i++) {
            this.iteration = e * n + i;
            const r = rows ? rows[i] : i;
            if (kernel) {
              if (!staged) this.stage(kernel, X, T, r, 1);
              const before = this.stepKernel(kernel, T, r, 1, lr, !after, after, staged ? r : 0);
              sum += after ? this.lossOfLastForward(T, r, 1) : before;
            } else {
              const before = this.stepLoops(X, T, r, 1, lr, order, !after);
              sum += after ? this.lossWith(undefined, X, T, r, 1) : before;
            }
          }
        }
        loss[e] = sum;
        if (snapshotEvery && e % snapshotEvery === 0) snapshots[snapshots.length - 1].loss = sum;
        if (onProgress) {
          kernel?.push();
          onProgress({ done: e + 1, total: epochs, loss: sum });
          staged = false;
        }
      }
    } finally {
      kernel?.push();
    }
    return { loss, snapshots, predictions: this.predict(X, n) };
  }

  /** Outputs for all n rows, in batches of at most maxBatch. */
  predict(X: Float64Array, n: number): Float64Array {
    const K = this.sizes[this.sizes.length - 1];
    const out = new Float64Array(n * K);
    this.kernel?.pull();
    for (let start = 0; start < n; start += this.maxBatch) {
      const count = Math.min(this.maxBatch, n - start);
      out.set(this.forwardWith(this.kernel, X, start, count).subarray(0, count * K), start * K);
    }
    return out;
  }

  /** Weighted sums of layer l from the last forward pass (a view). */
  preactivations(l: number): Float64Array {
    return this.Z[l - 1];
  }

  /** The gradients of the last step in the network's `params` order. */
  flatGradients(): Float64Array {
    return Float64Array.from(this.net.params, (p) => (p.kind === 'weight' ? this.gW : this.gb)[p.layer - 1][p.offset]);
  }
}

function derivative(act: number, a: number, z: number): number {
  switch (act) {
    case ACT_SIGMOID: return a * (1 - a);
    case ACT_TANH: return 1 - a * a;
    case ACT_RELU: return z > 0 ? 1 : 0;
    default: return 1;
  }
}
