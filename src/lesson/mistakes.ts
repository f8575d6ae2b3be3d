// The catalogue of backprop slips that a source or a learner makes, as data: each entry a
// named transformation of a lesson's step, with the sentence a reader understands, the LaTeX
// of what the mistaken step computes, and which parts of the step it changes (every other
// number stays exactly as it was). Three kinds of transformation:
//  - of the model or the step (a bias shared across a layer, another learning rate): `apply`
//    returns another network, learning rate or step order;
//  - of the arithmetic inside one formula (a σ′ left out, out where out − t belongs): `apply`
//    adds a slip, an edit of the traced factors made before each backward sweep;
//  - of how results are written down (two neighbours swapped): a swap of two values.
// The shortening of intermediates to k decimals is the tape's carry (src/tape.ts), which a
// step case holds too. Entries compose: one applied to what another returned. Where a slip
// can be made in one place only (at one output, at one neuron), `places` lists them and
// `apply(c, place)` makes it there alone. test/mistakes.test.ts holds each entry, and each
// pair, to its claim on the 2-2-2, 3-5-1 and 4-6-3 networks.
import { ELEMENTWISE, type ElementwiseActivation } from '../activations.ts';
import { explainGradient } from '../chain.ts';
import type { Network } from '../network.ts';
import type { Carry, Factor, Node } from '../tape.ts';
import { traceNetwork, tracedStep, type NetworkTrace, type Sample, type SampleTrace, type TracedStep } from '../trace.ts';

/** The parts of a traced step: the forward values (every node but the parameters and the loss), the loss, the gradients, the parameters after the step. */
export type Part = 'forward' | 'loss' | 'gradients' | 'updates';

/** An edit of a trace's factors: a slip inside a formula. */
export type Slip = (trace: NetworkTrace) => void;

export interface StepCase {
  net: Network;
  samples: readonly Sample[];
  lr: number;
  /** intermediates shortened as a source writes them down, and the values it carried on with */
  carry?: Carry;
  slips?: readonly Slip[];
  /** pairs of nodes whose values are written down for each other */
  swaps?: readonly (readonly [string, string])[];
}

/** One place a slip can be made alone: a neuron (its output node's name and LaTeX), or a pair of neighbours. */
export interface Place {
  name: string;
  tex: string;
  layer: number;
  index: number;
  /** for a swap: the neighbour */
  with?: string;
}

export interface Mistake {
  id: string;
  /** what it does, in a reader's words */
  sentence: string;
  /** what the mistaken step computes, as LaTeX */
  tex: string;
  /** the parts it changes; the others it leaves bit for bit */
  changes: readonly Part[];
  /** a slip a learner working the step by hand makes (an exercise's wrong answer is matched against these) */
  learner?: boolean;
  /** whether it changes anything here (a shared bias needs a layer whose biases differ; a sum, two samples) */
  applies(c: StepCase): boolean;
  /** the places it can be made alone, where it has more than one */
  places?(c: StepCase): Place[];
  apply(c: StepCase, at?: Place): StepCase;
  /** for a slip inside a formula: the factor it writes otherwise, as LaTeX over the nodes' symbols (undefined: a factor it leaves) */
  yours?(f: Factor): string | undefined;
}


/** Layers (0-based, past the input) whose neurons have per-neuron biases that are not all equal. */
const unevenBiases = (net: Network) => (net.config.bias === 'per_neuron' ? net.b.map((b, l) => (b.some((v) => v !== b[0]) ? l : -1)).filter((l) => l >= 0) : []);

const slipped = (c: StepCase, slip: Slip): StepCase => ({ ...c, slips: [...(c.slips ?? []), slip] });
const lastLayer = (c: StepCase) => c.net.sizes.length - 1;
const outputs = (c: StepCase) => c.net.sizes[lastLayer(c)];
const isElementwise = (act: string): act is ElementwiseActivation => act in ELEMENTWISE;
/** A curved activation: one whose derivative depends on where it is taken. */
const curved = (act: string) => act === 'sigmoid' || act === 'tanh';

