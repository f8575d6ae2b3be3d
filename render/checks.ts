// A quoted source figure against the computed one, what a source's code computes instead, and
// the agreement of the tracer with the trainer, finite differences and mathjs.
import type { CheckResult } from '../src/lesson/check.ts';
import type { EvaluatedModel } from '../src/lesson/models.ts';
import { formatNumber, formatSignificant } from './format.ts';
import { escapeHtml } from './html.ts';

export function checkBox(c: CheckResult): string {
  const computed = formatNumber(c.computed, Math.max(c.decimals, 1));
  const verdict: Record<CheckResult['verdict'], string> = {
    agrees: 'agrees',
    erratum: 'erratum',
    mismatch: 'undeclared mismatch',
    'erratum-not-seen': 'declared erratum not found: the figures agree',
    'explanation-fails': 'the explanation does not reproduce the source',
  };
  const explain = c.explain
    ? `<p class="explain">What the source computed: <code>${escapeHtml(c.explain.text === 'replay' ? 'its own arithmetic, replayed as the front matter’s carry describes' : c.explain.text)}</code> = ${escapeHtml(formatNumber(c.explain.value, c.decimals))} — ${c.explain.reproduces ? 'reproduces the quoted figure.' : 'does <strong>not</strong> reproduce it.'}</p>`
    : '';
  const body = c.erratum ? `<p>${escapeHtml(c.erratum)}</p>${explain}` : explain;
  return `<aside class="check ${c.verdict}" role="note"><p class="check-line"><span class="check-q">${escapeHtml(c.quantity)}</span> source: <span class="num">${escapeHtml(c.quotedText)}</span> · computed: <span class="num">${escapeHtml(computed)}</span> · <strong>${verdict[c.verdict]}</strong></p>${body}</aside>`;
}

export function computeLine(label: string, expr: string, value: number, decimals: number): string {
  return `<p class="compute">${label ? `${escapeHtml(label)}: ` : ''}<code>${escapeHtml(expr)}</code> = <span class="num">${formatNumber(value, decimals)}</span></p>`;
}

const significant = (v: number) => formatSignificant(v, 15);

export function agreementTable(model: EvaluatedModel): string {
  const fmt = significant;
  const rows = model.agreement.map((r) => `<tr><th scope="row">${escapeHtml(r.quantity)}</th><td>${fmt(r.tracer)}</td><td>${fmt(r.trainer)}</td><td>${fmt(r.finiteDifference)}</td><td>${r.symbolic === undefined ? '—' : fmt(r.symbolic)}</td><td class="${r.ok ? 'ok' : 'bad'}">${r.ok ? 'agree' : 'DISAGREE'}</td></tr>`);
  return `<table class="numbers agreement"><thead><tr><th>quantity</th><th>tracer</th><th>vectorised trainer</th><th>finite difference</th><th>mathjs symbolic</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
