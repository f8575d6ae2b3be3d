// The page's exercises: a box after each ::exercise where the reader types an answer. It is
// judged on the numbers the page shows (the reader's, once changed), the answer computed here
// and nowhere in the HTML; a wrong one is matched against the learner's slips and the page
// names the factor that is wrong. The box stands outside the block the notebook redraws.
import { shortened } from '../../src/decimal.ts';
import { caseOfModel } from '../../src/lesson/diagnose.ts';
import { judgeAnswer, type Judgement } from '../../src/lesson/exercise.ts';
import { quantityOf, stepOf, type StepRef } from '../../src/lesson/mistakes.ts';
import { liveModels, type Edits, type LivePayload } from '../../src/live.ts';
import { workedLines } from '../exercise.ts';
import { formatNumber, symbols } from '../format.ts';
import { derivative, partialTex } from '../formula.ts';
import { escapeHtml } from '../html.ts';
import { math } from './notebook.ts';

interface Asked {
  section: HTMLElement;
  form: HTMLFormElement;
  input: HTMLInputElement;
  verdict: HTMLElement;
  worked: HTMLElement;
  ref: StepRef;
  model: string;
  tex: string;
  decimals: number;
}

const inline = (tex: string) => math.render(tex, false);
/** A number as the page writes it, with a true minus sign. */
const num = (text: string) => `<span class="num">${escapeHtml(text).replace(/^-/, '−')}</span>`;
const n = (v: number, decimals: number) => num(formatNumber(v, decimals));
/** The answer as the reader typed it (0.1606303077000001 is not 0.1606303077). */
const yourAnswer = (a: Asked) => num(a.input.value.trim());

/** What the page says of a judged answer, as HTML; `answers`: every exercise's answer on the page, none of which a wrong answer's message gives away. */
function verdictHtml(j: Judgement, a: Asked, answers: () => number[]): string {
  const d = a.decimals;
  let known: number[] | undefined;
  const secret = (v: number) => (known ??= answers()).some((x) => Math.abs(x - v) <= 1e-12 * Math.abs(x));
  switch (j.verdict) {
    case 'unreadable':
      return `<strong>? Not read:</strong> ${escapeHtml(j.message)}.`;
    case 'few-digits':
      return `<strong>? Too few digits:</strong> ${escapeHtml(j.message)}.`;
    case 'right':
      return `<strong>✓ Right.</strong> ${inline(a.tex)} is ${num(shortened(j.value, d, 'round'))} to ${d} decimals, and your answer has those digits as far as you typed them.`;
    case 'wrong': {
      if (!j.mistake) return `<strong>✗ Not ${inline(a.tex)}.</strong> Your ${yourAnswer(a)} is none of the slips this page knows (the activation's derivative left out, or taken at the output, or with the net input; out for out − t; the error's sign; an output's branch forgotten; a net input for an output in ∂in/∂w; the biases not updated; values rounded to 2…6 decimals). Compare each factor with the worked step.`;
      const { hypothesis, forward, factors } = j.mistake;
      const made = hypothesis.uses.map((u) => escapeHtml(u.mistake.sentence) + (u.at ? ` (at ${inline(u.at.tex)})` : ''));
      if (hypothesis.carry) made.push(`every value, the forward pass's too, ${hypothesis.carry.rounding === 'round' ? 'rounded' : 'cut off'} to ${hypothesis.carry.decimals} decimals as you went`);
      else if (forward) made.push(`the forward pass's values ${forward.rounding === 'round' ? 'rounded' : 'cut off'} to ${forward.decimals} decimals before you used them`);
      const where = factors.slice(0, 3).map((f) => {
        const right = symbols(derivative(f.factor));
        // A number written as a number (0, 1) is not repeated; a factor that is the answer itself keeps its value to the reader.
        const yours = /^-?\d+(\.\d+)?$/.test(f.yours) ? inline(f.yours) : `${inline(f.yours)} = ${n(f.yoursValue, d)}`;
        const truth = secret(f.factor.value) ? inline(right) : `${inline(right)} = ${n(f.factor.value, d)}`;
        return `<li>your ${inline(partialTex(f.factor.of, f.factor.wrt))} is ${yours}; it is ${truth}</li>`;
      });
      return `<strong>✗ Not ${inline(a.tex)}.</strong> Your ${yourAnswer(a)} is what ${made.length > 1 ? 'these slips give' : 'this slip gives'}: ${made.join('; and ')}.${where.length ? `<ul>${where.join('')}</ul>` : ''}`;
    }
  }
}

