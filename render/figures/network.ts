// The network diagram: layers as columns of neurons, weights on their edges where they fit
// without touching another label, biases above the neurons and (for the first sample) every
// output below; every number is in the figure's table too. SVG text only: no script.
import type { Network, ParamInfo } from '../../src/network.ts';
import type { RenderContext } from '../../src/lesson/directive.ts';
import type { NetworkTrace } from '../../src/trace.ts';
import { textNumber } from '../format.ts';
import { escapeHtml } from '../html.ts';
import { dataTable, overlaps, svgImage, textBox, type Box } from './axes.ts';

const ROW = 104, R = 24, PAD = 70, TOP = 44, LABEL = 11;
/** Where along an edge (0: sending neuron, 1: receiving) a weight's label may sit, nearest the middle first. */
const ALONG = Array.from({ length: 29 }, (_, i) => 0.15 + i * 0.025).sort((a, b) => Math.abs(a - 0.5) - Math.abs(b - 0.5) || a - b);
/** How far another edge must pass from a label for the label to read as its own edge's. */
const CLEAR = 4;
/** The gaps between two columns tried, narrowest first, for a layer's weight labels to fit. */
const GAPS = [230, 260, 290, 320, 360, 400, 440, 500];

/** The diagram's layout and text, computed once for the drawing, its caption and its table. */
export interface NetworkLayout {
  width: number;
  height: number;
  svg: string;
  /** layers (1-based) whose weights are on the drawing; the others' are in the table only */
  labelled: number[];
  /** neuron names shortened for the circles where the lesson's are too long: [circle, lesson's name] */
  renamed: [string, string][];
  /** every text's box, for tests */
  boxes: Box[];
}

/** The short name in a neuron's circle: the lesson's (h1, a1_1, X1) where it is short and unique, else its layer's letter and number. */
function circleNames(net: Network, names: string[][]): string[][] {
  const L = net.sizes.length - 1;
  const short = names.map((layer) => layer.map((n) => n.replace(/^(out_|in_)/, '')));
  const all = short.flat();
  return short.map((layer, l) => layer.map((s, j) => {
    if (s.length <= 4 && all.indexOf(s) === all.lastIndexOf(s)) return s;
    if (l === 0) return `x${j + 1}`;
    if (l === L) return `o${j + 1}`;
    return L === 2 ? `h${j + 1}` : `h${l}.${j + 1}`;
  }));
}

/** Whether the segment from a to b passes through the box (sampled: boxes are wider than the steps). */
function crosses(a: { x: number; y: number }, b: { x: number; y: number }, box: Box): boolean {
  for (let i = 0; i <= 40; i++) {
    const x = a.x + ((b.x - a.x) * i) / 40, y = a.y + ((b.y - a.y) * i) / 40;
    if (x > box.x0 && x < box.x1 && y > box.y0 && y < box.y1) return true;
  }
  return false;
}

