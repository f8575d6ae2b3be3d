// The computation graph of the traced step: every node with its value and its gradient, laid out
// in layers by dagre (left to right, leaves one rank before the node they feed), and the paths of
// one parameter's chain highlighted. Everything below is plain arithmetic on dagre's result, so
// the same trace gives the same bytes.
import dagre, { type Graph, type GraphLabel, type NodeLabel, type EdgeLabel } from '@dagrejs/dagre';
import type { RenderContext } from '../../src/lesson/directive.ts';
import type { NetworkTrace } from '../../src/trace.ts';
import type { Factor, Node } from '../../src/tape.ts';
import { textNumber } from '../format.ts';
import { escapeHtml } from '../html.ts';

/** Box height: three lines of text (name, value, gradient). */
const H = 50;
/** Gap between columns: room for the curves that change lanes there. */
const RANKSEP = 64;
const NODESEP = 12, EDGESEP = 8, MARGIN = 12;
/** Widest box text, estimated: 7.2 px a character at 12 px covers digits, '∂' and bold names in system-ui. */
const CHAR = 7.2, TEXT_PAD = 16, MIN_W = 64;
/** Where the lines of text sit, from the box's top (baselines). */
const LINE = [16, 31, 45];
const ARROW = 6;

export interface GraphBox {
  node: Node;
  /** top-left corner */
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface GraphEdge {
  from: Node;
  to: Node;
  /** a factor of backward (the gradient flows along it), or a target read by a loss (it does not) */
  kind: 'factor' | 'target';
  hot: boolean;
  /** SVG path data: M, L and C commands in absolute coordinates */
  d: string;
  /** the arrowhead at `to`, as SVG path data */
  arrow: string;
}

export interface GraphLayout {
  width: number;
  height: number;
  boxes: GraphBox[];
  edges: GraphEdge[];
}

const r1 = (v: number): number => {
  const x = Math.round(v * 10) / 10;
  return x === 0 ? 0 : x; // no "-0" in the output
};
const p = (x: number, y: number): string => `${r1(x)} ${r1(y)}`;

/** The nodes the figure shows: the step's nodes up to the loss, and the network's parameters. */
export function graphNodes(trace: NetworkTrace): Node[] {
  return trace.tape.nodes.filter((n) => (n.id <= trace.loss.id && n.op !== 'param') || trace.params.includes(n));
}

/** Lays the graph out; `hot`: the factors and nodes of the highlighted chain's paths. */
export function graphLayout(trace: NetworkTrace, hot: ReadonlySet<object>, decimals: number): GraphLayout {
  const nodes = graphNodes(trace);
  const shown = new Set(nodes);
  const d = Math.min(decimals, 4);
  const chars = Math.max(...nodes.flatMap((n) => [n.name.length, textNumber(n.value, d).length, 2 + textNumber(n.grad, d).length]));
  const W = Math.max(MIN_W, Math.ceil(chars * CHAR + TEXT_PAD));

  // One edge per operand (a factor), and one from each target to the loss that reads it: the loss
  // is computed from it, though no gradient flows back along it.
  const edges: { from: Node; to: Node; kind: 'factor' | 'target'; factor?: Factor }[] = [];
  const seen = new Set<string>();
  for (const n of nodes) {
    for (const f of n.inputs) {
      for (const [from, kind] of [[f.wrt, 'factor'], [f.target, 'target']] as const) {
        if (!from || !shown.has(from) || seen.has(`${from.id}>${n.id}`)) continue;
        seen.add(`${from.id}>${n.id}`);
        edges.push({ from, to: n, kind, factor: kind === 'factor' ? f : undefined });
      }
    }
  }

  const placed = placement(W, nodes, edges);
  const centre = new Map<Node, { x: number; y: number }>(nodes.map((n, i) => [n, placed.centres[i]]));
  // Every real node of a rank has the same width, so a rank is a column [x - W/2, x + W/2].
  const columns = [...new Set([...centre.values()].map((c) => c.x))];
  const columnOf = (x: number) => columns.find((c) => Math.abs(x - c) < W / 2);

  // dagre's route: its waypoints (the dummy nodes of an edge). A waypoint inside a column is a lane
  // dagre kept clear of that column's boxes: the edge crosses the column there, horizontally. A
  // waypoint in a gap between columns only orders the lines there: the curve across the gap, which
  // stays between the two columns, takes its place.
  const lanes = edges.map((_, i) => {
    const pts = placed.points[i];
    const ys: { x: number; y: number }[] = [];
    for (const q of pts.slice(1, -1)) {
      const c = columnOf(q.x);
      if (c !== undefined) ys.push({ x: c, y: q.y });
    }
    return ys;
  });

  // Ports: the lines leave a box's right side and enter the next box's left side, spread along it
  // in the order of their other ends, so they neither meet at one point nor cross at the box.
  const outPort = new Map<number, number>(), inPort = new Map<number, number>();
  const spread = (list: { i: number; toward: number }[], cy: number, into: Map<number, number>) => {
    list.sort((a, b) => a.toward - b.toward || a.i - b.i);
    const k = list.length, span = k > 1 ? Math.min(H - 14, 7 * (k - 1)) : 0;
    list.forEach((e, j) => into.set(e.i, cy - span / 2 + (k > 1 ? (j * span) / (k - 1) : 0)));
  };
  for (const n of nodes) {
    const c = centre.get(n)!;
    const outs = edges.flatMap((e, i) => (e.from === n ? [{ i, toward: lanes[i][0]?.y ?? centre.get(e.to)!.y }] : []));
    const ins = edges.flatMap((e, i) => (e.to === n ? [{ i, toward: lanes[i].at(-1)?.y ?? centre.get(e.from)!.y }] : []));
    spread(outs, c.y, outPort);
    spread(ins, c.y, inPort);
  }

  const laid: GraphEdge[] = edges.map((e, i) => {
    const a = centre.get(e.from)!, b = centre.get(e.to)!;
    const start = { x: a.x + W / 2, y: outPort.get(i)! }, end = { x: b.x - W / 2, y: inPort.get(i)! };
    // Alternating: a gap to cross (a curve) then a column to cross (a straight lane).
    const stops = [start, ...lanes[i].flatMap((l) => [{ x: l.x - W / 2, y: l.y }, { x: l.x + W / 2, y: l.y }]), end];
    let path = `M${p(start.x, start.y)}`;
    for (let j = 1; j < stops.length; j++) {
      const s = stops[j - 1], t = stops[j];
      if (j % 2 === 0 || r1(s.y) === r1(t.y)) path += `L${p(t.x, t.y)}`;
      else {
        const m = (s.x + t.x) / 2;
        path += `C${p(m, s.y)} ${p(m, t.y)} ${p(t.x, t.y)}`;
      }
    }
    const arrow = `M${p(end.x, end.y)}L${p(end.x - ARROW, end.y - ARROW / 2)}L${p(end.x - ARROW, end.y + ARROW / 2)}Z`;
    return { from: e.from, to: e.to, kind: e.kind, hot: e.factor !== undefined && hot.has(e.factor), d: path, arrow };
  });

  const boxes = nodes.map((n) => {
    const c = centre.get(n)!;
    return { node: n, x: r1(c.x - W / 2), y: r1(c.y - H / 2), w: W, h: H };
  });
  return { width: Math.ceil(placed.width), height: Math.ceil(placed.height), boxes, edges: laid };
}

/** Where dagre puts a graph's boxes and routes its edges: the centres of `nodes` and the waypoints of `edges`, in their order. */
interface Placement {
  centres: { x: number; y: number }[];
  points: { x: number; y: number }[][];
  width: number;
  height: number;
}

/**
 * dagre's placements by the graph's shape (its boxes' width, nodes and edges): the live page
 * lays the same graph out on every change of a number, and dagre's layout is a fifth of the
 * page's work; the shape alone decides it.
 */
const PLACEMENTS = new Map<string, Placement>();

function placement(W: number, nodes: Node[], edges: { from: Node; to: Node }[]): Placement {
  const key = `${W}|${nodes.map((n) => n.id).join(',')}|${edges.map((e) => `${e.from.id}>${e.to.id}`).join(',')}`;
  const known = PLACEMENTS.get(key);
  if (known) return known;
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'LR', ranker: 'network-simplex', ranksep: RANKSEP, nodesep: NODESEP, edgesep: EDGESEP, marginx: MARGIN, marginy: MARGIN });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(String(n.id), { width: W, height: H });
  for (const e of edges) g.setEdge(String(e.from.id), String(e.to.id), { minlen: 1, weight: 1 });
  dagre.layout(g, { customOrder: (layered: Layered) => orderByConsumers(layered) });
  const graph = g.graph();
  const placed: Placement = {
    centres: nodes.map((n) => ({ x: g.node(String(n.id)).x!, y: g.node(String(n.id)).y! })),
    points: edges.map((e) => g.edge(String(e.from.id), String(e.to.id)).points ?? []),
    width: graph.width ?? 0,
    height: graph.height ?? 0,
  };
  if (PLACEMENTS.size > 64) PLACEMENTS.clear();
  PLACEMENTS.set(key, placed);
  return placed;
}