export function exercises(root: ParentNode, p: LivePayload, edits: () => Edits): { refresh(): void } {
  const asked: Asked[] = [];
  for (const section of root.querySelectorAll<HTMLElement>('section.exercise')) {
    const k = asked.length;
    const holder = section.closest('.live') ?? section;
    holder.insertAdjacentHTML('afterend', `<form class="exercise-answer" data-live-ui novalidate><label for="exercise-answer-${k}">Your answer</label> <input id="exercise-answer-${k}" type="text" inputmode="decimal" autocomplete="off" spellcheck="false" placeholder="a number, or arithmetic over the names"> <button type="submit">Check</button><div class="exercise-verdict" role="status" aria-live="polite"></div><button type="button" class="exercise-show" hidden>Show the worked step</button><div class="exercise-worked" hidden></div></form>`);
    const form = holder.nextElementSibling as HTMLFormElement;
    const ds = section.dataset;
    asked.push({
      section, form, input: form.querySelector('input')!, verdict: form.querySelector('.exercise-verdict')!, worked: form.querySelector('.exercise-worked')!,
      ref: { kind: ds.kind as StepRef['kind'], name: ds.name!, of: ds.of }, model: ds.model!, tex: ds.tex!, decimals: Number(ds.decimals),
    });
  }
  const judge = (a: Asked) => {
    const models = liveModels(p, edits()).models;
    const model = models.get(a.model)!;
    let j: Judgement;
    try {
      j = judgeAnswer(caseOfModel(model), a.ref, a.input.value);
    } catch (e) {
      // Never the last verdict left standing over an answer it was not about.
      j = { verdict: 'unreadable', message: `the page could not judge this answer (${(e as Error).message}); this is a bug in chainbook's page, not in your answer` };
    }
    // Every exercise's answer, only where a slip's factors are shown.
    const answers = () => asked.map((x) => quantityOf(stepOf(caseOfModel(models.get(x.model)!)), x.ref)!);
    a.verdict.innerHTML = verdictHtml(j, a, answers);
    a.form.dataset.verdict = j.verdict;
    a.form.dataset.mistake = j.verdict === 'wrong' && j.mistake ? j.mistake.text : '';
    const show = a.form.querySelector<HTMLButtonElement>('.exercise-show')!;
    show.hidden = j.verdict !== 'right' && j.verdict !== 'wrong';
    if (!a.worked.hidden) showWorked(a);
  };
  const showWorked = (a: Asked) => {
    const model = liveModels(p, edits()).models.get(a.model)!;
    const value = quantityOf(stepOf(caseOfModel(model)), a.ref)!;
    a.worked.innerHTML = math.render(`\\begin{aligned}${workedLines(model.trace, a.ref, model.lr, a.decimals, value).join(' \\\\ ')}\\end{aligned}`, true);
    a.worked.hidden = false;
  };
  for (const a of asked) {
    a.form.addEventListener('submit', (event) => {
      event.preventDefault();
      judge(a);
    });
    a.form.querySelector('.exercise-show')!.addEventListener('click', () => showWorked(a));
  }
  return {
    // New numbers: an answer already judged is judged again on them.
    refresh() {
      for (const a of asked) if (a.form.dataset.verdict) judge(a);
    },
  };
}