/** The neurons (layer 1…L, index 0…) of the first sample, named by their output nodes, whose activation passes `keep`. */
function neurons(c: StepCase, keep: (act: string) => boolean): Place[] {
  const { labels, config, sizes } = c.net;
  const places: Place[] = [];
  for (let l = 1; l < sizes.length; l++) {
    if (!keep(config.activations[l - 1])) continue;
    for (let j = 0; j < sizes[l]; j++) places.push({ name: labels.activation[l - 1][j].name, tex: labels.activation[l - 1][j].tex, layer: l, index: j });
  }
  return places;
}

const outputPlaces = (c: StepCase): Place[] => {
  const L = lastLayer(c);
  return Array.from({ length: outputs(c) }, (_, j) => ({ name: c.net.labels.activation[L - 1][j].name, tex: c.net.labels.activation[L - 1][j].tex, layer: L, index: j }));
};

/** The activation factors ∂a/∂z of each sample, at one neuron or at every one whose activation passes `keep`. */
function activationFactors(t: NetworkTrace, keep: (act: string) => boolean, at?: Place): Factor[] {
  const found: Factor[] = [];
  for (const s of t.samples) {
    s.a.forEach((layer, l) => layer.forEach((a, j) => {
      const f = a.inputs[0];
      if (a.op !== 'activation' || !keep(f.rule)) return;
      if (!at || (at.layer === l + 1 && at.index === j)) found.push(f);
    }));
  }
  return found;
}

/** A slip in the factor ∂out/∂in of each curved activation (of one neuron, at a place): the factor as `value` writes it. */
function activationSlip(value: (f: Factor) => number): Pick<Mistake, 'applies' | 'places' | 'apply'> {
  return {
    applies: (c) => c.net.config.activations.some(curved),
    places: (c) => neurons(c, curved),
    apply: (c, at) => slipped(c, (t) => {
      for (const f of activationFactors(t, curved, at)) setFactor(t, f, value(f));
    }),
  };
}

/** The loss's factors ∂E/∂(output k) of a sample: the error term of each output (of one, at a place). */
function errorFactors(s: SampleTrace, at?: Place): Factor[] {
  const terms = s.terms.length ? s.terms.flatMap((term) => term.inputs.filter((f) => f.rule !== 'sum')) : s.loss.inputs;
  return at ? terms.filter((_, k) => k === at.index) : terms;
}

/** Sets a factor's value as the tape would hold it (shortened under a carry). */
const setFactor = (t: NetworkTrace, f: Factor, value: number) => {
  f.value = t.tape.carry('', value);
};

/** An error term from its nodes (edits are made again after a sequential step rewrites factors, so each reads the nodes, never the factor). */
function withTarget(f: Factor): number {
  if (f.rule === 'squared_error') return 2 * f.coefficient! * (f.wrt.value - f.target!.value);
  if (f.rule === 'bce_logit') return f.via!.value - f.target!.value;
  return f.coefficient! * f.via!.value - f.target!.value;
}

/** What a factor's error term reads without its target: 2c·a, a (bce), (Σt)·a (softmax). */
function withoutTarget(f: Factor): number {
  if (f.rule === 'squared_error') return 2 * f.coefficient! * f.wrt.value;
  if (f.rule === 'bce_logit') return f.via!.value;
  return f.coefficient! * f.via!.value;
}

/** Neighbouring values of a kind (the weighted sums, the activations, the loss terms of one layer of one sample): j and j + 1 for even j. */
function neighbourPairs(c: StepCase): Place[] {
  const trace = traceNetwork(c.net, c.samples);
  const pairs: Place[] = [];
  const add = (row: Node[], layer: number) => {
    for (let j = 0; j + 1 < row.length; j += 2) pairs.push({ name: row[j].name, tex: row[j].tex, with: row[j + 1].name, layer, index: j });
  };
  for (const s of trace.samples) {
    s.z.forEach((row, l) => add(row, l + 1));
    s.a.forEach((row, l) => add(row, l + 1));
    add(s.terms, lastLayer(c) + 1);
  }
  return pairs;
}

