// A scalar autograd that remembers why each gradient is what it is. Every edge of the graph
// is a Factor: the local derivative ∂of/∂wrt as data (its rule, its value, the nodes it
// connects), so a lesson can print each chain-rule factor as formula = numbers = value.
// Nodes live on a Tape in creation order, which is a topological order: backward is one
// reverse sweep, with no recursion to overflow on deep graphs.
import { shortenedNumber, type Rounding } from './decimal.ts';

export type Op =
  | 'input' // data: an input or a target
  | 'param' // a weight or bias
  | 'linear' // Σ w·x + b
  | 'activation' // f(z) element-wise
  | 'softmax' // one output of a softmax over several logits
  | 'loss' // one loss term
  | 'sum' // Σ parts
  | 'mean' // (1/n) Σ parts
  | 'l2'; // (λ/2) Σ w²

/** How a factor's value follows from the values of the nodes it names. */
export type Rule =
  | 'linear_weight' // ∂(Σ w x + b)/∂w = x            (via: x)
  | 'linear_input' // ∂(Σ w x + b)/∂x = w             (via: w)
  | 'linear_bias' // ∂(Σ w x + b)/∂b = 1
  | 'sigmoid' // ∂a/∂z = a(1-a)
  | 'tanh' // ∂a/∂z = 1-a²
  | 'relu' // ∂a/∂z = [z > 0]
  | 'identity' // ∂a/∂z = 1
  | 'softmax_same' // ∂a_k/∂z_k = a_k(1-a_k)
  | 'softmax_cross' // ∂a_k/∂z_j = -a_k a_j           (via: a_j)
  | 'squared_error' // ∂ c(a-t)²/∂a = 2c(a-t)       (target, coefficient c)
  | 'bce_logit' // ∂BCE(σ(z), t)/∂z = a - t         (via: a, target)
  | 'softmax_ce_logit' // ∂CE(softmax(z), t)/∂z_k = (Σt)·a_k - t_k (via: a_k, target)
  | 'sum' // ∂(Σ parts)/∂part = 1
  | 'mean' // ∂((1/n) Σ parts)/∂part = 1/n         (coefficient 1/n)
  | 'l2'; // ∂(λ/2 Σ w²)/∂w = λw                    (coefficient λ)

export interface Factor {
  /** The node whose derivative this is (the output of the operation). */
  readonly of: Node;
  /** The node it is taken with respect to (an operand). */
  readonly wrt: Node;
  value: number;
  readonly rule: Rule;
  /** The node whose value the rule reads besides `of` and `wrt` (x for ∂/∂w, w for ∂/∂x, …). */
  via?: Node;
  readonly target?: Node;
  readonly coefficient?: number;
}

/** One += of the backward sweep: ∂root/∂wrt += ∂root/∂of · ∂of/∂wrt. */
export interface BackwardStep {
  factor: Factor;
  /** ∂root/∂of, complete by the time of is reached */
  upstream: number;
  before: number;
  after: number;
}

export class Node {
  grad = 0;
  readonly inputs: Factor[] = [];
  /** what the page links this quantity by (its name; a variant's prefixed), set on a lesson model's trace only */
  link?: string;
  constructor(
    readonly id: number,
    public value: number,
    readonly op: Op,
    readonly name: string,
    readonly tex: string,
  ) {}
}

/**
 * Replaying a source's arithmetic: every value and factor rounded to the decimals the source
 * printed, and the values it used in place of computed ones, so its drift can be reproduced.
 */
export interface Carry {
  decimals?: number;
  /** how the source shortened its numbers: rounded (the default) or cut off */
  rounding?: Rounding;
  values?: Readonly<Record<string, number>>;
}

/** v to `decimals` places, rounded or cut off, as the source would print it. */
export function shorten(v: number, decimals: number, rounding: Rounding = 'round'): number {
  return shortenedNumber(v, decimals, rounding);
}

export class Tape {
  readonly nodes: Node[] = [];
  /** What each node the carry gives a value was computed as, from the values it carried (its printed figure judged against it). */
  readonly computed = new Map<string, number>();

  constructor(readonly carried?: Carry) {}

  /** A value as the replayed source would hold it (unchanged without a carry). */
  carry(name: string, value: number): number {
    const c = this.carried;
    if (!c) return value;
    const given = c.values?.[name];
    if (given !== undefined) {
      if (!this.computed.has(name)) this.computed.set(name, value);
      return given;
    }
    return c.decimals === undefined ? value : shorten(value, c.decimals, c.rounding);
  }

  private node(value: number, op: Op, name: string, tex: string): Node {
    const n = new Node(this.nodes.length, this.carried ? this.carry(name, value) : value, op, name, tex);
    this.nodes.push(n);
    return n;
  }

  private edge(of: Node, wrt: Node, value: number, rule: Rule, extra?: { via?: Node; target?: Node; coefficient?: number }): void {
    if (this.carried?.decimals !== undefined) value = shorten(value, this.carried.decimals, this.carried.rounding);
    // Every factor has the same fields, so V8 keeps one object shape on the hot path.
    of.inputs.push({ of, wrt, value, rule, via: extra?.via, target: extra?.target, coefficient: extra?.coefficient });
  }

  input(name: string, tex: string, value: number): Node {
    return this.node(value, 'input', name, tex);
  }

  param(name: string, tex: string, value: number): Node {
    return this.node(value, 'param', name, tex);
  }

