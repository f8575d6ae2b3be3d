// The network diagram: layers as columns of neurons, every weight on its edge, every bias
// and (for the first sample) every output beside its neuron. SVG text only: no script.
import type { Network } from '../../src/network.ts';
import { formatNumber } from '../format.ts';
import type { NetworkTrace } from '../../src/trace.ts';
import { escapeHtml } from '../html.ts';

const COL = 230, ROW = 110, R = 24, PAD = 60;

export function networkFigure(net: Network, params: Float64Array, trace: NetworkTrace, decimals: number): string {
  const sizes = net.sizes;
  const tallest = Math.max(...sizes);
  const width = PAD * 2 + COL * (sizes.length - 1);
  const height = PAD * 2 + ROW * (tallest - 1) + 30;
  const d = Math.min(decimals, 4);
  const at = (l: number, j: number) => ({ x: PAD + l * COL, y: PAD + ((tallest - sizes[l]) * ROW) / 2 + j * ROW });
  const value = new Map(net.params.map((p, i) => [p.name, params[i]]));
  const sample = trace.samples[0];
  const parts: string[] = [];
  // Past six weights between two layers their labels collide: those layers show edges only.
  const labelled = (l: number) => sizes[l - 1] * sizes[l] <= 6;
  for (const p of net.params) {
    if (p.kind !== 'weight') continue;
    const a = at(p.layer - 1, p.k - 1), b = at(p.layer, p.j - 1);
    const t = 0.3 + 0.4 * ((p.k - 1) / Math.max(1, sizes[p.layer - 1] - 1)); // stagger labels along the edges
    const lx = a.x + (b.x - a.x) * t, ly = a.y + (b.y - a.y) * t;
    parts.push(`<line class="edge" x1="${a.x + R}" y1="${a.y}" x2="${b.x - R}" y2="${b.y}"/>`);
    if (labelled(p.layer)) parts.push(`<text class="weight" x="${lx.toFixed(1)}" y="${(ly - 4).toFixed(1)}">${escapeHtml(p.name)} = ${formatNumber(value.get(p.name)!, d)}</text>`);
  }
  sizes.forEach((n, l) => {
    for (let j = 0; j < n; j++) {
      const c = at(l, j);
      const label = l === 0 ? sample.inputs[j].name : sample.a[l - 1][j].name;
      const shown = l === 0 ? sample.inputs[j].value : sample.a[l - 1][j].value;
      parts.push(`<circle class="neuron${l === 0 ? ' input' : ''}" cx="${c.x}" cy="${c.y}" r="${R}"/>`);
      // Inside the circle: the neuron's short name (h1, o1) or its number.
      const short = label.replace(/^(out_|in_)/, '');
      parts.push(`<text class="neuron-label" x="${c.x}" y="${c.y + 4}">${escapeHtml(short.length > 4 ? String(j + 1) : short)}</text>`);
      parts.push(`<text class="neuron-value" x="${c.x}" y="${c.y + R + 16}">${escapeHtml(label)} = ${formatNumber(shown, d)}</text>`);
      if (l > 0) {
        const b = net.params.find((p) => p.kind === 'bias' && p.layer === l && (p.j === j + 1 || p.j === 0));
        if (b && (b.j !== 0 || j === 0)) parts.push(`<text class="bias" x="${c.x}" y="${c.y - R - 8}">${escapeHtml(b.name)} = ${formatNumber(value.get(b.name)!, d)}</text>`);
      }
    }
  });
  return `<svg class="network" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="network diagram ${sizes.join('-')}">${parts.join('')}</svg>`;
}

/** The diagram as a figure with its caption. */
export function networkFigureBox(net: Network, params: Float64Array, trace: NetworkTrace, decimals: number, updated: boolean): string {
  return `<figure class="figure">${networkFigure(net, params, trace, decimals)}<figcaption>The network ${updated ? 'after the update' : 'with its starting parameters'}: weights on the edges (where there is room for them), biases above the neurons and, below them, their outputs for the first sample.</figcaption></figure>`;
}
