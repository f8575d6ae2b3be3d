// What the lesson shows beside the step: the network diagram, the computation graph, the loss
// surface, an activation and its derivative, and the glossary of the lesson's names.
import { ELEMENTWISE } from '../src/activations.ts';
import { explainGradient } from '../src/chain.ts';
import { defineDirective } from '../src/lesson/directive.ts';
import type { EvaluatedModel } from '../src/lesson/models.ts';
import { paramIndex } from '../src/lesson/quantity.ts';
import { lossSurface, type LossSurface } from '../src/lesson/surface.ts';
import type { Node } from '../src/tape.ts';
import { curveFigure, type Series } from '../render/figures/curve.ts';
import { graphFigure } from '../render/figures/graph.ts';
import { networkFigure } from '../render/figures/network.ts';
import { surfaceFigure } from '../render/figures/surface.ts';
import { escapeHtml } from '../render/html.ts';

export const network = defineDirective({
  name: 'network',
  usage: '::network [after]',
  summary: 'the network diagram with weights, biases and outputs',
  args: { keys: ['in', 'decimals', 'after'] },
  evaluate: (call): { model: EvaluatedModel; updated: boolean; decimals: number } => ({ model: call.model, updated: call.keyed.has('after'), decimals: call.decimals }),
  render({ model, updated, decimals }) {
    const figure = networkFigure(model.net, updated ? model.step.after : model.step.before, updated ? model.after : model.trace, decimals);
    return `<figure class="figure">${figure}<figcaption>The network ${updated ? 'after the update' : 'with its starting parameters'}: weights on the edges (where there is room for them), biases above the neurons and, below them, their outputs for the first sample.</figcaption></figure>`;
  },
});

export const surface = defineDirective({
  name: 'surface',
  usage: '::surface P1,P2 [range=1]',
  summary: 'the loss over two parameters (± range around their values, the others fixed) as a heat map, with the step marked',
  args: { positional: 'two parameters, like w5,w6', keys: ['in', 'range'] },
  evaluate(call, lesson): LossSurface {
    const first = call.positional[0];
    const names = first.value.split(',');
    if (names.length !== 2) throw call.error(first, `expected two parameters separated by a comma, like w5,w6, got ${first.value}`);
    const ix = names.map((n) => paramIndex(call.model, n, call, first)) as [number, number];
    const rangeArg = call.keyed.get('range');
    const range = rangeArg ? Number(rangeArg.value) : 1;
    if (!(range > 0)) throw call.error(rangeArg, `expected range to be a positive number, got ${rangeArg?.value}`);
    return lossSurface(call.model, ix, range, lesson.traced);
  },
  render: (s) => `<figure class="figure">${surfaceFigure(s, 'the loss')}<figcaption>The loss over ${escapeHtml(s.names[0])} and ${escapeHtml(s.names[1])}, every other parameter at its starting value (dark is low). The white dot is the starting point; the line runs to where the step moves these two parameters.</figcaption></figure>`,
});

export const graph = defineDirective({
  name: 'graph',
  usage: '::graph [highlight=PARAM]',
  summary: 'the computation graph with value and gradient on every node, PARAM\'s paths highlighted',
  args: { keys: ['highlight', 'in', 'decimals'] },
  evaluate(call): { model: EvaluatedModel; highlight?: Node; hot: Set<object>; decimals: number } {
    const { model } = call;
    const h = call.keyed.get('highlight');
    const highlight = h ? model.trace.params[paramIndex(model, h.value, call, h)] : undefined;
    const hot = new Set<object>();
    if (highlight) for (const p of explainGradient(model.trace.tape, model.trace.loss, highlight).paths) for (const f of p.factors) hot.add(f).add(f.of).add(f.wrt);
    return { model, highlight, hot, decimals: call.decimals };
  },
  render({ model, highlight, hot, decimals }) {
    const loss = escapeHtml(model.trace.loss.name);
    const caption = highlight ? `The computation graph: every node's value and, below it, ∂${loss}/∂node. The paths that carry ∂${loss}/∂${escapeHtml(highlight.name)} are highlighted.` : 'The computation graph: every node\'s value and its gradient.';
    return `<figure class="figure wide">${graphFigure(model.trace, hot, decimals)}<figcaption>${caption}</figcaption></figure>`;
  },
});

export const glossary = defineDirective({
  name: 'glossary',
  usage: '::glossary',
  summary: 'the `names` table',
  args: { keys: ['in'] },
  evaluate: (call, lesson): { rows: { name: string; meaning: string; node?: Node }[] } => ({
    rows: Object.entries(lesson.meta.names).map(([name, meaning]) => ({ name, meaning, node: call.model.trace.tape.nodes.find((n) => n.name === name) })),
  }),
  render(d, page) {
    const rows = d.rows.map((r) => `<tr><th scope="row">${r.node ? page.inline(r.node.tex) : `<code>${escapeHtml(r.name)}</code>`}</th><td>${escapeHtml(r.meaning)}</td></tr>`);
    return `<table class="glossary"><thead><tr><th>name</th><th>meaning</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  },
});

export const activation = defineDirective({
  name: 'function',
  usage: '::function NAME [from=-6] [to=6]',
  summary: 'an activation (sigmoid, tanh, relu, identity) and its derivative, as the engine defines them',
  args: { positional: 'an activation, like sigmoid', keys: ['from', 'to'] },
  evaluate(call): { series: Series[]; name: string } {
    const first = call.positional[0];
    const rule = (ELEMENTWISE as Record<string, (typeof ELEMENTWISE)[keyof typeof ELEMENTWISE] | undefined>)[first.value];
    if (!rule) throw call.error(first, `expected one of ${Object.keys(ELEMENTWISE).join(', ')}, got ${first.value}`);
    const bound = (key: string, fallback: number) => {
      const a = call.keyed.get(key);
      const v = a ? Number(a.value) : fallback;
      if (!Number.isFinite(v)) throw call.error(a, `expected ${key} to be a number, got ${a?.value}`);
      return v;
    };
    const lo = bound('from', -6), hi = bound('to', 6);
    if (!(hi > lo)) throw call.error(call.keyed.get('to'), 'expected to > from');
    const x = Array.from({ length: 241 }, (_, i) => lo + ((hi - lo) * i) / 240);
    const f = x.map((z) => rule.value(z));
    return {
      name: rule.name,
      series: [
        { label: `${rule.name}(z)`, x, y: f },
        { label: 'its derivative', x, y: f.map((a, i) => rule.derivFromOutput(a, x[i])) },
      ],
    };
  },
  render: (d) => `<figure class="figure">${curveFigure(d.series, 'z', `${d.name}(z) and its derivative`, false)}</figure>`,
});
