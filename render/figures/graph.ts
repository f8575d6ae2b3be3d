// The computation graph of the first sample: every node with its value and its gradient,
// columns by depth from the leaves, and the paths of one parameter's chain highlighted.
import type { NetworkTrace } from '../../src/trace.ts';
import type { Node } from '../../src/tape.ts';
import { formatNumber } from '../format.ts';
import { escapeHtml } from '../html.ts';

const COL = 150, ROW = 62, W = 124, H = 46, PAD = 16;

/** `hot`: the factors and nodes of the highlighted chain's paths; `graded`: the nodes whose gradient backward computes. */
export function graphFigure(trace: NetworkTrace, hot: ReadonlySet<object>, graded: ReadonlySet<Node>, decimals: number): string {
  const nodes = trace.tape.nodes.filter((n) => n.id <= trace.loss.id && n.op !== 'param' || trace.params.includes(n));
  const depth = new Map<Node, number>();
  for (const n of nodes) depth.set(n, n.inputs.length === 0 ? 0 : 1 + Math.max(...n.inputs.map((f) => depth.get(f.wrt) ?? 0)));
  const columns: Node[][] = [];
  for (const n of nodes) (columns[depth.get(n)!] ??= []).push(n);
  const tallest = Math.max(...columns.map((c) => c.length));
  const pos = new Map<Node, { x: number; y: number }>();
  columns.forEach((col, c) => col.forEach((n, r) => pos.set(n, { x: PAD + c * COL, y: PAD + ((tallest - col.length) * ROW) / 2 + r * ROW })));
  const d = Math.min(decimals, 4);
  const edges: string[] = [], boxes: string[] = [];
  for (const n of nodes) {
    for (const f of n.inputs) {
      const a = pos.get(f.wrt), b = pos.get(n);
      if (!a || !b) continue;
      edges.push(`<line class="edge${hot.has(f) ? ' hot' : ''}" x1="${a.x + W}" y1="${a.y + H / 2}" x2="${b.x}" y2="${b.y + H / 2}"/>`);
    }
    const p = pos.get(n)!;
    boxes.push(`<g class="node ${n.op}${hot.has(n) ? ' hot' : ''}"><rect x="${p.x}" y="${p.y}" width="${W}" height="${H}" rx="6"/><text class="name" x="${p.x + W / 2}" y="${p.y + 15}">${escapeHtml(n.name)}</text><text class="value" x="${p.x + W / 2}" y="${p.y + 29}">${formatNumber(n.value, d)}</text>${graded.has(n) ? `<text class="grad" x="${p.x + W / 2}" y="${p.y + 42}">∂ ${formatNumber(n.grad, d)}</text>` : ''}</g>`);
  }
  const width = PAD * 2 + (columns.length - 1) * COL + W, height = PAD * 2 + (tallest - 1) * ROW + H;
  return `<svg class="graph" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="computation graph">${edges.join('')}${boxes.join('')}</svg>`;
}

/** The graph as a figure with its caption; `highlight`: the parameter whose paths are hot. */
export function graphFigureBox(trace: NetworkTrace, hot: ReadonlySet<object>, graded: ReadonlySet<Node>, decimals: number, highlight: Node | undefined): string {
  const loss = escapeHtml(trace.loss.name);
  const caption = highlight ? `The computation graph: every node's value and, below it, ∂${loss}/∂node (targets have none: the loss is not differentiated with respect to them). The paths that carry ∂${loss}/∂${escapeHtml(highlight.name)} are highlighted.` : 'The computation graph: every node\'s value and its gradient (targets have none: the loss is not differentiated with respect to them).';
  return `<figure class="figure wide">${graphFigure(trace, hot, graded, decimals)}<figcaption>${caption}</figcaption></figure>`;
}