/**
 * dagre's `customOrder`: the order of the nodes within each rank, from the loss back to the
 * leaves. Each node goes at the mean position of the nodes it feeds, so a parameter sits beside
 * the one sum it feeds, and a node that feeds several (an input, a hidden output) between them;
 * ties go by the order of the tape, then of dagre's node names (deterministic either way).
 */
type Layered = Graph<GraphLabel, NodeLabel, EdgeLabel>;
function orderByConsumers(g: Layered): void {
  const ranks = new Map<number, string[]>();
  for (const v of g.nodes()) {
    const rank = g.node(v).rank;
    if (typeof rank === 'number') ranks.set(rank, [...(ranks.get(rank) ?? []), v]);
  }
  // A dummy node (a waypoint of a long edge) takes the tape position of the edge's tail.
  const seq = (v: string): number => {
    const label = g.node(v);
    return /^\d+$/.test(v) ? Number(v) : label.edgeObj ? Number(label.edgeObj.v) + 0.5 : Infinity;
  };
  // A rank with no real node is a gap between two columns: its waypoints pass on the position of
  // the node they lead to, so a leaf is placed by the sums it feeds, not by the lanes in between.
  const gap = new Set([...ranks].filter(([, vs]) => !vs.some((v) => /^\d+$/.test(v))).map(([rank]) => rank));
  const pos = new Map<string, number>();
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : undefined);
  for (const rank of [...ranks.keys()].sort((a, b) => b - a)) {
    const keyed = ranks.get(rank)!.map((v) => ({ v, k: mean((g.successors(v) ?? []).map((w: string) => pos.get(w)).filter((o: number | undefined): o is number => o !== undefined)) }));
    // Nodes that feed nothing keep their tape order, after the others.
    keyed.sort((a, b) => (a.k === undefined ? 1 : 0) - (b.k === undefined ? 1 : 0) || (a.k ?? 0) - (b.k ?? 0) || seq(a.v) - seq(b.v) || (a.v < b.v ? -1 : a.v > b.v ? 1 : 0));
    keyed.forEach(({ v, k }, i) => {
      g.node(v).order = i;
      pos.set(v, gap.has(rank) && k !== undefined ? k : i);
    });
  }
}

