// An exercise's answer judged: right within the digits the reader typed, or wrong, and then
// matched against the slips a learner makes (the catalogue's learner entries, one or two at
// once; the forward values, or every value, shortened to 2…6 decimals), naming the factor that is wrong.
// Runs in the page, on the reader's numbers: the answer is computed here, never shipped.
import { explainGradient } from '../chain.ts';
import { shortenedNumber } from '../decimal.ts';
import type { Factor } from '../tape.ts';
import { readArithmetic, ArithmeticError } from './arithmetic.ts';
import { caseOf, hypothesisText, pairsOf, usesOf, type Hypothesis } from './diagnose.ts';
import { MISTAKES, quantityOf, stepOf, type MistakenStep, type StepCase, type StepRef } from './mistakes.ts';

/** A factor of the asked quantity's chain the slip writes otherwise. */
export interface FactorSlip {
  /** the factor as the true step has it */
  factor: Factor;
  /** the slip's version, as LaTeX over the nodes' symbols */
  yours: string;
  yoursValue: number;
}

export type Judgement =
  | { verdict: 'unreadable'; message: string }
  | { verdict: 'few-digits'; message: string }
  | { verdict: 'right'; value: number }
  | { verdict: 'wrong'; value: number; answered: number; mistake?: { hypothesis: Hypothesis; forward?: Guess['forward']; text: string; factors: FactorSlip[] } };

/** A learner's slips, and the forward values rounded to `forward` decimals as they wrote them down (the rest exact, or rounded as `carry` says). */
type Guess = Hypothesis & { forward?: { decimals: number; rounding: 'round' | 'truncate' } };

const MIN_SIGNIFICANT = 3;
const LEARNER_DECIMALS = [2, 3, 4, 5, 6];

/** The names an answer may use: the step's nodes and the learning rate. */
function answerScope(s: MistakenStep, lr: number): Map<string, number> {
  const scope = new Map<string, number>();
  for (const n of s.trace.tape.nodes) if (/^[A-Za-z_][\w@]*$/.test(n.name) && !n.name.endsWith('+')) scope.set(n.name, n.value);
  scope.set('lr', lr);
  scope.set('α', lr); // as the worked step writes it
  scope.set('alpha', lr);
  return scope;
}

/** The step's factors down to a quantity (its gradient's chain, a partial's, an update's gradient's), keyed by what they connect. */
function chainFactors(s: MistakenStep, ref: StepRef): Map<string, Factor> {
  const { tape, loss } = s.trace;
  const wrt = s.node(ref.name);
  const of = ref.kind === 'partial' ? s.node(ref.of ?? '') : loss;
  const out = new Map<string, Factor>();
  if (!wrt || !of || ref.kind === 'value') return out;
  try {
    for (const p of explainGradient(tape, of, wrt).paths) for (const f of p.factors) out.set(`${f.of.name}/${f.wrt.name}`, f);
  } catch {
    /* no chain: nothing to point at */
  }
  return out;
}

