// The catalogue of backprop slips that a source or a learner makes, as data: each entry a
// named transformation of a lesson's step (its network, samples and learning rate), with the
// sentence a reader understands, the LaTeX of what the mistaken step computes, and which parts
// of the step it changes (every other number stays exactly as it was). Entries compose: one
// applied to what another returned. test/mistakes.test.ts holds each entry, and each pair, to
// its claim on the 2-2-2, 3-5-1 and 4-6-3 networks.
//
// These are the slips of the model and the step. The slips inside one formula (a factor left
// out or applied to the wrong node, a sign, two neighbouring results swapped, intermediates
// shortened) transform the traced arithmetic, and join the catalogue with the tracer's hooks.
import { Network } from '../network.ts';
import type { NetworkConfig } from '../spec.ts';
import type { Sample } from '../trace.ts';

/** The parts of a traced step: the forward values (every node but the parameters and the loss), the loss, the gradients, the parameters after the step. */
export type Part = 'forward' | 'loss' | 'gradients' | 'updates';

export interface StepCase {
  net: Network;
  samples: readonly Sample[];
  lr: number;
}

export interface Mistake {
  id: string;
  /** what it does, in a reader's words */
  sentence: string;
  /** what the mistaken step computes, as LaTeX */
  tex: string;
  /** the parts it changes; the others it leaves bit for bit */
  changes: readonly Part[];
  /** whether it changes anything here (a shared bias needs a layer whose biases differ; a sum, two samples) */
  applies(c: StepCase): boolean;
  apply(c: StepCase): StepCase;
}

/** The same parameters in a network configured otherwise. */
function reconfigured(net: Network, changes: Partial<NetworkConfig>): Network {
  const copy = new Network({ ...net.config, ...changes });
  net.W.forEach((w, i) => copy.W[i].set(w));
  net.b.forEach((b, i) => copy.b[i].set(b));
  return copy;
}

/** Layers (0-based, past the input) whose neurons have per-neuron biases that are not all equal. */
const unevenBiases = (net: Network) => (net.config.bias === 'per_neuron' ? net.b.map((b, l) => (b.some((v) => v !== b[0]) ? l : -1)).filter((l) => l >= 0) : []);

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
    apply: (c) => ({ ...c, net: reconfigured(c.net, { reduction: 'sum' }) }),
  },
  {
    id: 'biases-not-updated',
    sentence: 'the biases left out of the update: the weights take their step, the biases keep their values',
    tex: 'b^{+} = b',
    changes: ['updates'],
    applies: (c) => c.net.config.bias !== 'none' && c.net.config.updates === 'all',
    apply: (c) => ({ ...c, net: reconfigured(c.net, { updates: 'weights' }) }),
  },
  {
    id: 'output-layer-first',
    sentence: "the output layer's weights updated before the hidden layer's gradients read them: the hidden layer steps by gradients through weights already moved",
    tex: '\\frac{\\partial E}{\\partial w_{\\text{hidden}}} \\text{ through } w^{+}_{\\text{output}}',
    changes: ['updates'],
    applies: (c) => c.net.sizes.length > 2 && c.net.config.update === 'simultaneous',
    apply: (c) => ({ ...c, net: reconfigured(c.net, { update: 'sequential' }) }),
  },
  {
    id: 'other-learning-rate',
    sentence: 'a step with another learning rate than the one stated (here a fifth of it, as α = 0.1 for 0.5)',
    tex: '\\alpha \\to \\alpha / 5',
    changes: ['updates'],
    applies: (c) => c.lr > 0,
    apply: (c) => ({ ...c, lr: c.lr / 5 }),
  },
];
