// A figure quoted from a source against the number the lesson computes. It agrees when the
// computed value, shortened as the source shortens (rounded half-up unless the lesson or the
// check says truncate) to the figure's printed decimals, is the figure — or, where a check
// declares a tolerance, lies within it. Otherwise the lesson declares an erratum, whose
// explanation (an expression, or the source's replayed arithmetic) must reproduce the figure
// by the same rule, or declares the figure unexplained.
import { explainGradient } from '../chain.ts';
import { shortened, type Rounding } from '../decimal.ts';
import type { Factor, Node } from '../tape.ts';
import type { NetworkTrace } from '../trace.ts';
import { textAt, type DirectiveCall, type LessonContext } from './directive.ts';
import type { Locator } from './parse.ts';
import { expressionTex, expressionValue } from './expression.ts';
import { replayModel } from './models.ts';
import { resolveQuantity, type Ref } from './quantity.ts';
import { decimalsOf, figureMatches } from './quoted.ts';
import { caseOf, caseOfModel, parseHypothesis } from './diagnose.ts';
import { quantityOf, stepOf, STEP_KINDS, type StepRef } from './mistakes.ts';
import type { Position } from './source-map.ts';

export type CheckVerdict = 'agrees' | 'erratum' | 'unexplained' | 'mismatch' | 'declared-but-agrees' | 'explanation-fails';

/** How a computed number is compared with a printed figure. */
export interface FigureRule {
  rounding: Rounding;
  decimals: number;
  /** a slack the lesson declares: agreement means |computed − figure| ≤ tolerance */
  tolerance?: number;
  /** a run's quantity of which fewer digits survive perturbation than the figure has: the figure must lie within the runs' range (NaN: a rerun has no such quantity) */
  range?: { low: number; high: number; runs: number };
}

/**
 * How the replayed source arrived at its figure, step by step with the numbers it carried: a
 * forward value from its operands, a gradient as its running product down one path, one
 * factor, or an update.
 */
export type ReplayedWork =
  | { kind: 'node'; node: Node }
  | { kind: 'product'; root: Node; steps: { factor: Factor; before: number; after: number }[] }
  | { kind: 'factor'; factor: Factor }
  | { kind: 'update'; param: Node; lr: number; grad: number; value: number };

/** explain="mistakes: …": the catalogued mistakes (and shortening) that make the step give the figure. */
export interface CatalogueCause {
  uses: { id: string; sentence: string; tex: string; at?: string }[];
  carry?: { decimals: number; rounding: Rounding };
}

export interface CheckResult {
  /** where the check stands in the lesson */
  at: Position;
  quantity: string;
  ref: Ref;
  computed: number;
  /** the computed value as the rule shortens it */
  shown: string;
  quoted: number;
  quotedText: string;
  rule: FigureRule;
  erratum?: string;
  unexplained?: string;
  /** tex: the expression typeset (not for a replay, whose work is `replayed`) */
  explain?: { text: string; tex?: string; value: number; shown: string; reproduces: boolean; replayed?: ReplayedWork; mistakes?: CatalogueCause };
  /** the quantity's name as LaTeX, where it is a node of the step */
  tex?: string;
  /**
   * A named cause (cause=NAME) several figures share. `first`: this check explains it (`text`,
   * its erratum); later checks refer to that one (its quantity) instead of repeating it.
   */
  cause?: { name: string; first: boolean; quantity: string; tex?: string; text: string; at?: Locator };
  /** where the erratum's (or unexplained's) words stand in the lesson, for their math */
  textAt?: Locator;
  verdict: CheckVerdict;
  /** the source's figure fits what the lesson computes or declares */
  ok: boolean;
}

/** Whether `value` is the figure `text` under `rule`. */
export function fits(value: number, text: string, rule: FigureRule): boolean {
  if (rule.tolerance !== undefined) return Number.isFinite(value) && Math.abs(value - Number(text)) <= rule.tolerance;
  if (rule.range) {
    const half = 0.5 * 10 ** -decimalsOf(text), q = Number(text);
    return rule.range.low - half <= q && q <= rule.range.high + half;
  }
  return figureMatches(value, text, rule.rounding);
}