export const MISTAKES: readonly Mistake[] = [
  {
    id: 'shared-bias',
    sentence: "one bias for a whole layer: every neuron of a layer is given its first neuron's bias, where the network states one for each",
    tex: 'b_{l,j} \\to b_{l,1}',
    changes: ['forward', 'loss', 'gradients', 'updates'],
    applies: (c) => unevenBiases(c.net).length > 0,
    apply: (c) => {
      const net = c.net.clone();
      for (const l of unevenBiases(net)) net.b[l].fill(net.b[l][0]);
      return { ...c, net };
    },
  },
  {
    id: 'sum-for-mean',
    sentence: 'the loss summed over the samples where their mean was meant: the loss, and every gradient, grow by the number of samples',
    tex: 'E = \\sum_s E_s \\quad\\text{for}\\quad E = \\tfrac1n \\sum_s E_s',
    changes: ['loss', 'gradients', 'updates'],
    applies: (c) => c.net.config.reduction === 'mean' && c.samples.length > 1,
    apply: (c) => ({ ...c, net: c.net.reconfigured({ reduction: 'sum' }) }),
  },
  {
    id: 'biases-not-updated',
    sentence: 'the biases left out of the update: the weights take their step, the biases keep their values',
    tex: 'b^{+} = b',
    changes: ['updates'],
    learner: true,
    applies: (c) => c.net.config.bias !== 'none' && c.net.config.updates === 'all',
    apply: (c) => ({ ...c, net: c.net.reconfigured({ updates: 'weights' }) }),
  },
  {
    id: 'output-layer-first',
    sentence: "the output layer's weights updated before the hidden layer's gradients read them: the hidden layer steps by gradients through weights already moved",
    tex: '\\frac{\\partial E}{\\partial w_{\\text{hidden}}} \\text{ through } w^{+}_{\\text{output}}',
    changes: ['updates'],
    applies: (c) => c.net.sizes.length > 2 && c.net.config.update === 'simultaneous',
    apply: (c) => ({ ...c, net: c.net.reconfigured({ update: 'sequential' }) }),
  },
  {
    id: 'other-learning-rate',
    sentence: 'a step with another learning rate than the one stated (here a fifth of it, as α = 0.1 for 0.5)',
    tex: '\\alpha \\to \\alpha / 5',
    changes: ['updates'],
    applies: (c) => c.lr > 0,
    apply: (c) => ({ ...c, lr: c.lr / 5 }),
  },
  {
    id: 'missing-derivative',
    sentence: "the activation's derivative left out of the chain: the factor ∂out/∂in taken as 1",
    tex: '\\frac{\\partial \\mathrm{out}}{\\partial \\mathrm{in}} \\to 1',
    changes: ['gradients', 'updates'],
    learner: true,
    ...activationSlip(() => 1),
    yours: (f) => (curved(f.rule) ? '1' : undefined),
  },
  {
    id: 'derivative-of-output',
    sentence: "the activation's derivative taken at its output, as if the output were the input: σ′(out) for σ′(in)",
    tex: "f'(\\mathrm{out}) \\quad\\text{for}\\quad f'(\\mathrm{in})",
    changes: ['gradients', 'updates'],
    learner: true,
    ...activationSlip((f) => {
      const rule = ELEMENTWISE[f.rule as ElementwiseActivation];
      return rule.derivFromOutput(rule.value(f.of.value), f.of.value);
    }),
    yours: (f) => {
      if (!curved(f.rule)) return undefined;
      const out = `{${f.of.tex}}`;
      return f.rule === 'sigmoid' ? `\\sigma(${out})\\,(1-\\sigma(${out}))` : `1-\\tanh^2(${out})`;
    },
  },
  {
    id: 'input-in-derivative',
    sentence: "the activation's derivative, written through its output (out(1 − out), 1 − out²), taken with the net input in place of the output: in(1 − in)",
    tex: "\\mathrm{in}\\,(1-\\mathrm{in}) \\quad\\text{for}\\quad \\mathrm{out}\\,(1-\\mathrm{out})",
    changes: ['gradients', 'updates'],
    learner: true,
    ...activationSlip((f) => ELEMENTWISE[f.rule as ElementwiseActivation].derivFromOutput(f.wrt.value, f.wrt.value)),
    yours: (f) => {
      if (!curved(f.rule)) return undefined;
      const input = `{${f.wrt.tex}}`;
      return f.rule === 'sigmoid' ? `${input}\\,(1-${input})` : `1-${input}^2`;
    },
  },
  {
    id: 'output-for-error',
    sentence: 'the output used where the error belongs: out in place of out − t in the derivative of the loss',
    tex: '\\frac{\\partial E}{\\partial \\mathrm{out}} \\to \\mathrm{out} \\quad\\text{for}\\quad \\mathrm{out} - t',
    changes: ['gradients', 'updates'],
    learner: true,
    applies: () => true,
    places: outputPlaces,
    apply: (c, at) => slipped(c, (t) => {
      for (const s of t.samples) for (const f of errorFactors(s, at)) setFactor(t, f, withoutTarget(f));
    }),
    yours: (f) => {
      if (f.rule === 'squared_error') return `${f.coefficient === 0.5 ? '' : `${2 * f.coefficient!}\\,`}{${f.wrt.tex}}`;
      if (f.rule === 'bce_logit' || f.rule === 'softmax_ce_logit') return `{${f.via!.tex}}`;
      return undefined;
    },
  },
  {
    id: 'sign-flipped',
    sentence: 'the sign of the error flipped: t − out where out − t belongs, so the step climbs the loss instead of descending it',
    tex: '\\frac{\\partial E}{\\partial \\mathrm{out}} \\to -(\\mathrm{out} - t)',
    changes: ['gradients', 'updates'],
    learner: true,
    applies: () => true,
    places: outputPlaces,
    apply: (c, at) => slipped(c, (t) => {
      for (const s of t.samples) for (const f of errorFactors(s, at)) setFactor(t, f, -withTarget(f));
    }),
    yours: (f) => (f.rule === 'squared_error' ? `${f.coefficient === 0.5 ? '' : `${2 * f.coefficient!}\\,`}({${f.target!.tex}}-{${f.wrt.tex}})` : f.rule === 'bce_logit' || f.rule === 'softmax_ce_logit' ? `{${f.target!.tex}}-{${f.via!.tex}}` : undefined),
  },
  {
    id: 'branch-forgotten',
    sentence: "one output's branch forgotten: a hidden neuron's gradient leaves out the path through one of the outputs (the last, where no output is named)",
    tex: '\\frac{\\partial E}{\\partial \\mathrm{out}_h} = \\sum_{k<K} \\frac{\\partial E_k}{\\partial \\mathrm{out}_h}',
    changes: ['gradients', 'updates'],
    learner: true,
    applies: (c) => lastLayer(c) > 1 && outputs(c) > 1,
    places: outputPlaces,
    apply: (c, at) => slipped(c, (t) => {
      const k = at?.index ?? outputs(c) - 1;
      for (const s of t.samples) for (const f of s.z[s.z.length - 1][k].inputs) if (f.rule === 'linear_input') setFactor(t, f, 0);
    }),
    yours: (f) => (f.rule === 'linear_input' ? '0' : undefined),
  },
  {
    id: 'input-for-output',
    sentence: "the neuron's net input used where its output belongs: ∂in/∂w read as the weighted sum below, not its activation",
    tex: '\\frac{\\partial \\mathrm{in}_o}{\\partial w} \\to \\mathrm{in}_h \\quad\\text{for}\\quad \\mathrm{out}_h',
    changes: ['gradients', 'updates'],
    learner: true,
    applies: (c) => lastLayer(c) > 1 && c.net.config.activations.slice(0, -1).some((a) => isElementwise(a) && a !== 'identity'),
    apply: (c) => slipped(c, (t) => {
      for (const n of t.tape.nodes) {
        for (const f of n.inputs) if (f.rule === 'linear_weight' && f.via?.op === 'activation' && f.via.inputs[0].rule !== 'identity') setFactor(t, f, f.via.inputs[0].wrt.value);
      }
    }),
    yours: (f) => (f.rule === 'linear_weight' && f.via?.op === 'activation' ? `{${f.via.inputs[0].wrt.tex}}` : undefined),
  },
  {
    id: 'neighbours-swapped',
    sentence: 'two neighbouring results written down for each other: the figure given for one is the other’s',
    tex: 'x_j \\leftrightarrow x_{j+1}',
    changes: ['forward'],
    applies: (c) => neighbourPairs(c).length > 0,
    places: neighbourPairs,
    apply: (c, at) => ({ ...c, swaps: [...(c.swaps ?? []), ...(at ? [at] : neighbourPairs(c)).map((p) => [p.name, p.with!] as const)] }),
  },
];

