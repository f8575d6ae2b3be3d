// The trainer's JavaScript backend: batched forward and backward passes over Float64Array
// rows, for any number of layers and either update order. The hot loops allocate nothing and
// call nothing polymorphic: each activation has its own loop.
import { isSquared, squaredCoefficient } from '../losses.ts';
import type { Network } from '../network.ts';
import { fastTanh, sigmoid, softmaxInto } from '../numerics.ts';
import type { UpdateOrder } from '../spec.ts';
import { ACT_CODE, ACT_IDENTITY, ACT_RELU, ACT_SIGMOID, ACT_SOFTMAX, ACT_TANH, type Backend, dataLoss, DivergenceError, type EpochLoss, type SgdOptions } from './shared.ts';

/** Rows and gradients to work in instead of fresh arrays (the kernel's, when this serves its sequential steps). */
export interface JsBuffers {
  /** Z[l-1], A[l-1]: layer l's weighted sums and activations, maxBatch × width */
  Z: Float64Array[];
  A: Float64Array[];
  gW: Float64Array[];
  gb: Float64Array[];
}

export class JsBackend implements Backend {
  readonly name = 'js';
  readonly gW: Float64Array[];
  readonly gb: Float64Array[];
  private readonly sizes: readonly number[];
  private readonly act: Uint8Array;
  private readonly Z: Float64Array[];
  private readonly A: Float64Array[];
  /** D[l-1]: ∂E/∂z of layer l, per sample */
  private readonly D: Float64Array[];
  /** the iteration the divergence checks report */
  private iteration = 0;

  /** which weights and biases a step moves, where the network keeps some fixed */
  private readonly movesW?: Uint8Array[];
  private readonly movesB?: Uint8Array[];

  constructor(private readonly net: Network, private readonly maxBatch: number, buffers?: JsBuffers) {
    this.sizes = net.sizes;
    this.act = Uint8Array.from(net.config.activations, (a) => ACT_CODE[a]);
    const rows = () => this.sizes.slice(1).map((width) => new Float64Array(this.maxBatch * width));
    this.Z = buffers ? buffers.Z : rows();
    this.A = buffers ? buffers.A : rows();
    this.D = rows();
    this.gW = buffers ? buffers.gW : net.W.map((w) => new Float64Array(w.length));
    this.gb = buffers ? buffers.gb : net.b.map((b) => new Float64Array(b.length));
    if (net.config.updates !== 'all') {
      // Masks in the layers' layouts, for a network whose step keeps some parameters fixed.
      this.movesW = net.W.map((w) => new Uint8Array(w.length));
      this.movesB = net.b.map((b) => new Uint8Array(b.length));
      net.params.forEach((p, i) => ((p.kind === 'weight' ? this.movesW! : this.movesB!)[p.layer - 1][p.offset] = net.moves[i]));
    }
  }

  forward(X: Float64Array, start: number, count: number): Float64Array {
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

  loss(X: Float64Array, T: Float64Array, start: number, count: number): number {
    this.forward(X, start, count);
    return this.lossOfLastForward(T, start, count);
  }

  private lossOfLastForward(T: Float64Array, start: number, count: number): number {
    const { config } = this.net;
    const L = this.sizes.length - 1;
    let e = dataLoss(this.net, this.Z[L - 1], this.A[L - 1], T, start, count);
    if (config.l2 > 0) {
      let sq = 0;
      for (const W of this.net.W) for (let i = 0; i < W.length; i++) sq += W[i] * W[i];
      e += (config.l2 / 2) * sq;
    }
    if (!Number.isFinite(e)) throw new DivergenceError(this.iteration, L, 'loss');
    return e;
  }

  step(X: Float64Array, T: Float64Array, start: number, count: number, lr: number | undefined, order: UpdateOrder, measure: boolean): number {
    this.forward(X, start, count);
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
    if (this.movesW) {
      const mW = this.movesW[l - 1], mB = this.movesB![l - 1];
      for (let i = 0; i < W.length; i++) if (mW[i]) W[i] -= lr * gW[i];
      for (let i = 0; i < b.length; i++) if (mB[i]) b[i] -= lr * gb[i];
      return;
    }
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
    if (config.outputGradient === 'outputs') {
      // Seed 003's code: ∂E/∂a = −(t/a − (1−t)/(1−a)), then times σ'(z) = a(1−a); ∞·0 = NaN at a = 0 or 1.
      for (let s = 0; s < count; s++) {
        const o = s * K, to = (start + s) * K;
        for (let k = 0; k < K; k++) {
          const a = A[o + k], t = T[to + k];
          D[o + k] = r * -(t / a - (1 - t) / (1 - a)) * (a * (1 - a));
        }
      }
      return;
    }
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

  trainFullBatch(X: Float64Array, T: Float64Array, n: number, iterations: number, lr: number, order: UpdateOrder, lossEvery: number): Float64Array {
    const loss = new Float64Array(Math.ceil(iterations / lossEvery));
    for (let i = 0; i < iterations; i++) {
      this.iteration = i;
      const measure = i % lossEvery === 0;
      const e = this.step(X, T, 0, n, lr, order, measure);
      if (measure) loss[i / lossEvery] = e;
    }
    return loss;
  }

  trainSGD(X: Float64Array, T: Float64Array, n: number, epochs: number, lr: number, order: UpdateOrder, sampleOrder: SgdOptions['sampleOrder'], epochLoss: EpochLoss): Float64Array {
    const loss = new Float64Array(epochs);
    const after = epochLoss === 'after_step';
    for (let e = 0; e < epochs; e++) {
      const rows = sampleOrder?.(e);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        this.iteration = e * n + i;
        const r = rows ? rows[i] : i;
        const before = this.step(X, T, r, 1, lr, order, !after);
        sum += after ? this.loss(X, T, r, 1) : before;
      }
      loss[e] = sum;
    }
    return loss;
  }

  predict(X: Float64Array, n: number): Float64Array {
    const { maxBatch } = this;
    const K = this.sizes[this.sizes.length - 1];
    const out = new Float64Array(n * K);
    for (let start = 0; start < n; start += maxBatch) {
      const count = Math.min(maxBatch, n - start);
      out.set(this.forward(X, start, count).subarray(0, count * K), start * K);
    }
    return out;
  }

  preactivations(l: number): Float64Array {
    return this.Z[l - 1];
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
