// A quoted source figure against the computed one, what a source's code computes instead, and
// the agreement of the tracer with the trainer, finite differences and mathjs.
import type { CheckResult, FigureRule, ReplayedWork } from '../src/lesson/check.ts';
import type { RenderContext } from '../src/lesson/directive.ts';
import type { AgreementRow } from '../src/lesson/models.ts';
import { formatNumber, formatSignificant, minus, num, numbers, symbols, textSignificant } from './format.ts';
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
  if (rule.tolerance !== undefined) return `within ±${textSignificant(rule.tolerance, 6)}, the tolerance this lesson declares`;
  if (rule.range) {
    if (Number.isNaN(rule.range.low)) return `not comparable: of the run and its ${rule.range.runs - 1} reruns with every starting weight moved by one ulp, not all have this quantity`;
    return `within what the run and its ${rule.range.runs - 1} reruns with every starting weight moved by one ulp span, ${textSignificant(rule.range.low, 6)} to ${textSignificant(rule.range.high, 6)} (fewer digits than the figure's survive)`;
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
  const gives = c.ref.replay ? 'The replay of the tutorial’s arithmetic, without that slip, gives' : `The stated values give${variant}`;
  const facts = [
    ['The source prints', n(c.quotedText)],
    [gives, `${n(computed)}${shortened}: the source’s figure is ${textSignificant(Math.abs(gap), 3)} ${gap > 0 ? 'higher' : 'lower'}`],
  ];
  // The lesson's own words, with their math; for an unexplained figure after a fixed lead.
  const why = c.erratum !== undefined ? page.prose(c.erratum, c.textAt) : c.unexplained !== undefined ? `No arithmetic this lesson knows reproduces the source’s figure${c.unexplained ? `: ${page.prose(c.unexplained, c.textAt)}` : '.'}` : undefined;
  if (c.cause && !c.cause.first) {
    // Explained once, at the first figure with this cause; here a link back, and what is particular to this figure.
    const own = c.erratum !== c.cause.text ? ` ${why}` : '';
    const at = c.cause.tex ? page.inline(c.cause.tex) : escapeHtml(c.cause.quantity);
    facts.push(['What the source must have done', `The same slip as at ${at} (<a href="#cause-${c.cause.name}">see there</a>).${own}`]);
  } else if (why) facts.push([c.verdict === 'unexplained' ? 'Why it stays unexplained' : 'What the source must have done', why]);
  if (c.explain?.mistakes) {
    const { uses, carry } = c.explain.mistakes;
    const items = uses.map((u) => `<li>${escapeHtml(u.sentence)}${u.at ? ` (at ${escapeHtml(u.at)})` : ''}: ${page.inline(u.tex)}</li>`);
    if (carry) items.push(`<li>every intermediate ${carry.rounding === 'round' ? 'rounded' : 'cut off'} to ${carry.decimals} decimals as it is written down, and the figures printed before carried on with</li>`);
    facts.push(['The mistakes that reproduce it', `<ul class="mistakes">${items.join('')}</ul>`]);
  }
  if (c.explain) {
    const verdict = c.explain.reproduces ? `the source’s figure, digit for digit` : `<strong>not</strong> the source’s figure`;
    const result = `${ruleText({ ...rule, tolerance: undefined, range: undefined, rounding: c.explain.mistakes?.carry?.rounding ?? rule.rounding })}: ${n(c.explain.shown)}, ${verdict}`;
    if (c.explain.mistakes) {
      const work = c.explain.replayed ? page.display(`\\begin{aligned}${replayedTex(c.explain.replayed)}\\end{aligned}`) : '';
      facts.push(['Its arithmetic, replayed', `${work}<p>With ${c.explain.mistakes.uses.length + (c.explain.mistakes.carry ? 1 : 0) === 1 ? 'this mistake' : 'these mistakes'}, the step gives ${n(formatNumber(c.explain.value, rule.decimals + 3))}; ${result}.</p>`]);
    } else if (c.explain.replayed) {
      facts.push(['Its arithmetic, replayed', `${page.display(`\\begin{aligned}${replayedTex(c.explain.replayed)}\\end{aligned}`)}<p>Each number from the figures it printed before, rounded as it prints them, gives ${n(formatNumber(c.explain.value, rule.decimals + 3))}, ${result}.</p>`]);
    } else if (c.explain.text === 'replay') {
      facts.push(['Its arithmetic, replayed', `The tutorial’s own arithmetic, each figure computed from the figures it printed before and rounded as it prints them, gives ${n(formatNumber(c.explain.value, rule.decimals + 3))}; ${result}.`]);
    } else {
      const tex = c.explain.tex ? page.display(`${c.explain.tex} = ${formatNumber(c.explain.value, rule.decimals + 3)}`) : `<code>${escapeHtml(c.explain.text)}</code> = ${n(formatNumber(c.explain.value, rule.decimals + 3))}`;
      facts.push(['What that computes', `${tex}<p>${result}.</p>`]);
    }
  }
  const anchor = c.cause?.first ? ` id="cause-${c.cause.name}"` : '';
  // The source's arithmetic gets the box's whole width, under its label.
  const wide = (k: string) => (k === 'Its arithmetic, replayed' || k === 'What that computes' || k === 'The mistakes that reproduce it' ? ' class="wide"' : '');
  const list = facts.map(([k, v]) => `<dt${wide(k)}>${k}</dt><dd${k === 'What the source must have done' ? anchor : wide(k)}>${v}</dd>`).join('');
  return `<aside class="check ${c.verdict}" role="note"><p class="check-line"><span class="check-q">${name}</span> <strong>${VERDICT_WORDS[c.verdict]}</strong></p><dl class="check-facts">${list}</dl></aside>`;
}

