// The computation graph figure: its geometry (no line through a box it does not join, each leaf
// beside the node it feeds, no text over text), its bytes, its text alternatives and its colours.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { graphFigure, graphFigureBox, graphLayout, type GraphBox, type GraphLayout } from '../render/figures/graph.ts';
import { explainGradient } from '../src/chain.ts';
import type { FigureParts, RenderContext } from '../src/lesson/directive.ts';
import { Network } from '../src/network.ts';
import type { Node } from '../src/tape.ts';
import { traceNetwork, type NetworkTrace } from '../src/trace.ts';

// Lesson 2's network: seed 003's worked example.
const worked = () => {
  const net = Network.fromSpec({ layers: [2, 2, 2], activation: 'sigmoid', loss: 'half_squared', bias: 'per_neuron', naming: 'sequential', params: { w1: 0.1, w2: 0.2, w3: 0.3, w4: 0.4, w5: 0.5, w6: 0.6, w7: 0.7, w8: 0.8, b1: 0.55, b2: 0.56, b3: 0.66, b4: 0.67 } });
  return traceNetwork(net, [{ x: [0.1, 0.2], t: [0.01, 0.99] }]);
};
/** What the directive computes: the hot factors and nodes of `param`'s paths, and the nodes with a gradient. */
function marks(trace: NetworkTrace, param?: string) {
  const hot = new Set<object>();
  if (param) for (const p of explainGradient(trace.tape, trace.loss, trace.node(param)).paths) for (const f of p.factors) hot.add(f).add(f.of).add(f.wrt);
  const graded = new Set<Node>([trace.loss, ...trace.tape.nodes.flatMap((n) => n.inputs.map((f) => f.wrt))]);
  return { hot, graded };
}

type Pt = { x: number; y: number };
/** Points along an SVG path of absolute M, L and C commands, 24 per segment. */
function sample(d: string): Pt[] {
  const cmds = [...d.matchAll(/([MLC])([^MLC]*)/g)].map(([, c, args]) => ({ c, n: args.trim().split(/[\s,]+/).map(Number) }));
  const out: Pt[] = [];
  let at: Pt = { x: NaN, y: NaN };
  for (const { c, n } of cmds) {
    if (c === 'M') at = { x: n[0], y: n[1] };
    else if (c === 'L') {
      for (let i = 1; i <= 24; i++) out.push({ x: at.x + ((n[0] - at.x) * i) / 24, y: at.y + ((n[1] - at.y) * i) / 24 });
      at = { x: n[0], y: n[1] };
    } else {
      const [x1, y1, x2, y2, x3, y3] = n;
      for (let i = 1; i <= 24; i++) {
        const t = i / 24, u = 1 - t;
        out.push({ x: u * u * u * at.x + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t * t * t * x3, y: u * u * u * at.y + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * y3 });
      }
      at = { x: x3, y: y3 };
    }
    if (c === 'M') out.push(at);
  }
  return out;
}
const inside = (q: Pt, b: GraphBox, inset = 0.5) => q.x > b.x + inset && q.x < b.x + b.w - inset && q.y > b.y + inset && q.y < b.y + b.h - inset;
/** Each edge's sampled points that lie inside a box other than its two ends. */
function crossings(layout: GraphLayout): string[] {
  const found: string[] = [];
  for (const e of layout.edges) {
    const pts = sample(e.d);
    for (const b of layout.boxes) {
      if (b.node === e.from || b.node === e.to) continue;
      if (pts.some((q) => inside(q, b))) found.push(`${e.from.name}→${e.to.name} through ${b.node.name}`);
    }
  }
  return found;
}
const box = (layout: GraphLayout, name: string) => layout.boxes.find((b) => b.node.name === name)!;
const mid = (b: GraphBox) => ({ x: b.x + b.w / 2, y: b.y + b.h / 2 });

