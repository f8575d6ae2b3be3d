// The traced step: forward values, gradients as chains of factors, updates, the error after
// the step, and the tables of every parameter's gradient and chain.
import { ChainError, derivationOf, explainGradient, type Chain, type Derivation } from '../src/chain.ts';
import { defineDirective, type DirectiveCall } from '../src/lesson/directive.ts';
import type { NetworkTrace } from '../src/trace.ts';
import type { EvaluatedModel } from '../src/lesson/models.ts';
import { nodeNamed, paramIndex } from '../src/lesson/quantity.ts';
import type { Node } from '../src/tape.ts';
import { afterStep, chainTable, derivation, forwardStep, gradientTable, updateStep, type AfterData, type GradientsData, type UpdateData } from '../render/steps.ts';

/** What a derivation or forward step may write out: beyond this a page is unreadable (and KaTeX slow). */
const MAX_TERMS = 64, MAX_PATHS = 64;

/** The chain of a parameter, or a located error where its paths are past counting. */
function explainGradientOrError(trace: NetworkTrace, i: number, call: DirectiveCall): Chain {
  try {
    return explainGradient(trace.tape, trace.loss, trace.params[i], MAX_PATHS * 64);
  } catch (e) {
    if (e instanceof ChainError) throw call.error(call.positional[0], `${e.message}: more than a page can write out`);
    throw e;
  }
}

/** A sequential model's step passes errors back through updated weights: its chains are that step's. */
const chainTrace = (model: EvaluatedModel) => (model.net.config.update === 'sequential' ? model.step.trace : model.trace);

export const forward = defineDirective({
  name: 'forward',
  inPage: 'live',
  usage: '::forward NODE [after]',
  summary: 'the node = its formula = the numbers = its value',
  args: { positional: 'a node name, like in_h1', keys: ['in', 'decimals'], flags: ['after'] },
  evaluate(call): { node: Node; decimals: number } {
    const trace = call.keyed.has('after') ? call.model.after : call.model.trace;
    const first = call.positional[0];
    const node = nodeNamed(trace, first.value, call, first, 'a node to compute');
    if (node.op === 'input' || node.op === 'param') throw call.error(first, `${node.name} is given, not computed: ::forward shows how a computed node (a weighted sum, an activation or a loss) follows from others`);
    // A weighted sum records two factors a term (∂/∂w and ∂/∂x): its terms are its weights and bias.
    const terms = node.inputs.filter((f) => f.rule !== 'linear_input').length;
    if (terms > MAX_TERMS) throw call.error(first, `${node.name} is computed from ${terms} terms, more than a page can write out (at most ${MAX_TERMS}); ::forward is for the small networks of a worked example`);
    return { node, decimals: call.decimals };
  },
  render: (d, page) => forwardStep(d.node, d.decimals, page),
});

export const derive = defineDirective({
  name: 'derive',
  inPage: 'live',
  usage: '::derive PARAM [fold]',
  summary: '∂E/∂PARAM: the chain-rule statement, each factor as symbol = formula = numbers = value with its g-label, the product; where paths branch, each branch and the shared tail. `fold`: the result shown, the derivation folded below it (a repetition of one shown in full)',
  args: { positional: 'a parameter name, like w5', keys: ['in', 'decimals'], flags: ['fold'] },
  evaluate(call): { derivation: Derivation; decimals: number; fold: boolean } {
    const i = paramIndex(call.model, call.positional[0].value, call, call.positional[0]);
    const trace = chainTrace(call.model);
    const chain = explainGradientOrError(trace, i, call);
    if (chain.paths.length > MAX_PATHS) throw call.error(call.positional[0], `${trace.params[i].name}'s gradient sums ${chain.paths.length} paths, more than a page can write out (at most ${MAX_PATHS}); ::derive is for the small networks of a worked example`);
    return { derivation: derivationOf(trace.tape, trace.loss, trace.params[i]), decimals: call.decimals, fold: call.keyed.has('fold') };
  },
  render: (d, page) => derivation(d.derivation, d.decimals, page, d.fold),
});

export const update = defineDirective({
  name: 'update',
  inPage: 'live',
  usage: '::update PARAM',
  summary: 'PARAM⁺ = PARAM − α·∂E/∂PARAM with numbers',
  args: { positional: 'a parameter name, like w5', keys: ['in', 'decimals'] },
  evaluate(call): UpdateData {
    const { model } = call;
    const i = paramIndex(model, call.positional[0].value, call, call.positional[0]);
    const param = model.trace.params[i];
    return { tex: param.tex, lossTex: model.trace.loss.tex, value: param.value, lr: model.lr, grad: model.step.applied[i], after: model.step.after[i], moves: model.net.moves[i] === 1, decimals: call.decimals };
  },
  render: (d, page) => updateStep(d, page),
});

export const gradients = defineDirective({
  name: 'gradients',
  inPage: 'live',
  usage: '::gradients',
  summary: 'a table of every parameter, its gradient and its new value',
  args: { keys: ['in', 'decimals'] },
  evaluate: ({ model, decimals }): GradientsData => ({
    lossTex: model.trace.loss.tex,
    lr: model.lr,
    // A parameter the step keeps fixed shows its gradient all the same, and its value kept.
    rows: model.net.params.map((p, i) => ({ tex: p.tex, value: model.step.before[i], gradient: model.net.moves[i] ? model.step.applied[i] : model.trace.params[i].grad, after: model.step.after[i], moves: model.net.moves[i] === 1 })),
    decimals,
  }),
  render: (d, page) => gradientTable(d, page),
});

export const chains = defineDirective({
  name: 'chains',
  inPage: 'live',
  usage: '::chains',
  summary: 'a table of every parameter\'s chain: its factors g1, g2, … and their product',
  args: { keys: ['in', 'decimals'] },
  evaluate(call): { chains: Chain[]; decimals: number } {
    const trace = chainTrace(call.model);
    return { chains: trace.params.map((_, i) => explainGradientOrError(trace, i, call)), decimals: call.decimals };
  },
  render: (d, page) => chainTable(d.chains, d.decimals, page),
});

export const after = defineDirective({
  name: 'after',
  inPage: 'live',
  usage: '::after',
  summary: 'the error before and after the step',
  args: { keys: ['in', 'decimals'] },
  evaluate: ({ model, decimals }): AfterData => ({ tex: model.trace.loss.tex, before: model.trace.loss.value, after: model.after.loss.value, decimals }),
  render: (d, page) => afterStep(d, page),
});
