// The network's parameters: one Float64Array of weights per layer (rows = receiving neuron,
// row-major) and one of biases (one per neuron, one shared, or none), with the names the
// lesson's naming scheme gives them. The tracer and the vectorised trainer both read and
// update this one store.
import { namesFor, type Label, type Names } from './naming.ts';
import { RandomState } from './random.ts';
import { normalizeSpec, SpecError, type ModelSpec, type NetworkConfig } from './spec.ts';

export interface ParamInfo extends Label {
  kind: 'weight' | 'bias';
  /** 1-based layer */
  layer: number;
  /** 1-based receiving neuron (0 for a shared bias) */
  j: number;
  /** 1-based sending neuron (0 for a bias) */
  k: number;
  /** position in the layer's W or b array */
  offset: number;
}

export class Network {
  readonly sizes: readonly number[];
  readonly names: Names;
  /** W[l-1] holds layer l: sizes[l] × sizes[l-1], row-major. */
  readonly W: Float64Array[];
  /** b[l-1] holds layer l: sizes[l] entries, 1 when shared, 0 when there are none. */
  readonly b: Float64Array[];
  /** The scheme's labels of every node position, made once: tracing a step builds no strings. */
  readonly labels: {
    input: Label[];
    target: Label[];
    /** preactivation[l-1][j-1] */
    preactivation: Label[][];
    activation: Label[][];
    lossTerm: Label[];
  };
  /** Every parameter, layer by layer: the weights row by row, then the biases. */
  readonly params: readonly ParamInfo[];
  /** moves[i]: whether a step moves params[i] (the config's `updates`) */
  readonly moves: Uint8Array;
  private readonly byName: Map<string, ParamInfo>;

  constructor(readonly config: NetworkConfig) {
    const { sizes, bias } = config;
    this.sizes = sizes;
    this.names = namesFor(config.naming, sizes, bias === 'shared');
    const names = this.names;
    const L = sizes.length - 1;
    const count = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    this.labels = {
      input: count(sizes[0]).map((k) => names.input(k)),
      target: count(sizes[L]).map((j) => names.target(j)),
      preactivation: count(L).map((l) => count(sizes[l]).map((j) => names.preactivation(l, j))),
      activation: count(L).map((l) => count(sizes[l]).map((j) => names.activation(l, j))),
      lossTerm: count(sizes[L]).map((j) => names.lossTerm(j)),
    };
    this.W = [];
    this.b = [];
    const params: ParamInfo[] = [];
    for (let l = 1; l < sizes.length; l++) {
      this.W.push(new Float64Array(sizes[l] * sizes[l - 1]));
      for (let j = 1; j <= sizes[l]; j++) {
        for (let k = 1; k <= sizes[l - 1]; k++) {
          params.push({ ...this.names.weight(l, j, k), kind: 'weight', layer: l, j, k, offset: (j - 1) * sizes[l - 1] + (k - 1) });
        }
      }
      const nb = bias === 'none' ? 0 : bias === 'shared' ? 1 : sizes[l];
      this.b.push(new Float64Array(nb));
      for (let j = 1; j <= nb; j++) {
        const jj = bias === 'shared' ? 0 : j;
        params.push({ ...this.names.bias(l, jj), kind: 'bias', layer: l, j: jj, k: 0, offset: j - 1 });
      }
    }
    this.params = params;
    const { updates } = config;
    this.moves = movesOf(params, updates);
    this.byName = new Map(params.map((p) => [p.name, p]));
    if (this.byName.size !== params.length) throw new SpecError('model.naming', `the ${config.naming} naming scheme gives two parameters the same name for layers [${sizes.join(', ')}]`);
  }

  static fromSpec(spec: ModelSpec | unknown, at = 'model'): Network {
    const config = normalizeSpec(spec, at);
    const net = new Network(config);
    net.initialise(at);
    return net;
  }

