// The fused kernel for one hidden layer (net2.wat) bound to one trainer backend
// (src/trainer/wasm.ts): it lays out the kernel's memory, sets its globals, keeps a copy of the
// network's parameters there (W1 transposed, biases one per neuron), stages the samples, and
// gives the backend views of its rows and gradients.
import { squaredCoefficient, type LossName } from '../losses.ts';
import type { Network } from '../network.ts';
import { ACT_CODE, type DivergenceError } from '../trainer/shared.ts';
import { NET2_WASM } from './net2.wasm.ts';

/** The kernel's modes (see `run` in net2.wat). */
export const FORWARD = 0, GRADIENTS = 1, UPDATE = 2, UPDATE_AND_FORWARD = 3;

/** The statuses `run` and `epoch` return: OK, or where a NaN or an infinity appeared. */
export const OK = 0;
export const WEIGHTED_SUMS_1 = 1, WEIGHTED_SUMS_2 = 2, GRADIENTS_2 = 3, GRADIENTS_1 = 4;
/** the weighted sums of the forward pass after the update (mode UPDATE_AND_FORWARD) */
export const WEIGHTED_SUMS_1_AFTER_UPDATE = 5, WEIGHTED_SUMS_2_AFTER_UPDATE = 6;
/** an epoch's sample loss */
export const LOSS = 7;

/** Each failing status as the trainer reports it. */
export const DIVERGENCE: Readonly<Record<number, { layer: number; quantity: DivergenceError['quantity'] }>> = {
  [WEIGHTED_SUMS_1]: { layer: 1, quantity: 'weighted sums' },
  [WEIGHTED_SUMS_2]: { layer: 2, quantity: 'weighted sums' },
  [GRADIENTS_2]: { layer: 2, quantity: 'gradients' },
  [GRADIENTS_1]: { layer: 1, quantity: 'gradients' },
  [WEIGHTED_SUMS_1_AFTER_UPDATE]: { layer: 1, quantity: 'weighted sums' },
  [WEIGHTED_SUMS_2_AFTER_UPDATE]: { layer: 2, quantity: 'weighted sums' },
  [LOSS]: { layer: 2, quantity: 'loss' },
};

// The kernel's exported globals, declared once: this binding sets every setting and reads the
// results, and test/trainer.test.ts checks the lists against net2.wat's exports.
/** The buffers in the kernel's memory, in the order they are laid out; each global holds a byte offset. */
const BUFFERS = ['pW1', 'pB1', 'pW2', 'pB2', 'pZ1', 'pA1', 'pZ2', 'pA2', 'pD2', 'pG1', 'pGB1', 'pG2', 'pGB2', 'pgW1', 'pgb1', 'pgW2', 'pgb2', 'pX', 'pT', 'pOrder'] as const;
/** Shapes, codes and coefficients, set once per kernel. */
const CONSTANTS = ['n0', 'h', 'hp', 'K', 'nb1', 'nb2', 'act1', 'act2', 'lossKind', 'l2', 'c'] as const;
/** The batch reduction's factors, set when the batch size changes. */
const PER_BATCH = ['scale', 'c2'] as const;
export const KERNEL_SETTINGS = [...BUFFERS, ...CONSTANTS, ...PER_BATCH] as const;
/** What `epoch` leaves for this binding to read. */
export const KERNEL_RESULTS = ['epochLoss', 'stoppedAt'] as const;
export const KERNEL_FUNCTIONS = ['run', 'update', 'publish', 'epoch'] as const;

type BufferName = (typeof BUFFERS)[number];
type GlobalName = (typeof KERNEL_SETTINGS)[number] | (typeof KERNEL_RESULTS)[number];

interface Functions {
  run(row: number, count: number, mode: number, lr: number): number;
  update(lr: number): void;
  publish(): void;
  epoch(n: number, lr: number, after: number): number;
}

// Compiled once, synchronously (browsers allow that on the main thread for modules this small);
// without WebAssembly or its SIMD the trainer keeps its JavaScript loops.
const compiled = compile();