export function checkFigure(call: DirectiveCall, lesson: LessonContext): CheckResult {
  const arg = (key: string) => call.keyed.get(key);
  const quotedArg = arg('quoted');
  if (!quotedArg) throw call.error(undefined, '::check needs quoted=NUMBER: the figure as the source prints it');
  if (!/^[+-]?\d+(\.\d+)?$/.test(quotedArg.value)) throw call.error(quotedArg, `expected quoted to be a decimal number as the source prints it, got ${quotedArg.value}`);
  const roundingArg = arg('rounding');
  if (roundingArg && roundingArg.value !== 'round' && roundingArg.value !== 'truncate') throw call.error(roundingArg, `expected rounding=round or rounding=truncate, got ${roundingArg.value}`);
  const toleranceArg = arg('tolerance');
  const tolerance = toleranceArg && /^\d*\.?\d+(e[+-]?\d+)?$/i.test(toleranceArg.value) ? Number(toleranceArg.value) : toleranceArg ? NaN : undefined;
  if (toleranceArg && !(tolerance! > 0 && Number.isFinite(tolerance))) throw call.error(toleranceArg, `expected tolerance to be a positive number, like 1e-9, got ${toleranceArg.value}`);
  let erratum = arg('erratum')?.value;
  const unexplained = arg('unexplained')?.value;
  // A cause explained once: the first check that names it says what it is, later ones refer to it.
  const causeArg = arg('cause');
  let cause: CheckResult['cause'];
  if (causeArg) {
    if (!/^[a-z][a-z0-9-]*$/.test(causeArg.value)) throw call.error(causeArg, `expected cause=NAME, a name of lower-case letters, digits and hyphens like shared-biases, got ${causeArg.value}`);
    if (unexplained !== undefined) throw call.error(causeArg, 'an unexplained figure has no known cause: drop cause= or unexplained=');
    const first = lesson.checks.find((c) => c.cause?.name === causeArg.value);
    if (first) cause = { name: causeArg.value, first: false, quantity: first.quantity, tex: first.tex, text: first.cause!.text, at: first.cause!.at };
    else if (erratum === undefined) throw call.error(causeArg, `the first check with cause=${causeArg.value} explains it: add erratum="what the source did" here`);
    else cause = { name: causeArg.value, first: true, quantity: '', text: erratum, at: textAt(call, arg('erratum')!) };
    erratum ??= cause.text;
  }
  if (erratum !== undefined && !erratum.trim()) throw call.error(arg('erratum'), 'erratum="…" says what the source did: it cannot be empty');
  if (erratum !== undefined && unexplained !== undefined) throw call.error(arg('unexplained'), 'a figure is either an erratum (with its explanation) or unexplained, not both');
  const rule: FigureRule = { rounding: (roundingArg?.value as Rounding | undefined) ?? lesson.meta.rounding, decimals: decimalsOf(quotedArg.value), tolerance };
  const { ref, value, label, tex, spread } = resolveQuantity(call, lesson);
  if (cause?.first) cause.quantity = label;
  // A run's quantity of which fewer digits survive perturbation than the figure prints: the
  // figure must lie within what the runs span; where a rerun has no such quantity, nowhere.
  if (spread && (spread.decimals < rule.decimals || spread.missing > 0) && rule.tolerance === undefined) {
    rule.range = spread.missing > 0 ? { low: NaN, high: NaN, runs: spread.runs } : { low: spread.low, high: spread.high, runs: spread.runs };
  }
  const show = (v: number) => shortened(v, rule.decimals, rule.rounding);

  let explain: CheckResult['explain'];
  const explainArg = arg('explain');
  if (explainArg) {
    if (erratum === undefined) throw call.error(explainArg, 'explain= proves an erratum: declare it with erratum="what the source did"');
    let v: number;
    let replayed: ReplayedWork | undefined;
    let tex: string | undefined;
    let rounding = rule.rounding;
    const catalogued = /^mistakes:/.exec(explainArg.value);
    let mistakes: CatalogueCause | undefined;
    if (catalogued) {
      // The stated model with the named mistakes, carrying on with the figures printed so far.
      const model = call.keyed.has('replay') ? lesson.models.get('main')! : call.model;
      const base = caseOfModel(model);
      const h = parseHypothesis(explainArg.value.slice(catalogued[0].length), base);
      if (typeof h === 'string') throw call.error(explainArg, `explain="mistakes: …": ${h}`);
      const { ref } = resolveQuantity(call, lesson, false);
      if (!STEP_KINDS.includes(ref.kind)) throw call.error(explainArg, `explain="mistakes: …" explains a quantity of the step (a value, grad, partial, new or applied), not ${ref.kind}`);
      const mistaken = caseOf(base, h, lesson.printed.get(model.name));
      const step = stepOf(mistaken);
      v = quantityOf(step, { kind: ref.kind as StepRef['kind'], name: ref.name, of: ref.of }) ?? NaN;
      replayed = replayedWork(ref, step.trace, mistaken.lr);
      mistakes = { uses: h.uses.map((u) => ({ id: u.mistake.id, sentence: u.mistake.sentence, tex: u.mistake.tex, at: u.at && (u.at.with ? `${u.at.name}/${u.at.with}` : u.at.name) })), carry: h.carry };
      rounding = h.carry?.rounding ?? rule.rounding;
    } else if (explainArg.value === 'replay') {
      const model = replayModel(lesson.models);
      if (!model) throw call.error(explainArg, 'explain=replay needs carry: { decimals, values } in the front matter');
      const q = resolveQuantity(call, lesson, true);
      v = q.value;
      replayed = replayedWork(q.ref, model.replay!, model.lr);
    } else {
      const replayed = call.keyed.has('replay') ? replayModel(lesson.models) : undefined;
      v = expressionValue(explainArg, replayed?.replay ?? call.model.trace, call.model.lr, call, lesson.meta.carry);
      tex = expressionTex(explainArg.value, replayed?.replay ?? call.model.trace, lesson.meta.carry?.decimals);
    }
    // An explanation reproduces the figure by the rule itself, never by a tolerance.
    explain = { text: explainArg.value, tex, value: v, shown: shortened(v, rule.decimals, rounding), reproduces: figureMatches(v, quotedArg.value, rounding), replayed, mistakes };
  }
  const declared = erratum !== undefined || unexplained !== undefined;
  let verdict: CheckVerdict;
  if (fits(value, quotedArg.value, rule)) verdict = declared ? 'declared-but-agrees' : 'agrees';
  else if (!declared) verdict = 'mismatch';
  else if (unexplained !== undefined) verdict = 'unexplained';
  else verdict = explain && !explain.reproduces ? 'explanation-fails' : 'erratum';
  return {
    at: lesson.position(call.token.offset), quantity: label, tex, cause, ref,
    textAt: arg('erratum') ? textAt(call, arg('erratum')!) : arg('unexplained') ? textAt(call, arg('unexplained')!) : undefined, computed: value, shown: show(value),
    quoted: Number(quotedArg.value), quotedText: quotedArg.value, rule, erratum, unexplained, explain, verdict,
    ok: verdict === 'agrees' || verdict === 'erratum' || verdict === 'unexplained',
  };
}

