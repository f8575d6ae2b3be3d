// The declarative model spec: plain data (a lesson's front matter holds it), checked once
// here and turned into a complete, defaulted configuration. Every complaint names the path
// of the offending field (`model.layers[2]`) so the lesson compiler can point at its line.
import { ACTIVATIONS, isActivation, type ActivationName } from './activations.ts';
import { isLoss, LOSSES, type LossName } from './losses.ts';
import { NAMING_SCHEMES, type NamingScheme } from './naming.ts';

export type BiasMode = 'none' | 'per_neuron' | 'shared';
export type UpdateOrder = 'simultaneous' | 'sequential';
export type Reduction = 'sum' | 'mean';

export interface InitSpec {
  /** numpy.random.seed(seed) */
  seed: number;
  /** rand: U[0,1) like numpy.random.rand; uniform: U[low,high); randn: N(0,1) */
  distribution: 'rand' | 'uniform' | 'randn';
  low?: number;
  high?: number;
  /** inv_sqrt_fan_in divides each draw by √(inputs of the layer), as seed 002 does */
  scale?: 'none' | 'inv_sqrt_fan_in';
  /** Draw order: target_major draws W as (receiving × sending), source_major as its transpose. */
  layout?: 'target_major' | 'source_major';
  /** zeros (the seeds' choice) or drawn right after the layer's weights */
  biases?: 'zeros' | 'draw';
}

export interface ModelSpec {
  /** [n0, n1, …, nL]: inputs, then each layer's neurons */
  layers: number[];
  /** One activation for every layer, or one per layer (L entries). */
  activation?: ActivationName | ActivationName[];
  /** The output layer's activation, overriding `activation`. */
  output?: ActivationName;
  loss: LossName;
  /** How a batch's per-sample losses combine. */
  reduction?: Reduction;
  /** λ of the penalty (λ/2)·Σ w² over the weights (not the biases). */
  l2?: number;
  bias?: BiasMode;
  naming?: NamingScheme;
  /** Explicit weights per layer, rows = receiving neuron, columns = sending neuron. */
  weights?: number[][][];
  /** Explicit biases per layer: one per neuron, or one number for a shared bias. */
  biases?: (number[] | number)[];
  /** Explicit values by parameter name (w1: 0.1, b3: 0.66, …); they win over weights/biases/init. */
  params?: Record<string, number>;
  init?: InitSpec;
  update?: UpdateOrder;
  /** which parameters a step moves: all of them, the weights only, or the ones named */
  updates?: Updates;
  /**
   * How the trainer takes bce's gradient at the output: from the logits, a − t (the default),
   * or as seed 003's code does, −(t/a − (1−t)/(1−a)) · a(1−a), which is NaN once a sigmoid
   * rounds to exactly 0 or 1.
   */
  output_gradient?: OutputGradient;
}

export type OutputGradient = 'logits' | 'outputs';

export type Updates = 'all' | 'weights' | string[];

export interface NetworkConfig {
  sizes: number[];
  /** activations[l-1] is layer l's */
  activations: ActivationName[];
  loss: LossName;
  reduction: Reduction;
  l2: number;
  bias: BiasMode;
  naming: NamingScheme;
  update: UpdateOrder;
  updates: Updates;
  outputGradient: OutputGradient;
  weights?: number[][][];
  biases?: (number[] | number)[];
  params: Record<string, number>;
  init?: Required<InitSpec>;
}

