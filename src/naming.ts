// How each tutorial names the parts of its network. A scheme maps a position (layer l from 1
// to L, neuron j of that layer, neuron k of the layer below, all 1-based) to an identifier for
// directives and a LaTeX symbol for the page.

export type NamingScheme = 'sequential' | 'indexed' | 'matrix';
export const NAMING_SCHEMES: readonly NamingScheme[] = ['sequential', 'indexed', 'matrix'];

export interface Label {
  name: string;
  tex: string;
}

export interface Names {
  input(k: number): Label;
  target(j: number): Label;
  weight(l: number, j: number, k: number): Label;
  /** j is 0 when the layer has one shared bias. */
  bias(l: number, j: number): Label;
  preactivation(l: number, j: number): Label;
  activation(l: number, j: number): Label;
  /** The loss term of output j of one sample. */
  lossTerm(j: number): Label;
  /** The loss of one sample. */
  loss: Label;
  /** The loss of a batch, before regularisation. */
  dataLoss: Label;
  regularisation: Label;
}

const label = (name: string, tex: string): Label => ({ name, tex });
/** Indices run together (W11) while they are single digits, and are separated (W1_12) after. */
const joined = (...ix: number[]) => (ix.every((i) => i < 10) ? ix.join('') : ix.join('_'));
const texJoined = (...ix: number[]) => (ix.every((i) => i < 10) ? ix.join('') : ix.join(','));

/** Seed 003: i1, w1…w8 numbered layer by layer, b1…b4, in_h1/out_h1, in_o1/out_o1, E_o1, E_total. */
function sequential(sizes: readonly number[], sharedBias: boolean): Names {
  const L = sizes.length - 1;
  const weightOffset = [0];
  const biasOffset = [0];
  for (let l = 1; l <= L; l++) {
    weightOffset.push(weightOffset[l - 1] + sizes[l] * sizes[l - 1]);
    biasOffset.push(biasOffset[l - 1] + sizes[l]);
  }
  // Output neurons are o1, o2…; one hidden layer is h1, h2…; deeper nets number the layer too.
  const neuron = (l: number, j: number): Label =>
    l === L ? label(`o${j}`, `o_{${j}}`) : L === 2 ? label(`h${j}`, `h_{${j}}`) : label(`h${l}_${j}`, `h^{(${l})}_{${j}}`);
  return {
    input: (k) => label(`i${k}`, `i_{${k}}`),
    target: (j) => label(`t_o${j}`, `t_{o_{${j}}}`),
    weight: (l, j, k) => {
      const n = weightOffset[l - 1] + (j - 1) * sizes[l - 1] + k;
      return label(`w${n}`, `w_{${n}}`);
    },
    bias: (l, j) => {
      const n = sharedBias ? l : biasOffset[l - 1] + j;
      return label(`b${n}`, `b_{${n}}`);
    },
    preactivation: (l, j) => {
      const n = neuron(l, j);
      return label(`in_${n.name}`, `\\name{in}_{${n.tex}}`);
    },
    activation: (l, j) => {
      const n = neuron(l, j);
      return label(`out_${n.name}`, `\\name{out}_{${n.tex}}`);
    },
    lossTerm: (j) => label(`E_o${j}`, `E_{o_{${j}}}`),
    loss: label('E_total', 'E_{\\name{total}}'),
    dataLoss: label('E_data', 'E_{\\name{data}}'),
    regularisation: label('E_reg', 'E_{\\name{reg}}'),
  };
}

/**
 * Seed 000: inputs X1…X3; W11, W21, W31 feed hidden neuron 1 (first index: the input); the
 * output layer's W41…W45 take the next index after the inputs for the receiving neuron and
 * the hidden neuron as the second. Sums of products are sop1…sop6 numbered across layers,
 * hidden outputs Activ1…, the output `predicted`, the loss `error`.
 */
function indexed(sizes: readonly number[]): Names {
  const L = sizes.length - 1;
  const neuronOffset = [0];
  for (let l = 1; l <= L; l++) neuronOffset.push(neuronOffset[l - 1] + sizes[l]);
  const single = sizes[L] === 1;
  return {
    input: (k) => label(`X${k}`, `X_{${k}}`),
    target: (j) => (single ? label('target', '\\name{target}') : label(`target${j}`, `\\name{target}_{${j}}`)),
    weight: (l, j, k) => {
      const [a, b] = l === 1 ? [k, j] : [sizes[0] + neuronOffset[l - 1] - neuronOffset[1] + j, k];
      return label(`W${joined(a, b)}`, `W_{${texJoined(a, b)}}`);
    },
    bias: (l, j) => {
      const n = j === 0 ? l : neuronOffset[l - 1] + j;
      return label(`b${n}`, `b_{${n}}`);
    },
    preactivation: (l, j) => {
      const n = neuronOffset[l - 1] + j;
      return label(`sop${n}`, `\\name{SOP}_{${n}}`);
    },
    activation: (l, j) => {
      if (l < L) return label(`Activ${neuronOffset[l - 1] + j}`, `\\name{Activ}_{${neuronOffset[l - 1] + j}}`);
      return single ? label('predicted', '\\name{predicted}') : label(`predicted${j}`, `\\name{predicted}_{${j}}`);
    },
    lossTerm: (j) => (single ? label('error', '\\name{error}') : label(`error${j}`, `\\name{error}_{${j}}`)),
    loss: label('error', '\\name{error}'),
    dataLoss: label('error_data', '\\name{error}_{\\name{data}}'),
    regularisation: label('error_reg', '\\name{error}_{\\name{reg}}'),
  };
}

/** Seed 004: W^(l)_jk, b^(l)_j, z^(l)_j, a^(l)_j, inputs x_k, targets y_j, the loss 𝓛. */
function matrix(): Names {
  return {
    input: (k) => label(`x${k}`, `x_{${k}}`),
    target: (j) => label(`y${j}`, `y_{${j}}`),
    weight: (l, j, k) => label(`W${l}_${joined(j, k)}`, `W^{(${l})}_{${texJoined(j, k)}}`),
    bias: (l, j) => (j === 0 ? label(`b${l}`, `b^{(${l})}`) : label(`b${l}_${j}`, `b^{(${l})}_{${j}}`)),
    preactivation: (l, j) => label(`z${l}_${j}`, `z^{(${l})}_{${j}}`),
    activation: (l, j) => label(`a${l}_${j}`, `a^{(${l})}_{${j}}`),
    lossTerm: (j) => label(`L_${j}`, `\\mathcal{L}_{${j}}`),
    loss: label('L', '\\mathcal{L}'),
    dataLoss: label('L_data', '\\mathcal{L}_{\\name{data}}'),
    regularisation: label('L_reg', '\\mathcal{L}_{\\name{reg}}'),
  };
}

export function namesFor(scheme: NamingScheme, sizes: readonly number[], sharedBias: boolean): Names {
  switch (scheme) {
    case 'sequential': return sequential(sizes, sharedBias);
    case 'indexed': return indexed(sizes);
    case 'matrix': return matrix();
  }
}

/**
 * The KaTeX macros every lesson shares, so a multi-letter name is set upright as one word
 * (out, not the product o·u·t) in the engine's equations and the lesson's prose alike.
 */
export const NAME_MACROS: Readonly<Record<string, string>> = {
  '\\name': '\\mathrm{#1}',
  '\\out': '\\mathrm{out}',
  '\\In': '\\mathrm{in}',
};