/** The replay's own steps to a quantity, where they are one line of work (else undefined). */
function replayedWork(ref: Ref, replay: NetworkTrace, lr: number): ReplayedWork | undefined {
  const node = replay.tape.nodes.find((n) => n.name === ref.name);
  if (!node) return undefined;
  if (ref.kind === 'value') return node.inputs.length ? { kind: 'node', node } : undefined;
  if (ref.kind === 'new') return { kind: 'update', param: node, lr, grad: replay.tape.carry('', node.grad), value: node.value - lr * replay.tape.carry('', node.grad) };
  const of = ref.kind === 'partial' ? replay.tape.nodes.find((n) => n.name === ref.of) : replay.loss;
  if (!of || (ref.kind !== 'grad' && ref.kind !== 'partial')) return undefined;
  const chain = explainGradient(replay.tape, of, node);
  if (chain.paths.length !== 1) return undefined;
  const factors = chain.paths[0].factors.filter((f) => f.rule !== 'sum');
  if (factors.length === 1) return { kind: 'factor', factor: factors[0] };
  // Down one path each partial product is the one above it times a factor, written down
  // shortened (the replay's backward pass keeps them so for the loss's own gradients).
  let before = 1;
  const steps = factors.map((factor) => {
    const after = ref.kind === 'grad' ? factor.wrt.grad : replay.tape.carry('', before * factor.value);
    const step = { factor, before, after };
    before = after;
    return step;
  });
  return { kind: 'product', root: of, steps };
}