function compile(): WebAssembly.Module | undefined {
  try {
    return new WebAssembly.Module(Uint8Array.from(atob(NET2_WASM), (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/** Whether this platform runs the kernel: one-hidden-layer runs end at other last bits without it. */
export const net2Compiled = compiled !== undefined;

/** Why the kernel cannot train `net` here (a phrase after "the kernel"), or undefined when it can. */
export function net2Unavailable(net: Network): string | undefined {
  const { sizes, activations } = net.config;
  if (sizes.length !== 3) return `serves networks with one hidden layer, and this one has ${sizes.length - 2}`;
  if (activations[0] === 'softmax') return 'does not compute a softmax hidden layer';
  if (net.config.updates !== 'all') return 'moves every parameter, and this network keeps some fixed';
  if (net.config.outputGradient !== 'logits') return 'takes the cross-entropy\'s gradient from the logits only';
  if (!compiled) return 'needs WebAssembly with SIMD, which this platform does not compile';
  return undefined;
}

const LOSS_KIND: Record<LossName, number> = { squared: 0, half_squared: 0, mean_squared: 0, half_mean_squared: 0, bce: 1, softmax_ce: 2 };

export class Net2Kernel {
  /** rows of the last run: weighted sums and activations of layers 1 and 2, count × width */
  readonly Z1: Float64Array;
  readonly A1: Float64Array;
  readonly Z2: Float64Array;
  readonly A2: Float64Array;
  /** the last run's gradients in the network's layouts */
  readonly gW: Float64Array[];
  readonly gb: Float64Array[];
  private readonly functions: Functions;
  private readonly globals: Record<GlobalName, WebAssembly.Global>;
  private readonly X: Float64Array;
  private readonly T: Float64Array;
  private readonly order: Int32Array;
  private readonly W1: Float64Array;
  private readonly B1: Float64Array;
  private readonly W2: Float64Array;
  private readonly B2: Float64Array;
  private readonly n0: number;
  private readonly h: number;
  private readonly hp: number;
  private readonly K: number;
  /** rows of X and T the kernel's memory holds */
  private readonly capacity: number;
  private dirty = false;
  /** gW and gb are behind the kernel's accumulators (see `publish` in net2.wat) */
  private unpublished = false;
  private count = -1;

  /** The kernel for `net`, which net2Unavailable must have accepted (`module`: the tests' variants). */
  constructor(private readonly net: Network, maxBatch: number, module = compiled) {
    const unavailable = net2Unavailable(net);
    if (unavailable || !module) throw new RangeError(`the one-hidden-layer kernel ${unavailable}`);
    const [n0, h, K] = net.sizes;
    const hp = h + (h & 1);
    this.n0 = n0;
    this.h = h;
    this.hp = hp;
    this.K = K;
    const nb1 = net.b[0].length, nb2 = net.b[1].length;
    // Byte offsets, 16-byte aligned; `spare` buffers are written in pairs past their last element.
    const offsets = {} as Record<BufferName, number>;
    let top = 0;
    const place = (name: BufferName, doubles: number) => {
      offsets[name] = top;
      top += Math.ceil(doubles / 2) * 16;
    };
    const spare = 1;
    place('pW1', n0 * hp);
    place('pB1', hp);
    place('pW2', (K + (K & 1)) * hp); // an odd K gets a row of zeros
    place('pB2', K + spare);
    place('pZ1', maxBatch * h + spare);
    place('pA1', maxBatch * h + spare);
    place('pZ2', maxBatch * K + spare);
    place('pA2', maxBatch * K + spare);
    place('pD2', K + spare);
    place('pG1', n0 * hp);
    place('pGB1', hp);
    place('pG2', K * hp);
    place('pGB2', K + spare);
    // a padding lane lands past the end: one more row of gW1 (transposed), one more element else
    place('pgW1', (h + 1) * n0);
    place('pgb1', nb1 + spare);
    place('pgW2', K * h + spare);
    place('pgb2', nb2 + spare);
    // X, T and an order of their rows take the rest of the last page: a training run whose rows
    // fit stages them all once.
    const rowBytes = (n0 + K) * 8 + 4;
    const pages = Math.ceil((top + maxBatch * rowBytes + 48) / 65536);
    this.capacity = Math.floor((pages * 65536 - top - 48) / rowBytes);
    place('pX', this.capacity * n0);
    place('pT', this.capacity * K);
    place('pOrder', this.capacity / 2);
    const memory = new WebAssembly.Memory({ initial: pages });
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
    this.functions = bindFunctions(exports);
    this.globals = bindGlobals(exports);
    const { config } = net;
    const constants: Record<(typeof CONSTANTS)[number], number> = {
      n0, h, hp, K, nb1, nb2,
      act1: ACT_CODE[config.activations[0]], act2: ACT_CODE[config.activations[1]],
      lossKind: LOSS_KIND[config.loss], l2: config.l2, c: LOSS_KIND[config.loss] === 0 ? squaredCoefficient(config.loss, K) : 0,
    };
    for (const name of BUFFERS) this.globals[name].value = offsets[name];
    for (const name of CONSTANTS) this.globals[name].value = constants[name];
    this.batchOf(maxBatch);
    const view = (name: BufferName, length: number) => new Float64Array(memory.buffer, offsets[name], length);
    this.X = view('pX', this.capacity * n0);
    this.T = view('pT', this.capacity * K);
    this.order = new Int32Array(memory.buffer, offsets.pOrder, this.capacity);
    this.W1 = view('pW1', n0 * hp);
    this.B1 = view('pB1', h);
    this.W2 = view('pW2', K * hp);
    this.B2 = view('pB2', K);
    this.Z1 = view('pZ1', maxBatch * h);
    this.A1 = view('pA1', maxBatch * h);
    this.Z2 = view('pZ2', maxBatch * K);
    this.A2 = view('pA2', maxBatch * K);
    this.gW = [view('pgW1', h * n0), view('pgW2', K * h)];
    this.gb = [view('pgb1', nb1), view('pgb2', nb2)];
  }

  /** Whether the copy here is newer than the network's (an update has not been pushed yet). */
  get ahead(): boolean {
    return this.dirty;
  }

  /** Copies the network's parameters in. */
  pull(): void {
    const { n0, h, hp, K } = this;
    const [W1, W2] = this.net.W, [b1, b2] = this.net.b;
    for (let j = 0; j < h; j++) for (let k = 0; k < n0; k++) this.W1[k * hp + j] = W1[j * n0 + k];
    for (let k = 0; k < K; k++) for (let j = 0; j < h; j++) this.W2[k * hp + j] = W2[k * h + j];
    expandBiases(b1, this.B1);
    expandBiases(b2, this.B2);
    this.dirty = false;
  }

  /** Copies the parameters back into the network if an update changed them, and brings gW and gb up to date. */
  push(): void {
    if (this.unpublished) this.functions.publish();
    this.unpublished = false;
    if (!this.dirty) return;
    const { n0, h, hp, K } = this;
    const [W1, W2] = this.net.W, [b1, b2] = this.net.b;
    for (let j = 0; j < h; j++) for (let k = 0; k < n0; k++) W1[j * n0 + k] = this.W1[k * hp + j];
    for (let k = 0; k < K; k++) for (let j = 0; j < h; j++) W2[k * h + j] = this.W2[k * hp + j];
    for (let i = 0; i < b1.length; i++) b1[i] = this.B1[i];
    for (let i = 0; i < b2.length; i++) b2[i] = this.B2[i];
    this.dirty = false;
  }

  /** Copies all n rows of X and T in, if they fit; then `run` takes them by their row number. */
  stageAll(X: Float64Array, T: Float64Array, n: number): boolean {
    if (n > this.capacity) return false;
    this.stage(X, T, 0, n);
    return true;
  }

  /** Copies rows [start, start+count) of X (and of T, for the gradients) in, as rows 0… */
  stage(X: Float64Array, T: Float64Array | undefined, start: number, count: number): void {
    const { n0, K } = this;
    // Element by element: a subarray per call would cost more than these few copies.
    for (let i = 0, o = start * n0; i < count * n0; i++) this.X[i] = X[o + i];
    if (T) for (let i = 0, o = start * K; i < count * K; i++) this.T[i] = T[o + i];
  }

  /** Runs the kernel on `count` staged rows from `row` on; returns its status (OK when every check passed). */
  run(count: number, mode: number, lr = 0, row = 0): number {
    if (mode !== FORWARD) this.batchOf(count);
    const status = this.functions.run(row, count, mode, lr);
    // The backward pass ran unless the forward pass failed its checks; the update was applied
    // unless a check before it failed.
    if (mode !== FORWARD && status !== WEIGHTED_SUMS_1 && status !== WEIGHTED_SUMS_2) this.unpublished = true;
    if (mode >= UPDATE && (status === OK || status === WEIGHTED_SUMS_1_AFTER_UPDATE || status === WEIGHTED_SUMS_2_AFTER_UPDATE)) this.dirty = true;
    return status;
  }

  /**
   * An epoch of per-sample SGD on the rows staged by stageAll, in the order `rows` (data order
   * when absent), for a squared loss; see `epoch` in net2.wat. Returns its status.
   */
  epoch(rows: ArrayLike<number> | undefined, n: number, lr: number, after: boolean): number {
    this.batchOf(1);
    for (let i = 0; i < n; i++) this.order[i] = rows ? rows[i] : i;
    const status = this.functions.epoch(n, lr, after ? 1 : 0);
    // every step before a failing one was applied, and so were its gradients
    this.dirty = true;
    this.unpublished = true;
    return status;
  }

  /** The last epoch's sum of sample losses. */
  get epochLoss(): number {
    return this.globals.epochLoss.value;
  }

  /** The position in the last epoch's order where a check failed. */
  get stoppedAt(): number {
    return this.globals.stoppedAt.value;
  }

  /** Sets the batch reduction's factors for batches of `count` rows. */
  private batchOf(count: number): void {
    if (count === this.count) return;
    const { config } = this.net;
    const scale = config.reduction === 'mean' ? 1 / count : 1;
    this.globals.scale.value = scale;
    this.globals.c2.value = LOSS_KIND[config.loss] === 0 ? 2 * squaredCoefficient(config.loss, this.K) * scale : 0;
    this.count = count;
  }

  /** The update from the last run's gradients. */
  update(lr: number): void {
    this.functions.update(lr);
    this.dirty = true;
  }

  /** Σw² over both layers' weights, for the L2 penalty. */
  squaredWeights(): number {
    let sq = 0;
    for (const W of [this.W1, this.W2]) for (let i = 0; i < W.length; i++) sq += W[i] * W[i];
    return sq;
  }
}

/** The kernel's functions; a missing one is an error here rather than at its first call. */
function bindFunctions(exports: WebAssembly.Exports): Functions {
  for (const name of KERNEL_FUNCTIONS) {
    if (typeof exports[name] !== 'function') throw new Error(`net2.wasm exports no function ${name}`);
  }
  return exports as unknown as Functions;
}

/** The declared globals of the kernel; a missing one is an error, not a new property. */
function bindGlobals(exports: WebAssembly.Exports): Record<GlobalName, WebAssembly.Global> {
  const globals = {} as Record<GlobalName, WebAssembly.Global>;
  for (const name of [...KERNEL_SETTINGS, ...KERNEL_RESULTS]) {
    const global = exports[name];
    if (!(global instanceof WebAssembly.Global)) throw new Error(`net2.wasm exports no global ${name}`);
    globals[name] = global;
  }
  return globals;
}

/** Biases one per neuron: as given, the shared one repeated, or zeros. */
function expandBiases(b: Float64Array, into: Float64Array): void {
  for (let j = 0; j < into.length; j++) into[j] = b.length === into.length ? b[j] : b.length === 1 ? b[0] : 0;
}
