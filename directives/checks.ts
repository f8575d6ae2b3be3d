// Checks of the lesson against its source and against itself: a quoted figure, what the
// source's code computes instead, and the tracer beside the trainer, finite differences and mathjs.
import { checkFigure, type CheckResult } from '../src/lesson/check.ts';
import { defineDirective } from '../src/lesson/directive.ts';
import { expressionTex, expressionValue } from '../src/lesson/expression.ts';
import { replayModel, type AgreementRow } from '../src/lesson/models.ts';
import { agreementTable, checkBox, computeLine } from '../render/checks.ts';

export const check = defineDirective({
  name: 'check',
  inPage: { stale: "The source used other values than yours: its figure for {subject} is checked against the lesson's own numbers. Reset them to see the check.", hide: true },
  usage: '::check QUANTITY quoted=FIGURE [erratum="why" [explain="expr" \\| explain=replay \\| explain="mistakes: …"] \\| unexplained="…"] [cause=NAME] [rounding=truncate] [tolerance=T] [replay]',
  summary: 'a figure quoted from the source against the computed one. It agrees when the computed value, rounded half-up to the figure\'s printed decimals (cut off with `rounding=truncate`, or the front matter\'s `rounding`), is the figure, or lies within a declared `tolerance`; the page states the rule. A mismatch needs `erratum`; `explain` proves it: a mathjs expression over node names (`grad_w1` for a gradient, `sigmoid`, `lr`), `replay`, or `"mistakes: shared-bias + cut to 10"`, catalogued mistakes (what `chainbook diagnose --write` writes), which must reproduce the figure exactly. A figure nothing reproduces is declared `unexplained`: shown as such, listed by verify. `cause=NAME` names a slip several figures share: the first check with it explains it in its `erratum`, later ones may leave `erratum` out and the page refers back to that explanation',
  args: { positional: 'a quantity, like out_h2 or grad w5', quantity: true, keys: ['quoted', 'erratum', 'cause', 'explain', 'unexplained', 'rounding', 'tolerance', 'in'], flags: ['replay'] },
  evaluate(call, lesson): CheckResult {
    const result = checkFigure(call, lesson);
    lesson.checks.push(result);
    return result;
  },
  render: (c, page) => checkBox(c, page),
});

export const compute = defineDirective({
  name: 'compute',
  inPage: { stale: "{subject} is computed from the lesson's own numbers, not yours. Reset them to see it.", hide: true },
  usage: '::compute expr="…" [label="…"]',
  summary: 'a mathjs expression over node names (`grad_NAME`, `sigmoid`, `lr`) and its value: what a source\'s code computes instead',
  args: { keys: ['expr', 'label', 'in', 'decimals'], flags: ['replay'] },
  evaluate(call, lesson): { label: string; expr: string; tex: string; value: number; decimals: number } {
    const expr = call.keyed.get('expr');
    if (!expr) throw call.error(undefined, '::compute needs expr="…": a mathjs expression over the lesson\'s names');
    const replayed = call.keyed.has('replay') ? replayModel(lesson.models) : undefined;
    const trace = replayed?.replay ?? call.model.trace;
    const value = expressionValue(expr, trace, call.model.lr, call, lesson.meta.carry);
    lesson.computed.push(value);
    return { label: call.keyed.get('label')?.value ?? '', expr: expr.value, tex: expressionTex(expr.value, trace, lesson.meta.carry?.decimals), value, decimals: call.decimals };
  },
  render: (d, page) => computeLine(d.label, d.tex, d.value, d.decimals, page),
});

export const agreement = defineDirective({
  name: 'agreement',
  inPage: { stale: "These cross-checks are of the lesson's own numbers, not yours." },
  usage: '::agreement',
  summary: 'tracer, trainer, finite-difference and symbolic gradients side by side',
  args: { keys: ['in'] },
  evaluate: (call): { rows: AgreementRow[] } => ({ rows: call.model.agreement }),
  render: (d, page) => agreementTable(d.rows, page),
});
