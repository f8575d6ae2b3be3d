// The computation graph of the traced step, one parameter's paths highlighted.
import { explainGradient } from '../src/chain.ts';
import { defineDirective } from '../src/lesson/directive.ts';
import type { EvaluatedModel } from '../src/lesson/models.ts';
import { paramIndex } from '../src/lesson/quantity.ts';
import type { Node } from '../src/tape.ts';
import { graphFigureBox } from '../render/figures/graph.ts';

export const graph = defineDirective({
  name: 'graph',
  inPage: 'live',
  usage: '::graph [highlight=PARAM]',
  summary: 'the computation graph with value and gradient on every node, PARAM\'s paths highlighted',
  args: { keys: ['highlight', 'in', 'decimals'] },
  evaluate(call): { model: EvaluatedModel; highlight?: Node; hot: Set<object>; graded: Set<Node>; decimals: number } {
    const { model } = call;
    const h = call.keyed.get('highlight');
    const highlight = h ? model.trace.params[paramIndex(model, h.value, call, h)] : undefined;
    const hot = new Set<object>();
    if (highlight) for (const p of explainGradient(model.trace.tape, model.trace.loss, highlight).paths) for (const f of p.factors) hot.add(f).add(f.of).add(f.wrt);
    // Backward computes a gradient for the loss and every node a factor is taken with respect to: not for targets.
    const graded = new Set<Node>([model.trace.loss, ...model.trace.tape.nodes.flatMap((n) => n.inputs.map((f) => f.wrt))]);
    return { model, highlight, hot, graded, decimals: call.decimals };
  },
  render: ({ model, highlight, hot, graded, decimals }, page) => graphFigureBox(page, model.trace, hot, graded, decimals, model.net.sizes.join('-'), highlight),
});