export function judgeAnswer(c: StepCase, ref: StepRef, typed: string): Judgement {
  const truthStep = stepOf(c);
  const truth = quantityOf(truthStep, ref)!;
  let reading;
  try {
    reading = readArithmetic(typed, answerScope(truthStep, c.lr));
  } catch (e) {
    if (e instanceof ArithmeticError) return { verdict: 'unreadable', message: `${e.message}: write a number, like 0.123, or arithmetic over the lesson's names, like out_o1*(1 - out_o1)` };
    throw e;
  }
  const answered = reading.value;
  if (!Number.isFinite(answered)) return { verdict: 'unreadable', message: 'that is not a finite number' };
  // Under three significant digits only an exact answer counts (0.66 for a bias the step leaves, 1 for a factor taken as 1).
  const digits = typed.replace(/[^0-9]/g, '').replace(/^0+/, '').length;
  const short = reading.plain && digits < MIN_SIGNIFICANT;
  const typedDecimals = Number.isFinite(reading.decimals) ? reading.decimals : 0; // 160: a whole number
  // A number is right when the value, shortened to the decimals typed (rounded or cut off), is it; arithmetic, within the rounding of the numbers typed in it.
  const fits = (v: number | undefined): boolean => {
    if (v === undefined || !Number.isFinite(v)) return false;
    if (short) return Math.abs(v - answered) <= 1e-12 * Math.max(1, Math.abs(v));
    if (reading.plain) return ['round', 'truncate'].some((r) => Object.is(shortenedNumber(v, typedDecimals, r as 'round'), answered) || (answered === 0 && shortenedNumber(v, typedDecimals, r as 'round') === 0));
    return Math.abs(v - answered) <= reading.error + 1e-9 * Math.abs(v) + 1e-15;
  };
  if (fits(truth)) return { verdict: 'right', value: truth };

  const singles = usesOf(MISTAKES.filter((m) => m.learner), c);
  const pairs = pairsOf(singles);
  // Rounding on the way: the forward pass the page gives, rounded as the learner writes it down, and then the rest exactly or rounded as well.
  const roundings = (short ? [] : LEARNER_DECIMALS).flatMap((decimals) => (['round', 'truncate'] as const).map((rounding) => ({ decimals, rounding })));
  const withSingles = (h: Omit<Guess, 'uses'>): Guess[] => [{ uses: [], ...h }, ...singles.map((u) => ({ uses: [u], ...h }))];
  const guesses: Guess[] = [
    ...singles.map((u) => ({ uses: [u] })),
    ...pairs.map((uses) => ({ uses })),
    // Rounded intermediates give a number close to the answer: not a reading of an answer typed short.
    ...roundings.flatMap((forward) => withSingles({ forward })),
    ...roundings.flatMap((carry) => withSingles({ carry, forward: carry })),
  ];
  const trueFactors = chainFactors(truthStep, ref);
  const forwardNodes = truthStep.trace.tape.nodes.filter((n) => n.op !== 'param' && n.op !== 'input' && !n.name.endsWith('+'));
  for (const g of guesses) {
    const values = g.forward && Object.fromEntries(forwardNodes.map((n) => [n.name, shortenedNumber(n.value, g.forward!.decimals, g.forward!.rounding)]));
    const mistaken = caseOf(c, g);
    const s = stepOf(values ? { ...mistaken, carry: { ...g.carry, values } } : mistaken);
    if (!fits(quantityOf(s, ref))) continue;
    // The factors of the chain a slip itself writes otherwise (not those rounding alone moves), in the chain's order, each
    // with the slip whose own version of it is the one the answer has.
    const alone = g.uses.map((u) => ({ u, chain: chainFactors(stepOf(caseOf(c, { uses: [u] })), ref) }));
    const factors: FactorSlip[] = [];
    for (const [key, yoursFactor] of chainFactors(s, ref)) {
      const f = trueFactors.get(key);
      if (!f) continue;
      const by = alone
        .filter(({ u, chain }) => chain.get(key) !== undefined && chain.get(key)!.value !== f.value && u.mistake.yours?.(f) !== undefined)
        .sort((a, b) => Math.abs(a.chain.get(key)!.value - yoursFactor.value) - Math.abs(b.chain.get(key)!.value - yoursFactor.value))[0];
      if (by) factors.push({ factor: f, yours: by.u.mistake.yours!(f)!, yoursValue: yoursFactor.value });
    }
    const { forward, ...hypothesis } = g;
    const text = [g.uses.length || g.carry ? hypothesisText(hypothesis) : '', !g.carry && forward ? `forward ${hypothesisText({ uses: [], carry: forward })}` : ''].filter(Boolean).join(' + ');
    return { verdict: 'wrong', value: truth, answered, mistake: { hypothesis, forward: g.carry ? undefined : forward, text, factors } };
  }
  if (short) return { verdict: 'few-digits', message: `give at least ${MIN_SIGNIFICANT} significant digits (you gave ${digits || 'none'}): the answer is checked to the digits you type` };
  return { verdict: 'wrong', value: truth, answered };
}