/** A step as a mistaken case computes it: its trace (the gradients, with the case's carry and slips, and its swaps) and the step itself. */
export interface MistakenStep {
  trace: NetworkTrace;
  /** taken when first asked for */
  readonly step: TracedStep;
  /** the trace's node of a name (a hint: where it stands in a trace of the same network) */
  node(name: string, hint?: number): Node | undefined;
}

export function stepOf(c: StepCase): MistakenStep {
  const edit = c.slips?.length ? (t: NetworkTrace) => c.slips!.forEach((s) => s(t)) : undefined;
  const trace = traceNetwork(c.net, c.samples, c.carry);
  if (edit) {
    edit(trace);
    trace.tape.backward(trace.loss);
  }
  for (const [a, b] of c.swaps ?? []) {
    const x = trace.tape.nodes.find((n) => n.name === a), y = trace.tape.nodes.find((n) => n.name === b);
    if (x && y) [x.value, y.value] = [y.value, x.value];
  }
  let step: TracedStep | undefined;
  let byName: Map<string, Node> | undefined;
  return {
    trace,
    node(name, hint) {
      const at = hint === undefined ? undefined : trace.tape.nodes[hint];
      if (at?.name === name) return at;
      byName ??= new Map(trace.tape.nodes.map((n) => [n.name, n]));
      return byName.get(name);
    },
    get step() {
      if (!step) {
        const net = c.net.clone();
        step = tracedStep(net, c.samples, c.lr, net.config.update, { carry: c.carry, edit });
      }
      return step;
    },
  };
}