describe('the graph layout', () => {
  const trace = worked();
  const { hot, graded } = marks(trace, 'w1');
  const layout = graphLayout(trace, hot, 10);

  it('draws every node once and every operand and target as one line', () => {
    expect(layout.boxes.map((b) => b.node.name).sort()).toEqual(['E_o1', 'E_o2', 'E_total', 'b1', 'b2', 'b3', 'b4', 'i1', 'i2', 'in_h1', 'in_h2', 'in_o1', 'in_o2', 'out_h1', 'out_h2', 'out_o1', 'out_o2', 't_o1', 't_o2', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8'].sort());
    // in_h·: 5 operands each; in_o·: 5; out_·: 1 each (4); E_o·: 1 operand and 1 target; E_total: 2.
    expect(layout.edges.filter((e) => e.kind === 'factor')).toHaveLength(10 + 10 + 4 + 2 + 2);
    expect(layout.edges.filter((e) => e.kind === 'target').map((e) => `${e.from.name}→${e.to.name}`)).toEqual(['t_o1→E_o1', 't_o2→E_o2']);
  });

  it('routes no line through a box it does not join', () => {
    expect(crossings(layout)).toEqual([]);
    // and no box overlaps another
    for (const a of layout.boxes) for (const b of layout.boxes) if (a !== b) expect(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y).toBe(true);
  });

  it('the crossing check catches a line through a box (the old layout drew w6 through in_h1)', () => {
    const w6 = box(layout, 'w6'), inH1 = box(layout, 'in_h1'), inO1 = box(layout, 'in_o1');
    const c = mid(inH1);
    const bad = { ...layout, edges: [{ ...layout.edges[0], from: w6.node, to: inO1.node, d: `M${c.x - 100} ${c.y}L${c.x + 100} ${c.y}` }] };
    expect(crossings(bad)).toEqual(['w6→in_o1 through in_h1']);
  });

  it('starts each line on the right side of its tail and ends it, with an arrowhead, on the left side of its head', () => {
    for (const e of layout.edges) {
      const pts = sample(e.d), a = box(layout, e.from.name), b = box(layout, e.to.name);
      expect(pts[0].x).toBeCloseTo(a.x + a.w, 0);
      expect(pts[0].y).toBeGreaterThan(a.y);
      expect(pts[0].y).toBeLessThan(a.y + a.h);
      expect(pts.at(-1)!.x).toBeCloseTo(b.x, 0);
      expect(pts.at(-1)!.y).toBeGreaterThan(b.y);
      expect(pts.at(-1)!.y).toBeLessThan(b.y + b.h);
      expect(e.arrow.startsWith(`M${pts.at(-1)!.x} ${pts.at(-1)!.y}L`)).toBe(true);
      // left to right, never back
      for (let i = 1; i < pts.length; i++) expect(pts[i].x).toBeGreaterThanOrEqual(pts[i - 1].x - 1e-9);
    }
  });

  it('puts each leaf in the column just before the node it feeds, beside it', () => {
    const columns = [...new Set(layout.boxes.map((b) => b.x))].sort((a, b) => a - b);
    const column = (name: string) => columns.indexOf(box(layout, name).x);
    expect(columns).toHaveLength(7);
    const consumer: Record<string, string> = { w1: 'in_h1', w2: 'in_h1', b1: 'in_h1', w3: 'in_h2', w4: 'in_h2', b2: 'in_h2', w5: 'in_o1', w6: 'in_o1', b3: 'in_o1', w7: 'in_o2', w8: 'in_o2', b4: 'in_o2', t_o1: 'E_o1', t_o2: 'E_o2' };
    for (const [leaf, sum] of Object.entries(consumer)) {
      expect(column(leaf), leaf).toBe(column(sum) - 1);
      // Of the nodes in the next column, the one it feeds is the nearest.
      const next = layout.boxes.filter((b) => b.x === box(layout, sum).x);
      const y = mid(box(layout, leaf)).y;
      const nearest = next.reduce((m, b) => (Math.abs(mid(b).y - y) < Math.abs(mid(m).y - y) ? b : m));
      expect(nearest.node.name, leaf).toBe(sum);
    }
    // The inputs feed both hidden sums: each sits between them.
    for (const i of ['i1', 'i2']) {
      expect(column(i)).toBe(column('in_h1') - 1);
      expect(mid(box(layout, i)).y).toBeGreaterThan(mid(box(layout, 'in_h1')).y);
      expect(mid(box(layout, i)).y).toBeLessThan(mid(box(layout, 'in_h2')).y);
    }
    // A column read top to bottom: in_o1's operands, the hidden outputs both sums read, in_o2's.
    const third = layout.boxes.filter((b) => b.x === box(layout, 'w5').x).sort((a, b) => a.y - b.y).map((b) => b.node.name);
    expect(third).toEqual(['w5', 'w6', 'b3', 'out_h1', 'out_h2', 'w7', 'w8', 'b4']);
    expect(columns.map((x) => layout.boxes.filter((b) => b.x === x).length)).toEqual([8, 2, 8, 2, 4, 2, 1]);
  });

  it('marks as hot exactly the factors on w1\'s paths', () => {
    expect(layout.edges.filter((e) => e.hot).map((e) => `${e.from.name}→${e.to.name}`).sort()).toEqual(['E_o1→E_total', 'E_o2→E_total', 'in_h1→out_h1', 'in_o1→out_o1', 'in_o2→out_o2', 'out_h1→in_o1', 'out_h1→in_o2', 'out_o1→E_o1', 'out_o2→E_o2', 'w1→in_h1']);
  });

  it('keeps every text inside its box and off the others (estimated widths: 7.5 px a character at 12 px, 6.9 at 11 px)', () => {
    const svg = graphFigure(trace, hot, graded, 10, 't');
    const texts = [...svg.matchAll(/<text class="(\w+)" x="([\d.]+)" y="([\d.]+)">([^<]*)<\/text>/g)].map(([, cls, x, y, s]) => {
      const size = cls === 'grad' ? 11 : 12, w = [...s].length * (cls === 'grad' ? 6.9 : 7.5);
      return { s, x0: Number(x) - w / 2, x1: Number(x) + w / 2, y0: Number(y) - size * 0.8, y1: Number(y) + size * 0.25 };
    });
    expect(texts).toHaveLength(27 + 27 + 25); // names, values, and a gradient on all but the two targets
    for (let i = 0; i < texts.length; i++) {
      const a = texts[i];
      const b = layout.boxes.find((bx) => a.x0 >= bx.x && a.x1 <= bx.x + bx.w && a.y0 >= bx.y && a.y1 <= bx.y + bx.h);
      expect(b, a.s).toBeDefined();
      for (let j = i + 1; j < texts.length; j++) {
        const c = texts[j];
        expect(a.x1 <= c.x0 || c.x1 <= a.x0 || a.y1 <= c.y0 || c.y1 <= a.y0, `${a.s} / ${c.s}`).toBe(true);
      }
    }
  });
});

describe('the graph figure', () => {
  const trace = worked();
  const { hot, graded } = marks(trace, 'w1');
  let parts: FigureParts | undefined;
  const page: RenderContext = { display: () => '', inline: () => '', prose: (t) => t, figure: (f) => ((parts = f), '<figure/>') };
  // The forward pass by hand.
  const sig = (z: number) => 1 / (1 + Math.exp(-z));
  const h1 = sig(0.1 * 0.1 + 0.2 * 0.2 + 0.55), h2 = sig(0.3 * 0.1 + 0.4 * 0.2 + 0.56);
  const o1 = sig(0.5 * h1 + 0.6 * h2 + 0.66), o2 = sig(0.7 * h1 + 0.8 * h2 + 0.67);
  const E = 0.5 * (o1 - 0.01) ** 2 + 0.5 * (o2 - 0.99) ** 2;

  it('is the same bytes every time, every coordinate to one decimal at most', () => {
    const again = worked(), m = marks(again, 'w1');
    const a = graphFigure(trace, hot, graded, 10, 't');
    expect(graphFigure(again, m.hot, m.graded, 10, 't')).toBe(a); // a fresh trace of the same network
    const numbers = [...a.matchAll(/ (?:x|y|width|height|d|viewBox)="([^"]*)"/g)].flatMap(([, v]) => v.match(/-?[\d.]+/g)!);
    expect(numbers.length).toBeGreaterThan(500);
    for (const n of numbers) expect(n).toMatch(/^-?\d+(\.\d)?$/);
  });

  it('is drawn at its own size, titled and described, with its numbers', () => {
    const svg = graphFigure(trace, hot, graded, 10, 'Computation graph of the 2-2-2 network', trace.node('w1'));
    const [, w, h, vw, vh] = svg.match(/^<svg class="graph" viewBox="0 0 (\d+) (\d+)" width="(\d+)" height="(\d+)" role="img"><title>Computation graph of the 2-2-2 network<\/title><desc>/)!;
    expect([vw, vh]).toEqual([w, h]);
    expect(Number(w)).toBeGreaterThan(700); // readable: it scrolls on a phone rather than shrinking
    const desc = svg.match(/<desc>(.*)<\/desc>/)![1];
    expect(desc).toContain(`E_total = ${E.toFixed(4)}, ∂E_total/∂E_total = 1.`);
    expect(desc).toContain(`out_h1 = ${h1.toFixed(4)}, ∂E_total/∂out_h1 = `);
    expect(desc).toContain('t_o1 = 0.01, no gradient;');
    expect(desc).toContain('Highlighted, the nodes on the paths from w1 to E_total: w1, in_h1, out_h1, in_o1, in_o2, out_o1, out_o2, E_o1, E_o2, E_total.');
  });

  it('is a wide numbered figure with a plain caption and a table of node, inputs, value and gradient', () => {
    expect(graphFigureBox(page, trace, hot, graded, 10, '2-2-2', trace.node('w1'))).toBe('<figure/>');
    const f = parts!;
    expect(f.wide).toBe(true);
    expect(f.body).toMatch(/^<svg class="graph"/);
    expect(f.caption).toContain('The computation graph of the 2-2-2 network on its one sample, computed from left to right.');
    expect(f.caption).toContain('Highlighted: the paths that carry ∂E_total/∂w1.');
    expect(f.caption).toContain('A dashed line brings a target to the loss');
    const rows = [...f.data!.matchAll(/<tr><th scope="row">([^<]+)<\/th><td class="words">([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => m.slice(1));
    expect(rows).toHaveLength(27);
    expect(rows.find((r) => r[0] === 'E_total')).toEqual(['E_total', 'E_o1, E_o2', E.toFixed(10).replace(/0+$/, ''), '1', 'yes']);
    expect(rows.find((r) => r[0] === 'E_o1')).toEqual(['E_o1', 'out_o1, t_o1', (0.5 * (o1 - 0.01) ** 2).toFixed(10).replace(/0+$/, ''), '1', 'yes']);
    expect(rows.find((r) => r[0] === 'out_o1')).toEqual(['out_o1', 'in_o1', o1.toFixed(10).replace(/0+$/, ''), (o1 - 0.01).toFixed(10).replace(/0+$/, ''), 'yes']);
    expect(rows.find((r) => r[0] === 'in_o1')![1]).toBe('w5, out_h1, w6, out_h2, b3');
    expect(rows.find((r) => r[0] === 't_o2')).toEqual(['t_o2', '—', '0.99', '—', '']);
    expect(rows.find((r) => r[0] === 'w8')![4]).toBe('');
  });

  it('escapes what it prints', () => {
    graphFigureBox(page, trace, hot, graded, 10, '2<2>2', undefined);
    expect(parts!.caption).toContain('the 2&lt;2&gt;2 network');
    expect(parts!.body).toContain('<title>Computation graph of the 2&lt;2&gt;2 network on its one sample</title>');
    expect(parts!.caption).not.toContain('Highlighted');
  });
});

describe('larger graphs', () => {
  // Two samples, a mean, an L2 term (long edges from every weight to it) and softmax outputs no
  // loss reads; and a bce network, whose sigmoid output is also read by no loss.
  const cases: [string, object][] = [
    ['2-3-3 softmax, l2, two samples', { layers: [2, 3, 3], activation: 'tanh', output: 'softmax', loss: 'softmax_ce', l2: 0.01, init: { seed: 1, distribution: 'randn' } }],
    ['2-2-1 bce', { layers: [2, 2, 1], activation: 'relu', output: 'sigmoid', loss: 'bce', init: { seed: 2, distribution: 'randn' } }],
  ];
  for (const [what, spec] of cases) {
    it(`${what}: no line through a box, left to right`, () => {
      const net = Network.fromSpec(spec);
      const K = net.sizes.at(-1)!;
      const trace = traceNetwork(net, [{ x: [0.3, -0.2], t: K === 1 ? [1] : [0, 1, 0] }, ...(K === 1 ? [] : [{ x: [-0.5, 0.4], t: [1, 0, 0] }])]);
      const { hot } = marks(trace, net.params[0].name);
      const layout = graphLayout(trace, hot, 4);
      expect(layout.edges.length).toBeGreaterThan(K === 1 ? 15 : 60);
      expect(crossings(layout)).toEqual([]);
      // Edges that skip a column cross it on a lane of dagre's (a second curve after a straight run).
      if (K > 1) expect(layout.edges.filter((e) => (e.d.match(/C/g) ?? []).length >= 2).length).toBeGreaterThan(5);
      for (const e of layout.edges) expect(box(layout, e.from.name).x).toBeLessThan(box(layout, e.to.name).x);
    });
  }
});

describe('the graph\'s colours', () => {
  const vars = (block: string) => Object.fromEntries([...block.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})/gi)].map(([, k, v]) => [k, v]));
  const styles = readFileSync(new URL('../render/styles.css', import.meta.url), 'utf8');
  const css = readFileSync(new URL('../render/figures/graph.css', import.meta.url), 'utf8');
  const darkOf = (s: string) => s.match(/@media \(prefers-color-scheme: dark\) \{([^}]*\})/)?.[1] ?? '';
  const light = { ...vars(styles.match(/:root \{([^}]*)\}/)![1]), ...vars(css.replace(/@media[^{]*\{[^}]*\}\s*\}/g, '')) };
  const dark = { ...light, ...vars(darkOf(styles)), ...vars(darkOf(css)) };
  const lum = (hex: string) => {
    const [r, g, b] = hex.slice(1).match(/../g)!.map((h) => parseInt(h, 16) / 255).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a: string, b: string) => (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05);
  /** The colour graph.css gives `prop` in the rule for `selector`, resolved in a theme. */
  const colour = (selector: string, prop: string, theme: Record<string, string>) => {
    const rule = css.match(new RegExp(`svg\\.graph ${selector.replace(/\./g, '\\.')} \\{([^}]*)\\}`))![1];
    const v = rule.match(new RegExp(`(?:^|;)\\s*${prop}:\\s*([^;]+)`))![1].trim();
    return v.startsWith('var(') ? theme[v.slice(6, -1)] : v;
  };

  it('sanity: the contrast formula', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });
  for (const [name, theme] of [['light', light], ['dark', dark]] as const) {
    it(`${name}: lines ≥ 3:1 against the page, text ≥ 4.5:1 against every box fill`, () => {
      expect(theme.bg).toMatch(/^#/);
      for (const [sel, prop] of [['.edge', 'stroke'], ['.edge.hot', 'stroke'], ['.arrow', 'fill'], ['.arrow.hot', 'fill'], ['.node rect', 'stroke'], ['.node.hot rect', 'stroke']]) {
        expect(contrast(colour(sel, prop, theme), theme.bg), `${sel} ${prop}`).toBeGreaterThanOrEqual(3);
      }
      const fills = [colour('.node rect', 'fill', theme), colour('.node.param rect', 'fill', theme), colour('.node.input rect', 'fill', theme)];
      for (const fill of fills) for (const sel of ['text', '.grad']) expect(contrast(colour(sel, 'fill', theme), fill), `${sel} on ${fill}`).toBeGreaterThanOrEqual(4.5);
    });
  }
});