export function networkLayout(net: Network, params: Float64Array, trace: NetworkTrace, decimals: number): NetworkLayout {
  const sizes = net.sizes;
  const tallest = Math.max(...sizes);
  const d = Math.min(decimals, 4);
  const value = new Map(net.params.map((p, i) => [p.name, params[i]]));
  const sample = trace.samples[0];
  const weights = net.params.filter((p) => p.kind === 'weight');
  const weightText = (p: ParamInfo) => `${p.name} = ${textNumber(value.get(p.name)!, d)}`;
  const height = TOP + 2 * R + ROW * (tallest - 1) + 28;
  const colX = [PAD];
  const at = (l: number, j: number) => ({ x: colX[l], y: TOP + R + ((tallest - sizes[l]) * ROW) / 2 + j * ROW });
  const names = sizes.map((n, l) => Array.from({ length: n }, (_, j) => (l === 0 ? sample.inputs[j] : sample.a[l - 1][j]).name));
  const shown = sizes.map((n, l) => Array.from({ length: n }, (_, j) => (l === 0 ? sample.inputs[j] : sample.a[l - 1][j]).value));
  const inCircle = circleNames(net, names);
  const biasOf = (l: number, j: number) => {
    const b = l > 0 ? net.params.find((p) => p.kind === 'bias' && p.layer === l && (p.j === j + 1 || p.j === 0)) : undefined;
    // A shared bias is written once, above its layer's top neuron.
    return b && (b.j !== 0 || j === 0) ? `${b.name} = ${textNumber(value.get(b.name)!, d)}${b.j === 0 && sizes[l] > 1 ? ' (shared)' : ''}` : undefined;
  };
  /** A column's neurons and the texts around them, as drawn and as boxes. */
  const column = (l: number) => {
    const svg: string[] = [], texts: string[] = [], boxes: Box[] = [];
    const text = (cls: string, str: string, x: number, y: number) => {
      texts.push(`<text class="${cls}" x="${x.toFixed(1)}" y="${y.toFixed(1)}">${escapeHtml(str)}</text>`);
      boxes.push(textBox(str, x, y, LABEL));
    };
    for (let j = 0; j < sizes[l]; j++) {
      const c = at(l, j);
      svg.push(`<circle class="neuron${l === 0 ? ' input' : l === sizes.length - 1 ? ' output' : ''}" cx="${c.x}" cy="${c.y}" r="${R}"/><text class="neuron-label" x="${c.x}" y="${c.y + 5}">${escapeHtml(inCircle[l][j])}</text>`);
      boxes.push({ x0: c.x - R, y0: c.y - R, x1: c.x + R, y1: c.y + R });
      text('neuron-value', `${names[l][j]} = ${textNumber(shown[l][j], d)}`, c.x, c.y + R + 15);
      const b = biasOf(l, j);
      if (b) text('bias', b, c.x, c.y - R - 9);
    }
    return { svg, texts, boxes };
  };

  /** Every weight of layer l on its edge without touching a text or another edge, or undefined where one does not fit. */
  const place = (l: number, taken: Box[]) => {
    const layer = weights.filter((p) => p.layer === l);
    const ends = layer.map((p) => [at(l - 1, p.k - 1), at(l, p.j - 1)] as const);
    const placed: { box: Box; x: number; y: number; s: string }[] = [];
    for (let i = 0; i < layer.length; i++) {
      const [a, b] = ends[i];
      const s = weightText(layer[i]);
      let best: { box: Box; x: number; y: number } | undefined;
      for (const t of ALONG) {
        const x = a.x + (b.x - a.x) * t, y = a.y + (b.y - a.y) * t + 4;
        const box = textBox(s, x, y, LABEL);
        if (taken.some((o) => overlaps(box, o, 1.5)) || placed.some((o) => overlaps(box, o.box, 1.5))) continue;
        // No other edge under or beside the label: on a crossing it would read as either edge's.
        const clear = { x0: box.x0 - CLEAR, y0: box.y0 - CLEAR, x1: box.x1 + CLEAR, y1: box.y1 + CLEAR };
        if (ends.some((e, k) => k !== i && crosses(e[0], e[1], clear))) continue;
        best = { box, x, y };
        break;
      }
      if (!best) return undefined;
      placed.push({ ...best, s });
    }
    return { placed, ends };
  };

  // Each layer's weights are placed together, or not at all: a drawing with some of a layer's
  // weights would read as if the others were missing. A layer whose labels do not fit gets a
  // wider gap, up to a limit; past it its weights are in the table only.
  const labelled: number[] = [];
  const texts: string[] = [], edges: string[] = [];
  const weightBoxes: Box[] = [];
  for (let l = 1; l < sizes.length; l++) {
    let fit: ReturnType<typeof place>;
    for (const g of GAPS) {
      colX[l] = colX[l - 1] + g;
      fit = place(l, [...column(l - 1).boxes, ...column(l).boxes, ...weightBoxes]);
      if (fit) break;
    }
    if (!fit) colX[l] = colX[l - 1] + GAPS[0];
    const layer = weights.filter((p) => p.layer === l);
    for (const p of layer) {
      const a = at(l - 1, p.k - 1), b = at(l, p.j - 1);
      edges.push(`<line class="edge" x1="${a.x + R}" y1="${a.y}" x2="${b.x - R}" y2="${b.y}"/>`);
    }
    if (fit) {
      labelled.push(l);
      for (const p of fit.placed) {
        // The label covers its stretch of edge: it sits on the line it names.
        texts.push(`<rect class="label-bg" x="${(p.box.x0 - 2).toFixed(1)}" y="${(p.box.y0 - 1).toFixed(1)}" width="${(p.box.x1 - p.box.x0 + 4).toFixed(1)}" height="${(p.box.y1 - p.box.y0 + 2).toFixed(1)}" rx="2"/><text class="weight" x="${p.x.toFixed(1)}" y="${p.y.toFixed(1)}">${escapeHtml(p.s)}</text>`);
        weightBoxes.push(p.box);
      }
    }
  }
  const width = colX[colX.length - 1] + PAD;
  const neurons: string[] = [], taken: Box[] = [...weightBoxes];
  for (let l = 0; l < sizes.length; l++) {
    const c = column(l);
    neurons.push(...c.svg);
    texts.push(...c.texts);
    taken.push(...c.boxes);
  }
  const renamed: [string, string][] = [];
  sizes.forEach((n, l) => { for (let j = 0; j < n; j++) if (inCircle[l][j] !== names[l][j].replace(/^(out_|in_)/, '')) renamed.push([inCircle[l][j], names[l][j]]); });
  return { width, height, svg: edges.join('') + neurons.join('') + texts.join(''), labelled, renamed, boxes: taken };
}