/** The figure's text alternative: every node's numbers, in the order of the tape. */
function description(trace: NetworkTrace, graded: ReadonlySet<Node>, d: number, highlight: Node | undefined, hot: ReadonlySet<object>): string {
  const loss = trace.loss.name;
  const items = graphNodes(trace).map((n) => `${n.name} = ${textNumber(n.value, d)}, ${graded.has(n) ? `∂${loss}/∂${n.name} = ${textNumber(n.grad, d)}` : 'no gradient'}`);
  const onPaths = highlight ? ` Highlighted, the nodes on the paths from ${highlight.name} to ${loss}: ${graphNodes(trace).filter((n) => hot.has(n)).map((n) => n.name).join(', ')}.` : '';
  return `${items.join('; ')}.${onPaths}`;
}

/** `hot`: the factors and nodes of the highlighted chain's paths; `graded`: the nodes whose gradient backward computes. */
export function graphFigure(trace: NetworkTrace, hot: ReadonlySet<object>, graded: ReadonlySet<Node>, decimals: number, title: string, highlight?: Node): string {
  const layout = graphLayout(trace, hot, decimals);
  const d = Math.min(decimals, 4);
  // The live page finds a node's box and an edge by the nodes' links (its stepper lights them).
  const edgeOf = (e: GraphEdge) => (e.from.link && e.to.link ? ` data-edge="${escapeHtml(`${e.from.link}>${e.to.link}`)}"` : '');
  const edge = (e: GraphEdge) => `<path class="edge ${e.kind}${e.hot ? ' hot' : ''}" d="${e.d}"${edgeOf(e)}/><path class="arrow${e.hot ? ' hot' : ''}" d="${e.arrow}"/>`;
  // Hot lines last, so that no grey line is drawn over them.
  const edges = [...layout.edges.filter((e) => !e.hot), ...layout.edges.filter((e) => e.hot)].map(edge).join('');
  const boxes = layout.boxes.map(({ node: n, x, y, w, h }) => {
    const cx = r1(x + w / 2);
    const grad = graded.has(n) ? `<text class="grad" x="${cx}" y="${r1(y + LINE[2])}">∂ ${textNumber(n.grad, d)}</text>` : '';
    return `<g class="node ${n.op}${hot.has(n) ? ' hot' : ''}"${n.link ? ` data-node="${escapeHtml(n.link)}"` : ''}><rect x="${x}" y="${y}" width="${w}" height="${h}" rx="6"/><text class="name" x="${cx}" y="${r1(y + LINE[0])}">${escapeHtml(n.name)}</text><text class="value" x="${cx}" y="${r1(y + LINE[1])}">${textNumber(n.value, d)}</text>${grad}</g>`;
  }).join('');
  const { width, height } = layout;
  return `<svg class="graph" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img"><title>${escapeHtml(title)}</title><desc>${escapeHtml(description(trace, graded, d, highlight, hot))}</desc>${edges}${boxes}</svg>`;
}

