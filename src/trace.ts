// Runs a network on the tracer: one node per input, parameter, weighted sum, activation and
// loss term, named by the network's naming scheme, so every number a lesson prints is a node
// value or a recorded factor. Also takes one traced gradient-descent step in either order.
import { ELEMENTWISE } from './activations.ts';
import { isSquared, squaredCoefficient } from './losses.ts';
import type { Label } from './naming.ts';
import type { Network } from './network.ts';
import { bceFromLogit, logSumExp, softmaxInto } from './numerics.ts';
import type { UpdateOrder } from './spec.ts';
import { Tape, type Carry, type Node } from './tape.ts';

export interface Sample {
  x: ArrayLike<number>;
  t: ArrayLike<number>;
}

export interface SampleTrace {
  inputs: Node[];
  targets: Node[];
  /** z[l-1][j-1]: the weighted sum of neuron j of layer l */
  z: Node[][];
  /** a[l-1][j-1]: its activation */
  a: Node[][];
  /** per-output loss terms (absent for softmax cross-entropy, which is one term) */
  terms: Node[];
  loss: Node;
}

export interface NetworkTrace {
  tape: Tape;
  /** in the network's `params` order */
  params: Node[];
  samples: SampleTrace[];
  loss: Node;
  node(name: string): Node;
}

export function traceNetwork(net: Network, samples: readonly Sample[], carry?: Carry): NetworkTrace {
  const { sizes, config, names, labels } = net;
  const L = sizes.length - 1;
  const K = sizes[L];
  const tape = new Tape(carry);
  const params = net.params.map((p) => tape.param(p.name, p.tex, net.get(p)));
  // Index the parameter nodes by layer so each weighted sum finds its row.
  const weightNodes: Node[][] = [];
  const biasNodes: Node[][] = [];
  net.params.forEach((p, i) => {
    const list = p.kind === 'weight' ? weightNodes : biasNodes;
    (list[p.layer - 1] ??= [])[p.offset] = params[i];
  });

  const many = samples.length > 1;
  const at = (lab: Label, n: number): Label => (many ? { name: `${lab.name}@${n}`, tex: `{${lab.tex}}^{[${n}]}` } : lab);

  const traces: SampleTrace[] = samples.map((s, si) => {
    const n = si + 1;
    if (s.x.length !== sizes[0]) throw new RangeError(`sample ${n} has ${s.x.length} inputs; the network takes ${sizes[0]}`);
    if (s.t.length !== K) throw new RangeError(`sample ${n} has ${s.t.length} targets; the network has ${K} outputs`);
    const inputs: Node[] = [];
    for (let k = 0; k < sizes[0]; k++) {
      const lab = at(labels.input[k], n);
      inputs.push(tape.input(lab.name, lab.tex, s.x[k]));
    }
    const targets: Node[] = [];
    for (let j = 0; j < K; j++) {
      const lab = at(labels.target[j], n);
      targets.push(tape.input(lab.name, lab.tex, s.t[j]));
    }
    const z: Node[][] = [];
    const a: Node[][] = [];
    let below = inputs;
    for (let l = 1; l <= L; l++) {
      const rows = sizes[l], cols = sizes[l - 1];
      const W = weightNodes[l - 1];
      const b = biasNodes[l - 1];
      const zl: Node[] = [];
      for (let j = 0; j < rows; j++) {
        const row = W.slice(j * cols, (j + 1) * cols);
        const bias = b === undefined ? undefined : b.length === 1 ? b[0] : b[j];
        const lab = at(labels.preactivation[l - 1][j], n);
        zl.push(tape.linear(lab.name, lab.tex, row, below, bias));
      }
      const act = config.activations[l - 1];
      let al: Node[];
      if (act === 'softmax') {
        const values = new Float64Array(rows);
        softmaxInto(zl.map((q) => q.value), values, 0, rows);
        const softLabels = zl.map((_, j) => at(labels.activation[l - 1][j], n));
        al = tape.softmax(softLabels.map((x) => x.name), softLabels.map((x) => x.tex), zl, values);
      } else {
        const rule = ELEMENTWISE[act];
        al = zl.map((zj, j) => {
          const lab = at(labels.activation[l - 1][j], n);
          const v = tape.carry(lab.name, rule.value(zj.value));
          return tape.activation(lab.name, lab.tex, act, zj, v, rule.derivFromOutput(v, zj.value));
        });
      }
      z.push(zl);
      a.push(al);
      below = al;
    }

    const out = a[L - 1], logits = z[L - 1];
    // A lone sample's loss is the total, unless a penalty is added to it.
    const sampleLabel = at(!many && config.l2 > 0 ? names.dataLoss : names.loss, n);
    let terms: Node[] = [];
    let loss: Node;
    if (config.loss === 'softmax_ce') {
      let tSum = 0, tz = 0;
      for (let j = 0; j < K; j++) {
        tSum += targets[j].value;
        tz += targets[j].value * logits[j].value;
      }
      const value = tSum * logSumExp(logits.map((q) => q.value), 0, K) - tz;
      loss = tape.softmaxCrossEntropy(sampleLabel.name, sampleLabel.tex, logits, out, targets, value);
    } else {
      const termLabel = (j: number) => (K === 1 ? sampleLabel : at(labels.lossTerm[j], n));
      if (isSquared(config.loss)) {
        const c = squaredCoefficient(config.loss, K);
        terms = out.map((aj, j) => tape.squaredError(termLabel(j).name, termLabel(j).tex, aj, targets[j], c));
      } else {
        terms = out.map((aj, j) => tape.bceFromLogit(termLabel(j).name, termLabel(j).tex, logits[j], aj, targets[j], bceFromLogit(logits[j].value, targets[j].value)));
      }
      loss = K === 1 ? terms[0] : tape.sum(sampleLabel.name, sampleLabel.tex, terms);
    }
    return { inputs, targets, z, a, terms, loss };
  });

  let loss: Node;
  const perSample = traces.map((t) => t.loss);
  const regularised = config.l2 > 0;
  if (!many) loss = perSample[0];
  else {
    const lab = regularised ? names.dataLoss : names.loss;
    loss = config.reduction === 'mean' ? tape.mean(lab.name, lab.tex, perSample) : tape.sum(lab.name, lab.tex, perSample);
  }
  if (regularised) {
    const weights = params.filter((_, i) => net.params[i].kind === 'weight');
    const reg = tape.l2(names.regularisation.name, names.regularisation.tex, config.l2, weights);
    loss = tape.sum(names.loss.name, names.loss.tex, [loss, reg]);
  }
  tape.backward(loss);

  let byName: Map<string, Node> | undefined; // built on the first look-up: a training step never asks
  return {
    tape,
    params,
    samples: traces,
    loss,
    node(name) {
      byName ??= new Map(tape.nodes.map((q) => [q.name, q]));
      const found = byName.get(name);
      if (!found) throw new RangeError(`the trace has no node called ${name}`);
      return found;
    },
  };
}