function layerName(l: number, last: number): string {
  return l === 0 ? 'the inputs' : l === last ? 'the output layer' : last === 2 ? 'the hidden layer' : `hidden layer ${l}`;
}

/** The diagram as a numbered figure: its caption says what is drawn where, its table holds every number. */
export function networkFigureBox(page: RenderContext, net: Network, params: Float64Array, trace: NetworkTrace, decimals: number, updated: boolean): string {
  const lay = networkLayout(net, params, trace, decimals);
  const sizes = net.sizes, last = sizes.length - 1;
  const value = new Map(net.params.map((p, i) => [p.name, params[i]]));
  const sample = trace.samples[0];
  const which = trace.samples.length > 1 ? 'the first sample' : 'the sample';
  const neuron = (l: number, j: number) => (l === 0 ? sample.inputs[j - 1] : sample.a[l - 1][j - 1]);
  const biases = net.params.filter((p) => p.kind === 'bias');
  const shared = biases.some((b) => b.j === 0);
  const weights = net.params.filter((p) => p.kind === 'weight');
  const state = updated ? 'after the update' : 'with its starting parameters';
  const d = Math.min(decimals, 4);

  const unlabelled = sizes.slice(1).map((_, i) => i + 1).filter((l) => !lay.labelled.includes(l));
  const weightWords = unlabelled.length === 0
    ? 'every weight on its edge'
    : lay.labelled.length === 0
      ? `its ${weights.length} weights (too many to label legibly on the edges) in the table below`
      : `the weights into ${lay.labelled.map((l) => layerName(l, last)).join(' and ')} on their edges, and those into ${unlabelled.map((l) => layerName(l, last)).join(' and ')} (${weights.filter((p) => unlabelled.includes(p.layer)).length}, too many to label legibly) in the table below`;
  const biasWords = biases.length === 0 ? '' : shared ? ' Each layer has one bias, shared by its neurons, written above its top neuron.' : ' Each neuron\'s bias is above it.';
  const renamed = lay.renamed.filter(([, n]) => !/^(x|X)\d/.test(n));
  const renameWords = renamed.length ? ` In the circles, ${renamed.map(([c, n]) => `${escapeHtml(c)} is ${escapeHtml(n)}`).join(', ')}.` : '';
  const caption = `The ${sizes.join('-')} network ${state}: ${weightWords}, and below each neuron its output for ${which}.${biasWords}${renameWords}`;

  const paramRows = net.params.map((p) => [p.name, p.kind === 'weight' ? `${neuron(p.layer - 1, p.k).name} → ${neuron(p.layer, p.j).name}` : p.j === 0 ? `every neuron of layer ${p.layer}` : neuron(p.layer, p.j).name, textNumber(value.get(p.name)!, decimals)]);
  const neuronRows = sizes.flatMap((n, l) => Array.from({ length: n }, (_, j) => [neuron(l, j + 1).name, layerName(l, last), textNumber(neuron(l, j + 1).value, decimals)]));
  const data = dataTable(`Every parameter ${updated ? 'after the update' : 'at its starting value'}`, ['parameter', biases.length ? 'from → to (a bias: its neuron)' : 'from → to', 'value'], paramRows)
    + dataTable(`Neurons' outputs for ${which}`, ['neuron', 'layer', 'value'], neuronRows);
  const title = `The ${sizes.join('-')} network ${state}`;
  const desc = `${sizes.map((n, l) => `${layerName(l, last)}: ${Array.from({ length: n }, (_, j) => `${neuron(l, j + 1).name} = ${textNumber(neuron(l, j + 1).value, d)}`).join(', ')}`).join('; ')}. Weights: ${weights.map((p) => `${p.name} = ${textNumber(value.get(p.name)!, d)}`).join(', ')}.${biases.length ? ` Biases: ${biases.map((p) => `${p.name} = ${textNumber(value.get(p.name)!, d)}`).join(', ')}.` : ' No biases.'}`;
  return page.figure({ body: svgImage('network', lay.width, lay.height, title, desc, lay.svg), caption, data, wide: lay.width > 760 });
}
