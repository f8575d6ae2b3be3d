// What the lesson shows beside the step: the network diagram, the computation graph, the loss
// surface, an activation and its derivative, and the glossary of the lesson's names.
import { activationCurve, ELEMENTWISE } from '../src/activations.ts';
import { defineDirective } from '../src/lesson/directive.ts';
import type { EvaluatedModel } from '../src/lesson/models.ts';
import { paramIndex } from '../src/lesson/quantity.ts';
import { lossSurface, type LossSurface } from '../src/lesson/surface.ts';
import type { Node } from '../src/tape.ts';
import { curveFigureBox, type Series } from '../render/figures/curve.ts';
import { networkFigureBox } from '../render/figures/network.ts';
import { surfaceFigureBox } from '../render/figures/surface.ts';
import { glossaryTable } from '../render/glossary.ts';
import { sig } from '../render/figures/axes.ts';
import { escapeHtml } from '../render/html.ts';

export const network = defineDirective({
  name: 'network',
  inPage: 'live',
  usage: '::network [after]',
  summary: 'the network diagram with weights, biases and outputs',
  args: { keys: ['in', 'decimals'], flags: ['after'] },
  evaluate: (call): { model: EvaluatedModel; updated: boolean; decimals: number } => ({ model: call.model, updated: call.keyed.has('after'), decimals: call.decimals }),
  render: ({ model, updated, decimals }, page) => networkFigureBox(page, model.net, updated ? model.step.after : model.step.before, updated ? model.after : model.trace, decimals, updated),
});

export const surface = defineDirective({
  name: 'surface',
  inPage: 'live',
  usage: '::surface P1,P2 [range=1]',
  summary: 'the loss over two parameters (± range around their values, the others fixed) as a heat map, with the step marked',
  args: { positional: 'two parameters, like w5,w6', keys: ['in', 'range'] },
  evaluate(call, lesson): LossSurface & { lossName: string; decimals: number } {
    const first = call.positional[0];
    const names = first.value.split(',');
    if (names.length !== 2 || names[0] === names[1]) throw call.error(first, `expected two different parameters separated by a comma, like w5,w6, got ${first.value}`);
    const ix = names.map((n) => paramIndex(call.model, n, call, first)) as [number, number];
    const rangeArg = call.keyed.get('range');
    const range = rangeArg ? Number(rangeArg.value) : 1;
    if (!(range > 0) || range > 1000) throw call.error(rangeArg, `expected range to be a positive number up to 1000, got ${rangeArg?.value}`);
    return { ...lossSurface(call.model, ix, range, lesson.traced), lossName: call.model.trace.loss.name, decimals: call.decimals };
  },
  render: (d, page) => surfaceFigureBox(page, d, d.lossName, d.decimals),
});

export const glossary = defineDirective({
  name: 'glossary',
  inPage: 'live',
  usage: '::glossary',
  summary: 'the `names` table',
  args: { keys: ['in'] },
  evaluate: (call, lesson): { rows: { name: string; meaning: string; node?: Node; at: (i: number) => number }[] } => ({
    rows: Object.entries(lesson.meta.names).map(([name, meaning]) => {
      const start = lesson.fieldOffset(`names.${name}`, 'text');
      return { name, meaning, node: call.model.trace.tape.nodes.find((n) => n.name === name), at: (i: number) => start + i };
    }),
  }),
  render: (d, page) => glossaryTable(d.rows, page),
});

export const activation = defineDirective({
  name: 'function',
  usage: '::function NAME [from=-6] [to=6]',
  summary: 'an activation (sigmoid, tanh, relu, identity) and its derivative, as the engine defines them',
  args: { positional: 'an activation, like sigmoid', keys: ['from', 'to'] },
  evaluate(call): { series: Series[]; name: string; caption: string } {
    const first = call.positional[0];
    // Own names only: `constructor` is on every object's prototype, not an activation.
    const rule = Object.hasOwn(ELEMENTWISE, first.value) ? (ELEMENTWISE as Record<string, (typeof ELEMENTWISE)[keyof typeof ELEMENTWISE]>)[first.value] : undefined;
    if (!rule) throw call.error(first, `expected one of ${Object.keys(ELEMENTWISE).join(', ')}, got ${first.value}`);
    const bound = (key: string, fallback: number) => {
      const a = call.keyed.get(key);
      const v = a ? Number(a.value) : fallback;
      if (!Number.isFinite(v)) throw call.error(a, `expected ${key} to be a number, got ${a?.value}`);
      return v;
    };
    const lo = bound('from', -6), hi = bound('to', 6);
    if (!(hi > lo)) throw call.error(call.keyed.get('to'), 'expected to > from');
    // Past ±1000 every activation is flat (and an exponential overflows): nothing left to draw.
    if (Math.max(Math.abs(lo), Math.abs(hi)) > 1000) throw call.error(call.keyed.get(Math.abs(lo) > 1000 ? 'from' : 'to'), `expected from and to within ±1000, got ${lo} to ${hi}`);
    const { x, f, df } = activationCurve(rule, lo, hi);
    // The caption's numbers are read off the drawn points: the ranges and where the derivative peaks.
    let peak = 0;
    df.forEach((v, i) => { if (v > df[peak]) peak = i; });
    const range = (y: number[]) => `${sig(Math.min(...y))} to ${sig(Math.max(...y))}`;
    const name = escapeHtml(rule.name);
    const caption = `${name}(z) (solid) and its derivative (dashed), as the engine defines them, for z from ${sig(lo)} to ${sig(hi)}: ${name}(z) runs from ${range(f)}, the derivative from ${range(df)}, ${peakWords(x, df, peak)}.`;
    return { name: rule.name, series: [{ label: `${rule.name}(z)`, x, y: f }, { label: 'its derivative', x, y: df }], caption };
  },
  render: (d, page) => curveFigureBox(page, d.series, 'z', `${d.name}(z) and its derivative`, false, d.caption),
});

/** Where a derivative is largest: at a point, or over the stretch of z where it holds that value. */
function peakWords(x: number[], df: number[], peak: number): string {
  const at = x.filter((_, i) => df[i] === df[peak]);
  if (at.length === 1) return `largest (${sig(df[peak])}) at z = ${sig(x[peak])}`;
  return `largest (${sig(df[peak])}) for every drawn z from ${sig(at[0])} to ${sig(at[at.length - 1])}`;
}