export interface TracedStep {
  trace: NetworkTrace;
  /** The gradient each parameter was moved by, in `params` order (0 for one the step keeps fixed). */
  applied: Float64Array;
  before: Float64Array;
  after: Float64Array;
}

/**
 * One step of gradient descent on the tracer, writing the new values into `net`.
 * simultaneous: every gradient comes from the weights of the forward pass.
 * sequential: layers are updated from the output down, and each layer's new weights are the
 * ones its error is passed back through (what in-place numpy updates inside the backward
 * loop do). The trace then records ∂in/∂out = w⁺ on those edges, with the updated weight
 * as a node of its own, so the lesson can show which weight was used.
 */
/**
 * How a step is taken otherwise than exactly: `carry`, the arithmetic shortened as a source
 * does (the parameters then step from their carried values); `edit`, a change to the traced
 * factors (a catalogued slip, src/lesson/mistakes.ts), made before each backward sweep.
 */
export interface StepHow {
  carry?: Carry;
  edit?: (trace: NetworkTrace) => void;
}

export function tracedStep(net: Network, samples: readonly Sample[], lr: number, order: UpdateOrder = net.config.update, how: StepHow = {}): TracedStep {
  const sequential = order === 'sequential';
  const trace = traceNetwork(net, samples, how.carry);
  if (how.edit) {
    how.edit(trace);
    trace.tape.backward(trace.loss);
  }
  const before = net.flat();
  const applied = new Float64Array(net.params.length);
  const L = net.sizes.length - 1;
  for (let l = L; l >= 1; l--) {
    const updated = new Map<Node, Node>();
    for (let i = 0; i < net.params.length; i++) {
      const p = net.params[i];
      if (p.layer !== l) continue;
      if (!net.moves[i]) continue; // the step keeps it fixed: it moves by nothing
      const node = trace.params[i];
      applied[i] = node.grad;
      const value = (how.carry ? node.value : before[i]) - lr * node.grad;
      (p.kind === 'weight' ? net.W : net.b)[l - 1][p.offset] = value;
      if (sequential && p.kind === 'weight') updated.set(node, trace.tape.param(`${p.name}+`, `${p.tex}^{+}`, value));
    }
    if (sequential && l > 1) {
      for (const node of trace.tape.nodes) {
        for (const f of node.inputs) {
          const fresh = f.rule === 'linear_input' && f.via ? updated.get(f.via) : undefined;
          if (fresh) {
            f.via = fresh;
            f.value = fresh.value;
          }
        }
      }
      how.edit?.(trace);
      trace.tape.backward(trace.loss);
    }
  }
  return { trace, applied, before, after: net.flat() };
}

/** A network traced on the samples, one step taken on a copy, and the copy traced again: what a lesson's model shows. */
export function stepTraced(net: Network, samples: readonly Sample[], lr: number): { trace: NetworkTrace; step: TracedStep; after: NetworkTrace } {
  const trace = traceNetwork(net, samples);
  const stepped = net.clone();
  const step = tracedStep(stepped, samples, lr);
  return { trace, step, after: traceNetwork(stepped, samples) };
}

/** The nodes of a lesson model's trace, named for the page's links: main's by name, a variant's as variant:name. */
export function linkTrace(trace: NetworkTrace, model: string): void {
  for (const n of trace.tape.nodes) n.link = model === 'main' ? n.name : `${model}:${n.name}`;
}