/** A quantity of the traced step, as ::check and {{…}} name it. */
export interface StepRef {
  kind: 'value' | 'grad' | 'partial' | 'new' | 'applied';
  name: string;
  /** for partial: the node differentiated */
  of?: string;
  /** where the node stands on the tape, as a hint */
  at?: number;
}

export const STEP_KINDS: readonly string[] = ['value', 'grad', 'partial', 'new', 'applied'];

/**
 * The number a mistaken step gives a quantity: a value as computed from what the step carried
 * (a value the carry gives is judged by what it was computed as), a gradient, a partial
 * derivative (its products shortened as the carry shortens them), an update. Undefined where
 * the step has no such quantity.
 */
export function quantityOf(s: MistakenStep, ref: StepRef): number | undefined {
  const { tape } = s.trace;
  const node = s.node(ref.name, ref.at);
  if (!node) return undefined;
  switch (ref.kind) {
    case 'value':
      return tape.computed.get(ref.name) ?? node.value;
    case 'grad':
      return node.grad;
    case 'partial': {
      const of = s.node(ref.of ?? '');
      if (!of) return undefined;
      try {
        const chain = explainGradient(tape, of, node);
        return tape.carried ? chain.paths.reduce((sum, p) => tape.carry('', sum + p.factors.reduce((v, f) => tape.carry('', v * f.value), 1)), 0) : chain.value;
      } catch {
        return undefined;
      }
    }
    case 'new':
    case 'applied': {
      const i = s.trace.params.indexOf(node);
      if (i < 0) return undefined;
      return ref.kind === 'new' ? s.step.after[i] : s.step.applied[i];
    }
  }
}