describe('the caption says which boxes have no gradient, and why', () => {
  it('a bce network: the target, and the sigmoid output the loss (taken from the logit) does not read', () => {
    const net = Network.fromSpec({ layers: [1, 1], activation: 'sigmoid', loss: 'bce', bias: 'none', params: { w1: 0.5 } });
    const trace = traceNetwork(net, [{ x: [0.1], t: [1] }]);
    const { hot, graded } = marks(trace);
    let caption = '';
    graphFigureBox({ display: () => '', inline: () => '', prose: (t) => t, figure: (f) => ((caption = f.caption), '') }, trace, hot, graded, 10, '1-1', undefined);
    const out = trace.samples[0].a.at(-1)![0].name;
    expect(caption).toContain('targets have no gradient');
    expect(caption).toContain(` The node ${out} has none either: the loss is computed from the logits, and reads no output.`);
    expect(graded.has(trace.node(out))).toBe(false);
  });
});

describe('the graph in print', () => {
  const css = readFileSync(new URL('../render/figures/graph.css', import.meta.url), 'utf8');
  const print = css.slice(css.indexOf('@media print'));
  it('gives the boxes, text and hot lines paper colours of their own, whatever the scheme', () => {
    const lum = (hex: string) => {
      const [r, g, b] = hex.slice(1).match(/../g)!.map((h) => parseInt(h.padEnd(2, h), 16) / 255).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const onWhite = (hex: string) => 1.05 / (lum(hex.length === 4 ? `#${[...hex.slice(1)].map((c) => c + c).join('')}` : hex) + 0.05);
    const rule = (sel: string, prop: string) => print.match(new RegExp(`${sel.replace(/\./g, '\\.')}[^{]*\\{ ${prop}: (#[0-9a-f]+); \\}`))![1];
    expect(rule('svg.graph .node rect', 'fill')).toBe('#fff');
    expect(onWhite(rule('svg.graph text', 'fill'))).toBeCloseTo(21, 5);
    expect(onWhite(rule('svg.graph .grad', 'fill'))).toBeGreaterThanOrEqual(4.5);
    expect(onWhite(rule('svg.graph .edge.hot', 'stroke'))).toBeGreaterThanOrEqual(3);
    expect(onWhite(rule('svg.graph .arrow.hot', 'fill'))).toBeGreaterThanOrEqual(3);
  });
});