/** What a source computes instead, typeset: "label: formula = value". */
export function computeLine(label: string, tex: string, value: number, decimals: number, page: RenderContext): string {
  return `<div class="compute">${label ? `<p class="compute-label">${escapeHtml(label)}:</p>` : ''}${page.display(`${tex} = ${formatNumber(value, decimals)}`)}</div>`;
}

/** How many significant digits two numbers share (17 when they are the same double). */
export function agreedDigits(a: number, b: number): number {
  if (a === b) return 17;
  for (let d = 16; d >= 1; d--) if (a.toPrecision(d) === b.toPrecision(d)) return d;
  return 0;
}

/** A difference in powers of ten: "2.8·10⁻¹⁷" as HTML, "0" for none. */
function sizeHtml(v: number): string {
  if (v === 0) return '0';
  const [m, e] = Math.abs(v).toExponential(1).split('e');
  return `${v < 0 ? '−' : ''}${m}·10<sup>${minus(String(Number(e)))}</sup>`;
}

/**
 * The tracer's gradients against the trainer's, finite differences and mathjs: the value to
 * the digits every method shares, and for each method how many digits agree and the difference.
 */
export function agreementTable(agreement: AgreementRow[], page: RenderContext): string {
  const cell = (tracer: number, other: number | undefined) => {
    if (other === undefined || Number.isNaN(other)) return '<td class="na">—</td>';
    const d = agreedDigits(tracer, other);
    return `<td class="agreed">${d === 17 ? 'identical' : `${d} digits · Δ ${sizeHtml(other - tracer)}`}</td>`;
  };
  const rows = agreement.map((r) => {
    const others = [r.trainer, r.finiteDifference, r.symbolic].filter((v): v is number => v !== undefined && !Number.isNaN(v));
    const shared = Math.max(1, Math.min(15, ...others.map((o) => agreedDigits(r.tracer, o))));
    return `<tr><th scope="row">${page.inline(r.tex)}</th><td class="value">${minus(formatSignificant(r.tracer, shared))}</td>${cell(r.tracer, r.trainer)}${cell(r.tracer, r.finiteDifference)}${cell(r.tracer, r.symbolic)}<td class="${r.ok ? 'ok' : 'bad'}">${r.ok ? 'agree' : 'DISAGREE'}</td></tr>`;
  });
  return `<p class="table-note">Each gradient four ways. The value is the tracer's, to the digits all the methods share; each method's column says how many significant digits of its value agree with the tracer's, and Δ, its value minus the tracer's.</p><table class="numbers agreement"><thead><tr><th>quantity</th><th>value</th><th>vectorised trainer</th><th>finite difference</th><th>mathjs symbolic</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

