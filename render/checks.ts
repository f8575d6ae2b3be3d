// A quoted source figure against the computed one, what a source's code computes instead, and
// the agreement of the tracer with the trainer, finite differences and mathjs.
import type { CheckResult, FigureRule, ReplayedWork } from '../src/lesson/check.ts';
import type { RenderContext } from '../src/lesson/directive.ts';
import type { AgreementRow } from '../src/lesson/models.ts';
import { formatNumber, formatSignificant, num, numbers, symbols } from './format.ts';
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

const VERDICT: Record<CheckResult['verdict'], string> = {
  agrees: 'agrees',
  erratum: 'erratum',
  unexplained: 'unexplained',
  mismatch: 'undeclared mismatch',
  'declared-but-agrees': 'declared a mismatch, but the figures agree',
  'explanation-fails': 'the explanation does not reproduce the source',
};

/** The rule a check applied, in words: "rounded to 10 decimals". */
export function ruleText(rule: FigureRule): string {
  if (rule.tolerance !== undefined) return `within ±${formatSignificant(rule.tolerance, 6)}, the tolerance this lesson declares`;
  if (rule.range) {
    if (Number.isNaN(rule.range.low)) return `not comparable: of the run and its ${rule.range.runs - 1} reruns with every starting weight moved by one ulp, not all have this quantity`;
    return `within what the run and its ${rule.range.runs - 1} reruns with every starting weight moved by one ulp span, ${formatSignificant(rule.range.low, 6)} to ${formatSignificant(rule.range.high, 6)} (fewer digits than the figure's survive)`;
  }
  return `${rule.rounding === 'round' ? 'rounded' : 'cut off'} to ${rule.decimals} decimal${rule.decimals === 1 ? '' : 's'}`;
}

export function checkBox(c: CheckResult, page: RenderContext): string {
  const { rule } = c;
  // The computed value to three more decimals than the figure, so the reader sees the rounding.
  const computed = formatNumber(c.computed, rule.decimals + 3);
  const shortenedTo = rule.tolerance === undefined && !rule.range ? `${ruleText(rule)}: <span class="num">${escapeHtml(c.shown)}</span>` : ruleText(rule);
  // Which way round: the source's figure against the computed number.
  const gap = c.quoted - c.computed;
  const difference = c.verdict === 'agrees' ? '' : ` (the source's figure is ${formatSignificant(Math.abs(gap), 3)} ${gap > 0 ? 'higher' : 'lower'})`;
  const replayed = c.explain?.replayed ? `<div class="replayed">${page.display(`\\begin{aligned}${replayedTex(c.explain.replayed)}\\end{aligned}`)}</div>` : '';
  const source = (text: string) => (text === 'replay' ? 'the tutorial’s own arithmetic, replayed (each figure from the figures it printed before, rounded as it prints them)' : `<code>${escapeHtml(text)}</code>`);
  const explain = c.explain
    ? `<p class="explain">Where the source’s figure comes from: ${source(c.explain.text)} = ${escapeHtml(formatNumber(c.explain.value, rule.decimals + 3))}, ${ruleText({ ...rule, tolerance: undefined, range: undefined })}: ${escapeHtml(c.explain.shown)} — ${c.explain.reproduces ? 'reproduces the quoted figure.' : 'does <strong>not</strong> reproduce it.'}</p>${replayed}`
    : '';
  const why = c.erratum ?? (c.unexplained !== undefined ? `No arithmetic this lesson knows reproduces the source’s figure${c.unexplained ? `: ${c.unexplained}` : '.'}` : undefined);
  const body = why ? `<p>${escapeHtml(why)}</p>${explain}` : explain;
  // A quantity read from the replay is the source's own arithmetic without the slip the erratum names.
  const computedAs = c.ref.replay ? 'the tutorial’s arithmetic without that slip gives' : 'computed';
  return `<aside class="check ${c.verdict}" role="note"><p class="check-line"><span class="check-q">${escapeHtml(c.quantity)}</span> source: <span class="num">${escapeHtml(c.quotedText)}</span> · ${computedAs}: <span class="num">${escapeHtml(computed)}</span>, ${shortenedTo} · <strong>${VERDICT[c.verdict]}</strong>${difference}</p>${body}</aside>`;
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