export class SpecError extends Error {
  /** `atKey`: the mistake is the field's name, not its value. */
  constructor(readonly path: string, readonly expected: string, readonly atKey = false) {
    super(`${path}: ${expected}`);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const describe = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

function oneOf<T extends string>(v: unknown, options: readonly T[], path: string, fallback: T): T {
  if (v === undefined) return fallback;
  if (typeof v === 'string' && (options as readonly string[]).includes(v)) return v as T;
  throw new SpecError(path, `expected one of ${options.join(', ')}, got ${describe(v)}`);
}

function finite(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SpecError(path, `expected a finite number, got ${describe(v)}`);
  return v;
}

/** The widest layer a lesson's network may have. */
export const MAX_LAYER = 10_000;

const KNOWN = ['layers', 'activation', 'output', 'loss', 'reduction', 'l2', 'bias', 'naming', 'weights', 'biases', 'params', 'init', 'update', 'updates', 'output_gradient'];

function checkUpdates(v: unknown, path: string): Updates {
  if (v === undefined || v === 'all' || v === 'weights') return v ?? 'all';
  if (!Array.isArray(v) || v.length === 0) throw new SpecError(path, `expected all, weights, or a list of parameter names like [w1, w5], got ${describe(v)}`);
  return v.map((name, i) => (typeof name === 'string' ? name : (() => { throw new SpecError(`${path}[${i}]`, `expected a parameter name, got ${describe(name)}`); })()));
}

export function normalizeSpec(raw: unknown, at = 'model'): NetworkConfig {
  if (!isRecord(raw)) throw new SpecError(at, `expected a mapping with layers, activation and loss, got ${describe(raw)}`);
  for (const key of Object.keys(raw)) {
    if (!KNOWN.includes(key)) throw new SpecError(`${at}.${key}`, `unknown field ${key}; expected one of ${KNOWN.join(', ')}`, true);
  }
  const layers = raw.layers;
  if (!Array.isArray(layers) || layers.length < 2) throw new SpecError(`${at}.layers`, `expected a list of at least two layer sizes like [2, 2, 2], got ${describe(layers)}`);
  const sizes = layers.map((n, i) => {
    if (!Number.isInteger(n) || (n as number) < 1) throw new SpecError(`${at}.layers[${i}]`, `expected a positive whole number of neurons, got ${describe(n)}`);
    if ((n as number) > MAX_LAYER) throw new SpecError(`${at}.layers[${i}]`, `expected at most ${MAX_LAYER} neurons in a layer (the networks of a lesson are small), got ${n}`);
    return n as number;
  });
  const L = sizes.length - 1;

  const activations = perLayerActivations(raw.activation, raw.output, L, at);
  if (!isLoss(raw.loss)) throw new SpecError(`${at}.loss`, `expected one of ${LOSSES.join(', ')}, got ${describe(raw.loss)}`);
  const loss = raw.loss;
  const out = activations[L - 1];
  if (loss === 'bce' && out !== 'sigmoid') throw new SpecError(`${at}.loss`, `bce needs a sigmoid output layer (it is computed from the logits), but the output activation is ${out}`);
  if (loss === 'softmax_ce' && out !== 'softmax') throw new SpecError(`${at}.loss`, `softmax_ce needs a softmax output layer, but the output activation is ${out}`);
  activations.forEach((a, i) => {
    if (a === 'softmax' && i !== L - 1) throw new SpecError(`${at}.activation`, `softmax is only allowed on the output layer (layer ${L}), not layer ${i + 1}`);
  });

  if (raw.output_gradient === 'outputs' && loss !== 'bce') throw new SpecError(`${at}.output_gradient`, `output_gradient: outputs is bce's gradient taken through its outputs; this model's loss is ${loss}`);
  const l2 = raw.l2 === undefined ? 0 : finite(raw.l2, `${at}.l2`);
  if (l2 < 0) throw new SpecError(`${at}.l2`, `expected λ ≥ 0, got ${l2}`);
  const bias = oneOf(raw.bias, ['none', 'per_neuron', 'shared'] as const, `${at}.bias`, 'per_neuron');

  const config: NetworkConfig = {
    sizes,
    activations,
    loss,
    reduction: oneOf(raw.reduction, ['sum', 'mean'] as const, `${at}.reduction`, 'mean'),
    l2,
    bias,
    naming: oneOf(raw.naming, NAMING_SCHEMES, `${at}.naming`, 'sequential'),
    update: oneOf(raw.update, ['simultaneous', 'sequential'] as const, `${at}.update`, 'simultaneous'),
    updates: checkUpdates(raw.updates, `${at}.updates`),
    outputGradient: oneOf(raw.output_gradient, ['logits', 'outputs'] as const, `${at}.output_gradient`, 'logits'),
    params: {},
  };
  if (raw.weights !== undefined) config.weights = checkWeights(raw.weights, sizes, `${at}.weights`);
  if (raw.biases !== undefined) config.biases = checkBiases(raw.biases, sizes, bias, `${at}.biases`);
  if (raw.params !== undefined) {
    if (!isRecord(raw.params)) throw new SpecError(`${at}.params`, `expected a mapping from parameter name to number, like { w1: 0.1 }`);
    for (const [name, v] of Object.entries(raw.params)) config.params[name] = finite(v, `${at}.params.${name}`);
  }
  if (raw.init !== undefined) config.init = checkInit(raw.init, `${at}.init`);
  return config;
}

function perLayerActivations(activation: unknown, output: unknown, L: number, at: string): ActivationName[] {
  let list: ActivationName[];
  if (activation === undefined) list = new Array(L).fill('sigmoid');
  else if (Array.isArray(activation)) {
    if (activation.length !== L) throw new SpecError(`${at}.activation`, `expected ${L} activations (one per layer after the inputs), got ${activation.length}`);
    list = activation.map((a, i) => {
      if (!isActivation(a)) throw new SpecError(`${at}.activation[${i}]`, `expected one of ${ACTIVATIONS.join(', ')}, got ${describe(a)}`);
      return a;
    });
  } else if (isActivation(activation)) list = new Array(L).fill(activation);
  else throw new SpecError(`${at}.activation`, `expected one of ${ACTIVATIONS.join(', ')} or a list of them, got ${describe(activation)}`);
  if (output !== undefined) {
    if (!isActivation(output)) throw new SpecError(`${at}.output`, `expected one of ${ACTIVATIONS.join(', ')}, got ${describe(output)}`);
    list[L - 1] = output;
  }
  return list;
}

function checkWeights(v: unknown, sizes: number[], path: string): number[][][] {
  const L = sizes.length - 1;
  if (!Array.isArray(v) || v.length !== L) throw new SpecError(path, `expected ${L} weight matrices (one per layer), got ${describe(v)}`);
  return v.map((m, l) => {
    const rows = sizes[l + 1], cols = sizes[l];
    if (!Array.isArray(m) || m.length !== rows) throw new SpecError(`${path}[${l}]`, `expected ${rows} rows (one per neuron of layer ${l + 1}), got ${describe(m)}`);
    return m.map((row, j) => {
      if (!Array.isArray(row) || row.length !== cols) throw new SpecError(`${path}[${l}][${j}]`, `expected ${cols} weights (one per neuron of layer ${l}), got ${describe(row)}`);
      return row.map((w, k) => finite(w, `${path}[${l}][${j}][${k}]`));
    });
  });
}

function checkBiases(v: unknown, sizes: number[], bias: BiasMode, path: string): (number[] | number)[] {
  const L = sizes.length - 1;
  if (bias === 'none') throw new SpecError(path, `the model has bias: none, so it takes no biases`);
  if (!Array.isArray(v) || v.length !== L) throw new SpecError(path, `expected ${L} entries (one per layer), got ${describe(v)}`);
  return v.map((b, l) => {
    if (bias === 'shared') return finite(b, `${path}[${l}]`);
    if (!Array.isArray(b) || b.length !== sizes[l + 1]) throw new SpecError(`${path}[${l}]`, `expected ${sizes[l + 1]} biases (one per neuron of layer ${l + 1}), got ${describe(b)}`);
    return b.map((x, j) => finite(x, `${path}[${l}][${j}]`));
  });
}

function checkInit(v: unknown, path: string): Required<InitSpec> {
  if (!isRecord(v)) throw new SpecError(path, `expected a mapping like { seed: 0, distribution: rand }`);
  const seed = v.seed;
  if (!Number.isInteger(seed) || (seed as number) < 0 || (seed as number) > 0xffffffff) throw new SpecError(`${path}.seed`, `expected a whole number from 0 to 2^32-1 (numpy's seed range), got ${describe(seed)}`);
  const distribution = oneOf(v.distribution, ['rand', 'uniform', 'randn'] as const, `${path}.distribution`, 'rand');
  const low = v.low === undefined ? 0 : finite(v.low, `${path}.low`);
  const high = v.high === undefined ? 1 : finite(v.high, `${path}.high`);
  if (!(low < high)) throw new SpecError(`${path}.high`, `expected high > low, got low ${low} and high ${high}`);
  return {
    seed: seed as number,
    distribution,
    low,
    high,
    scale: oneOf(v.scale, ['none', 'inv_sqrt_fan_in'] as const, `${path}.scale`, 'none'),
    layout: oneOf(v.layout, ['target_major', 'source_major'] as const, `${path}.layout`, 'target_major'),
    biases: oneOf(v.biases, ['zeros', 'draw'] as const, `${path}.biases`, 'zeros'),
  };
}