  /** Fill the parameters from the config: init draws first, then explicit weights/biases, then params by name. */
  private initialise(at: string): void {
    const { config } = this;
    const given = new Uint8Array(this.params.length);
    if (config.init) {
      // Zero biases (the seeds' choice) count as given too: init names them.
      this.draw(config.init);
      given.fill(1);
    }
    this.params.forEach((p, i) => {
      if (p.kind === 'weight' && config.weights) {
        this.W[p.layer - 1][p.offset] = config.weights[p.layer - 1][p.j - 1][p.k - 1];
        given[i] = 1;
      }
      if (p.kind === 'bias' && config.biases) {
        const b = config.biases[p.layer - 1];
        this.b[p.layer - 1][p.offset] = typeof b === 'number' ? b : b[p.j - 1];
        given[i] = 1;
      }
    });
    if (Array.isArray(config.updates)) {
      config.updates.forEach((name, i) => {
        if (config.updates.indexOf(name) !== i) throw new SpecError(`${at}.updates[${i}]`, `${name} is listed twice`);
        if (!this.byName.has(name)) throw new SpecError(`${at}.updates[${i}]`, `no parameter is called ${name}; the ${config.naming} names are ${this.params.map((q) => q.name).join(', ')}`);
      });
    }
    for (const [name, value] of Object.entries(config.params)) {
      const p = this.byName.get(name);
      if (!p) throw new SpecError(`${at}.params.${name}`, `no parameter is called ${name}; the ${config.naming} names are ${this.params.map((q) => q.name).join(', ')}`, true);
      this.set(p, value);
      given[this.params.indexOf(p)] = 1;
    }
    const missing = this.params.filter((_, i) => !given[i]).map((p) => p.name);
    if (missing.length) throw new SpecError(`${at}`, `no value for ${missing.join(', ')}: give them in params or weights, or add init`);
  }

  private draw(init: NonNullable<NetworkConfig['init']>): void {
    const rng = new RandomState(init.seed);
    const sample = (n: number): Float64Array =>
      init.distribution === 'rand' ? rng.rand(n) : init.distribution === 'uniform' ? rng.uniform(init.low, init.high, n) : rng.randn(n);
    for (let l = 1; l < this.sizes.length; l++) {
      const rows = this.sizes[l], cols = this.sizes[l - 1];
      const divisor = init.scale === 'inv_sqrt_fan_in' ? Math.sqrt(cols) : 1;
      const drawn = sample(rows * cols);
      const W = this.W[l - 1];
      for (let j = 0; j < rows; j++) {
        for (let k = 0; k < cols; k++) {
          // numpy divides the drawn array by √n: the same rounding as dividing each draw.
          const d = init.layout === 'target_major' ? drawn[j * cols + k] : drawn[k * rows + j];
          W[j * cols + k] = d / divisor;
        }
      }
      if (init.biases === 'draw') this.b[l - 1].set(sample(this.b[l - 1].length));
    }
  }

  param(name: string): ParamInfo {
    const p = this.byName.get(name);
    if (!p) throw new RangeError(`no parameter is called ${name}; the names are ${this.params.map((q) => q.name).join(', ')}`);
    return p;
  }

  get(p: ParamInfo | string): number {
    const q = typeof p === 'string' ? this.param(p) : p;
    return (q.kind === 'weight' ? this.W : this.b)[q.layer - 1][q.offset];
  }

  set(p: ParamInfo | string, value: number): void {
    const q = typeof p === 'string' ? this.param(p) : p;
    (q.kind === 'weight' ? this.W : this.b)[q.layer - 1][q.offset] = value;
  }

  /** All parameters in `params` order. */
  flat(): Float64Array {
    // `params` runs layer by layer through W (row-major) and then b: the arrays back to back.
    const out = new Float64Array(this.params.length);
    let o = 0;
    for (let l = 0; l < this.W.length; l++) {
      out.set(this.W[l], o);
      o += this.W[l].length;
      out.set(this.b[l], o);
      o += this.b[l].length;
    }
    return out;
  }

  setFlat(values: ArrayLike<number>): void {
    let o = 0;
    for (let l = 0; l < this.W.length; l++) {
      for (const a of [this.W[l], this.b[l]]) for (let i = 0; i < a.length; i++) a[i] = values[o++];
    }
  }

  /** A copy configured otherwise in how it is trained (the loss's reduction, the update's order, what moves), its parameters the same. */
  reconfigured(changes: Pick<Partial<NetworkConfig>, 'reduction' | 'update' | 'updates'>): Network {
    const copy = this.clone();
    const config = { ...this.config, ...changes };
    Object.assign(copy, { config, moves: movesOf(this.params, config.updates) });
    return copy;
  }

  clone(): Network {
    // Everything but the weights and biases is fixed by the config: shared, not rebuilt.
    const copy: Network = Object.create(Network.prototype);
    Object.assign(copy, this);
    (copy as { W: Float64Array[] }).W = this.W.map((w) => w.slice());
    (copy as { b: Float64Array[] }).b = this.b.map((b) => b.slice());
    return copy;
  }
}

/** Which parameters a step moves under the config's `updates`. */
function movesOf(params: readonly ParamInfo[], updates: NetworkConfig['updates']): Uint8Array {
  return Uint8Array.from(params, (p) => (updates === 'all' || (updates === 'weights' ? p.kind === 'weight' : updates.includes(p.name)) ? 1 : 0));
}
