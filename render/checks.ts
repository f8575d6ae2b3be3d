// A quoted source figure against the computed one, what a source's code computes instead, and
// the agreement of the tracer with the trainer, finite differences and mathjs.
import type { CheckResult, FigureRule, ReplayedWork } from '../src/lesson/check.ts';
import type { RenderContext } from '../src/lesson/directive.ts';
import type { AgreementRow } from '../src/lesson/models.ts';
import { formatNumber, formatSignificant, minus, num, numbers, symbols } from './format.ts';
import { definition, derivative, partialTex } from './formula.ts';
import { escapeHtml } from './html.ts';

/** Carried numbers in full: a replay holds each to the decimals the source wrote (at most a dozen). */
const CARRIED = 12;

/** The replayed source's own line of work for a figure, as typeset math. */
function replayedTex(w: ReplayedWork): string {
  const n = (v: number) => num(v, CARRIED);
  switch (w.kind) {
    case 'node': {
      const def = definition(w.node)!;
      return `${w.node.tex} &= ${symbols(def)} \\\\ &= ${numbers(def, CARRIED)} \\\\ &= ${formatNumber(w.node.value, CARRIED)}`;
    }
    case 'factor': {
      const d = derivative(w.factor);
      return `${partialTex(w.factor.of, w.factor.wrt)} &= ${symbols(d)} \\\\ &= ${numbers(d, CARRIED)} = ${formatNumber(w.factor.value, CARRIED)}`;
    }
    case 'product':
      return w.steps.map((s, i) => `${partialTex(w.root, s.factor.wrt)} &= ${i === 0 ? '' : `${n(s.before)}\\cdot `}${n(s.factor.value)}${i === 0 ? '' : ` = ${formatNumber(s.after, CARRIED)}`}`).join('\\\\ ');
    case 'update':
      return `${w.param.tex}^{+} &= ${w.param.tex} - \\alpha\\cdot \\partial E/\\partial ${w.param.tex} \\\\ &= ${n(w.param.value)} - ${n(w.lr)}\\cdot ${n(w.grad)} = ${formatNumber(w.value, CARRIED)}`;
  }
}


/** The rule a check applied, in words: "rounded to 10 decimals". */
export function ruleText(rule: FigureRule): string {
  if (rule.tolerance !== undefined) return `within ±${formatSignificant(rule.tolerance, 6)}, the tolerance this lesson declares`;
  if (rule.range) {
    if (Number.isNaN(rule.range.low)) return `not comparable: of the run and its ${rule.range.runs - 1} reruns with every starting weight moved by one ulp, not all have this quantity`;
    return `within what the run and its ${rule.range.runs - 1} reruns with every starting weight moved by one ulp span, ${formatSignificant(rule.range.low, 6)} to ${formatSignificant(rule.range.high, 6)} (fewer digits than the figure's survive)`;
  }
  return `${rule.rounding === 'round' ? 'rounded' : 'cut off'} to ${rule.decimals} decimal${rule.decimals === 1 ? '' : 's'}`;
}

const VERDICT_WORDS: Record<CheckResult['verdict'], string> = {
  agrees: '✓ agrees',
  erratum: '⚠ the source’s figure is wrong',
  unexplained: '⚠ the source’s figure is wrong, and nothing here reproduces it',
  mismatch: '✗ undeclared mismatch',
  'declared-but-agrees': '✗ declared a mismatch, but the figures agree',
  'explanation-fails': '✗ the explanation does not reproduce the source',
};