  /** Σ_i weights[i]·xs[i] (+ bias) as one node, as the tutorials write in_h1 = w1 i1 + w2 i2 + b1. */
  linear(name: string, tex: string, weights: Node[], xs: Node[], bias?: Node): Node {
    let v = 0;
    for (let i = 0; i < weights.length; i++) v += weights[i].value * xs[i].value;
    if (bias) v += bias.value;
    const n = this.node(v, 'linear', name, tex);
    for (let i = 0; i < weights.length; i++) {
      this.edge(n, weights[i], xs[i].value, 'linear_weight', { via: xs[i] });
      this.edge(n, xs[i], weights[i].value, 'linear_input', { via: weights[i] });
    }
    if (bias) this.edge(n, bias, 1, 'linear_bias');
    return n;
  }

  /** a = f(z) for an element-wise activation whose derivative is read from a (and z for relu). */
  activation(name: string, tex: string, rule: 'sigmoid' | 'tanh' | 'relu' | 'identity', z: Node, value: number, deriv: number): Node {
    const n = this.node(value, 'activation', name, tex);
    this.edge(n, z, deriv, rule);
    return n;
  }

  /** The outputs of softmax(zs), each a node that depends on every logit. */
  softmax(names: string[], texs: string[], zs: Node[], values: ArrayLike<number>): Node[] {
    const outs = zs.map((_, k) => this.node(values[k], 'softmax', names[k], texs[k]));
    for (let k = 0; k < outs.length; k++) {
      const ak = outs[k].value;
      for (let j = 0; j < zs.length; j++) {
        if (j === k) this.edge(outs[k], zs[j], ak * (1 - ak), 'softmax_same');
        else this.edge(outs[k], zs[j], -ak * outs[j].value, 'softmax_cross', { via: outs[j] });
      }
    }
    return outs;
  }

  /** E = c·(a - t)² */
  squaredError(name: string, tex: string, a: Node, t: Node, c: number): Node {
    const d = a.value - t.value;
    // By hand the square is written down before it is scaled: ½·(0.7887314002²) via 0.6220972217.
    const decimals = this.carried?.decimals;
    const value = decimals === undefined ? c * d * d : c * shorten(d * d, decimals, this.carried!.rounding);
    const n = this.node(value, 'loss', name, tex);
    this.edge(n, a, 2 * c * d, 'squared_error', { target: t, coefficient: c });
    return n;
  }

  /** Binary cross-entropy of the sigmoid unit with logit z and output a, taken from the logit. */
  bceFromLogit(name: string, tex: string, z: Node, a: Node, t: Node, value: number): Node {
    const n = this.node(value, 'loss', name, tex);
    this.edge(n, z, a.value - t.value, 'bce_logit', { via: a, target: t });
    return n;
  }

  /** Softmax cross-entropy over the logits zs with outputs as and targets ts, taken from the logits. */
  softmaxCrossEntropy(name: string, tex: string, zs: Node[], as: Node[], ts: Node[], value: number): Node {
    const n = this.node(value, 'loss', name, tex);
    let tSum = 0;
    for (const t of ts) tSum += t.value;
    for (let k = 0; k < zs.length; k++) {
      this.edge(n, zs[k], tSum * as[k].value - ts[k].value, 'softmax_ce_logit', { via: as[k], target: ts[k], coefficient: tSum });
    }
    return n;
  }

  sum(name: string, tex: string, parts: Node[]): Node {
    let v = 0;
    for (const p of parts) v += p.value;
    const n = this.node(v, 'sum', name, tex);
    for (const p of parts) this.edge(n, p, 1, 'sum');
    return n;
  }

  mean(name: string, tex: string, parts: Node[]): Node {
    let v = 0;
    for (const p of parts) v += p.value;
    const c = 1 / parts.length;
    const n = this.node(v * c, 'mean', name, tex);
    for (const p of parts) this.edge(n, p, c, 'mean', { coefficient: c });
    return n;
  }

  /** (λ/2) Σ w² over the given weights. */
  l2(name: string, tex: string, lambda: number, weights: Node[]): Node {
    let v = 0;
    for (const w of weights) v += w.value * w.value;
    const n = this.node((lambda / 2) * v, 'l2', name, tex);
    for (const w of weights) this.edge(n, w, lambda * w.value, 'l2', { coefficient: lambda });
    return n;
  }

  /**
   * ∂root/∂node for every node, in one reverse sweep from the root. Gradients are reset
   * first, so calling it twice gives the same numbers rather than doubling them. A replayed
   * source shortens each gradient once it is complete, as a hand calculation writes down each
   * partial product before multiplying by the next factor.
   */
  /**
   * The backward sweep as the steps a reader walks: each factor of each node from the root down,
   * with the gradient it accumulates into before and after. The same arithmetic as backward.
   */
  backwardSteps(root: Node): BackwardStep[] {
    const running = new Float64Array(this.nodes.length);
    running[root.id] = 1;
    const steps: BackwardStep[] = [];
    for (let i = root.id; i >= 0; i--) {
      const n = this.nodes[i];
      for (const factor of n.inputs) {
        const before = running[factor.wrt.id];
        running[factor.wrt.id] += running[i] * factor.value;
        steps.push({ factor, upstream: running[i], before, after: running[factor.wrt.id] });
      }
    }
    return steps;
  }

  backward(root: Node): void {
    const nodes = this.nodes;
    const carried = this.carried?.decimals;
    for (let i = 0; i < nodes.length; i++) nodes[i].grad = 0;
    root.grad = 1;
    for (let i = root.id; i >= 0; i--) {
      const n = nodes[i];
      if (carried !== undefined) n.grad = shorten(n.grad, carried, this.carried!.rounding);
      const g = n.grad;
      const inputs = n.inputs;
      for (let j = 0; j < inputs.length; j++) inputs[j].wrt.grad += g * inputs[j].value;
    }
  }
}