/** The figure's numbers as a table: each node, what it is computed from, its value and its gradient. */
function graphTable(trace: NetworkTrace, hot: ReadonlySet<object>, graded: ReadonlySet<Node>, decimals: number, highlight: Node | undefined): string {
  const loss = escapeHtml(trace.loss.name);
  const nodes = graphNodes(trace);
  const shown = new Set(nodes);
  const rows = nodes.map((n) => {
    const from = [...new Set(n.inputs.flatMap((f) => [f.wrt, ...(f.target ? [f.target] : [])]))].filter((m) => shown.has(m)).map((m) => escapeHtml(m.name)).join(', ');
    const mark = highlight ? `<td>${hot.has(n) ? 'yes' : ''}</td>` : '';
    return `<tr><th scope="row">${escapeHtml(n.name)}</th><td class="words">${from || '—'}</td><td>${textNumber(n.value, decimals)}</td><td>${graded.has(n) ? textNumber(n.grad, decimals) : '—'}</td>${mark}</tr>`;
  });
  const head = `<tr><th scope="col">node</th><th scope="col">computed from</th><th scope="col">value</th><th scope="col">∂${loss}/∂node</th>${highlight ? `<th scope="col">on the paths of ∂${loss}/∂${escapeHtml(highlight.name)}</th>` : ''}</tr>`;
  return `<table class="numbers graph-data"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

/**
 * The graph as a numbered figure of the page, with its caption and its table; `network`: the
 * network's layer sizes as the lesson writes them (2-2-2); `highlight`: the parameter whose paths are hot.
 */
export function graphFigureBox(page: RenderContext, trace: NetworkTrace, hot: ReadonlySet<object>, graded: ReadonlySet<Node>, decimals: number, network: string, highlight: Node | undefined): string {
  const loss = trace.loss.name;
  const samples = trace.samples.length === 1 ? 'its one sample' : `its ${trace.samples.length} samples`;
  const title = `Computation graph of the ${network} network on ${samples}${highlight ? `, the paths of ∂${loss}/∂${highlight.name} highlighted` : ''}`;
  // Which boxes have no gradient, and why: the loss is not differentiated with respect to a
  // target, and a loss computed from the logits never reads the outputs it shows.
  const ungraded = graphNodes(trace).filter((n) => n !== trace.loss && !graded.has(n));
  const targets = ungraded.filter((n) => n.op === 'input'), outputs = ungraded.filter((n) => n.op !== 'input');
  const caption = [
    `The computation graph of the ${escapeHtml(network)} network on ${samples}, computed from left to right. Each box is a node: its name, its value and, below them, ∂${escapeHtml(loss)}/∂node, the gradient backward computes for it. Each weight and bias stands just before the sum it feeds.`,
    targets.length ? ` A dashed line brings a target to the loss that reads it; targets have no gradient, because the loss is not differentiated with respect to them.` : '',
    outputs.length ? ` ${outputs.length === 1 ? 'The node' : 'The nodes'} ${outputs.map((n) => escapeHtml(n.name)).join(', ')} ${outputs.length === 1 ? 'has' : 'have'} none either: ${outputs.every((n) => n.op === 'activation' || n.op === 'softmax') ? 'the loss is computed from the logits, and reads no output' : 'no line leads from them to the loss'}.` : '',
    highlight ? ` Highlighted: the paths that carry ∂${escapeHtml(loss)}/∂${escapeHtml(highlight.name)}.` : '',
  ].join('');
  return page.figure({ body: graphFigure(trace, hot, graded, decimals, title, highlight), caption, data: graphTable(trace, hot, graded, decimals, highlight), wide: true });
}