/** A source's figure against the computed one, and where a figure is wrong, the argument: what the stated values give, what the source must have done, its arithmetic replayed. */
export function checkBox(c: CheckResult, page: RenderContext): string {
  const { rule } = c;
  const n = (text: string) => `<span class="num">${minus(escapeHtml(text))}</span>`;
  const name = c.tex ? page.inline(c.tex) : escapeHtml(c.quantity);
  // The computed value to three more decimals than the figure, so the reader sees the rounding.
  const computed = formatNumber(c.computed, rule.decimals + 3);
  const shortened = rule.tolerance === undefined && !rule.range ? `, which ${ruleText(rule)} is ${n(c.shown)}` : ` (${ruleText(rule)})`;
  const gap = c.quoted - c.computed;
  const variant = c.ref.model === 'main' ? '' : ` (the lesson’s ${escapeHtml(c.ref.model)} model)`;
  if (c.verdict === 'agrees') {
    return `<aside class="check agrees" role="note"><p class="check-line"><span class="check-q">${name}</span> The source prints ${n(c.quotedText)}; chainbook computes ${n(computed)}${variant}${shortened}: <strong>${VERDICT_WORDS.agrees}</strong>.</p></aside>`;
  }
  // A quantity read from the replay is the source's own arithmetic without the slip the erratum names.
  const gives = c.ref.replay ? 'The tutorial’s own arithmetic without that slip gives' : `The stated values give${variant}`;
  const facts = [
    ['The source prints', n(c.quotedText)],
    [gives, `${n(computed)}${shortened}: the source’s figure is ${formatSignificant(Math.abs(gap), 3)} ${gap > 0 ? 'higher' : 'lower'}`],
  ];
  const why = c.erratum ?? (c.unexplained !== undefined ? `No arithmetic this lesson knows reproduces the source’s figure${c.unexplained ? `: ${c.unexplained}` : '.'}` : undefined);
  if (why) facts.push([c.verdict === 'unexplained' ? 'Why it stays unexplained' : 'What the source must have done', minus(escapeHtml(why))]);
  if (c.explain) {
    const verdict = c.explain.reproduces ? `the source’s figure, digit for digit` : `<strong>not</strong> the source’s figure`;
    const result = `${ruleText({ ...rule, tolerance: undefined, range: undefined })}: ${n(c.explain.shown)}, ${verdict}`;
    if (c.explain.replayed) {
      facts.push(['Its arithmetic, replayed', `${page.display(`\\begin{aligned}${replayedTex(c.explain.replayed)}\\end{aligned}`)}<p>each number from the figures it printed before, rounded as it prints them: ${n(formatNumber(c.explain.value, rule.decimals + 3))}, ${result}.</p>`]);
    } else if (c.explain.text === 'replay') {
      facts.push(['Its arithmetic, replayed', `The tutorial’s own arithmetic, each figure computed from the figures it printed before and rounded as it prints them, gives ${n(formatNumber(c.explain.value, rule.decimals + 3))}; ${result}.`]);
    } else {
      const tex = c.explain.tex ? page.display(`${c.explain.tex} = ${num(c.explain.value, rule.decimals + 3)}`) : `<code>${escapeHtml(c.explain.text)}</code> = ${n(formatNumber(c.explain.value, rule.decimals + 3))}`;
      facts.push(['What that computes', `${tex}<p>${result}.</p>`]);
    }
  }
  const list = facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('');
  return `<aside class="check ${c.verdict}" role="note"><p class="check-line"><span class="check-q">${name}</span> <strong>${VERDICT_WORDS[c.verdict]}</strong></p><dl class="check-facts">${list}</dl></aside>`;
}

export function computeLine(label: string, expr: string, value: number, decimals: number): string {
  return `<p class="compute">${label ? `${escapeHtml(label)}: ` : ''}<code>${escapeHtml(expr)}</code> = <span class="num">${formatNumber(value, decimals)}</span></p>`;
}

const significant = (v: number) => formatSignificant(v, 15);

export function agreementTable(agreement: AgreementRow[]): string {
  const fmt = significant;
  const rows = agreement.map((r) => `<tr><th scope="row">${escapeHtml(r.quantity)}</th><td>${fmt(r.tracer)}</td><td>${fmt(r.trainer)}</td><td>${fmt(r.finiteDifference)}</td><td>${r.symbolic === undefined ? '—' : fmt(r.symbolic)}</td><td class="${r.ok ? 'ok' : 'bad'}">${r.ok ? 'agree' : 'DISAGREE'}</td></tr>`);
  return `<table class="numbers agreement"><thead><tr><th>quantity</th><th>tracer</th><th>vectorised trainer</th><th>finite difference</th><th>mathjs symbolic</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
