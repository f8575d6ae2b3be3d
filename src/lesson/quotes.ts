// From a tutorial's text to a lesson's checks: every decimal the text prints, matched to a
// quantity of the lesson's step that gives those digits (its value, a gradient, a local or a
// loss term's partial derivative, an update, the learning rate) or, failing that, to one a
// catalogued mistake makes give them; where several quantities do, the one the text names
// nearest before the figure. What chainbook quotes proposes; the author checks and keeps.
import type { Rounding } from '../decimal.ts';
import { plainDecimal, shortenedNumber } from '../decimal.ts';
import { catalogueArguments, caseOf, pairsOf, usesOf, type Hypothesis } from './diagnose.ts';
import { MISTAKES, stepOf, type StepCase } from './mistakes.ts';
import { decimalsOf, padsPast } from './quoted.ts';

/** A decimal printed in the source, where it stands. */
export interface PrintedFigure {
  text: string;
  line: number;
  col: number;
  /** the source's words and formulas before it, back to the start of its formula */
  context: string;
  /** printed as the exponent of e^{-x}: the figure is −x */
  exponent: boolean;
  /** the result of its formula (what follows ends the line or the formula), not an operand in it */
  result: boolean;
}

/** A quantity of the step, as ::check names it, with the words the source would name it by. */
interface Candidate {
  quantity: string;
  value: number;
  /** normalised names that must all appear before the figure for it to be this */
  keys: string[];
  /** preference among quantities with the same digits and no naming (a value before a derivative) */
  rank: number;
}

export interface Proposal {
  figure: PrintedFigure;
  /** the ::check line */
  check: string;
  quantity: string;
  /** the mistake it is proposed under, where the stated model does not give the digits */
  under?: Hypothesis;
  /** other quantities with the same digits */
  alternatives: string[];
}

export interface QuotesResult {
  figures: PrintedFigure[];
  proposals: Proposal[];
  unmatched: PrintedFigure[];
}

/** Lower case without TeX's braces, backslashes, underscores and spaces: out_{O_1} → outo1. */
export function normalised(s: string): string {
  return s.replace(/α/g, '\\alpha').replace(/∂/g, '\\partial').replace(/\\(?!partial|alpha)[a-zA-Z]+/g, '').toLowerCase().replace(/[\\{}_\s^$&]/g, '');
}

/** The decimals a text prints: not equation numbers like (5.24), section numbers or dates. */
export function printedFigures(text: string, from = 1, to = Infinity): PrintedFigure[] {
  const lines = text.split('\n');
  const figures: PrintedFigure[] = [];
  let formulaStart = 0, inFormula = false;
  let before = '';
  for (let i = from - 1; i < Math.min(lines.length, to); i++) {
    const line = lines[i];
    // A minus as typeset (−, U+2212) is a minus.
    for (const m of line.matchAll(/(?<![\w.])[-−]?\d+\.\d+(?!\w|\.\d)/g)) {
      const s = m.index!, e = s + m[0].length;
      // (5.24): an equation's number (never 0.something); a figure in brackets, σ(0.3775), is one; a full stop ends a sentence, not a figure.
      if (/^[1-9]\d?\.\d{1,2}$/.test(m[0]) && /[(（]$/.test(line.slice(0, s)) && /^[)）]/.test(line.slice(e))) continue;
      if (/^\s*(#+|\*\*)\s*$/.test(line.slice(0, s))) continue; // #### 3.1: a section's
      const upTo = before + line.slice(0, s);
      const open = upTo.lastIndexOf('$$');
      figures.push({ text: m[0].replace(/^[-−]/, /e\^\{$/.test(line.slice(0, s)) ? '' : '-'), line: i + 1, col: s + 1, context: upTo.slice(Math.max(open, formulaStart, upTo.length - 600)), exponent: /e\^\{$/.test(line.slice(0, s)), result: /=\s*$/.test(line.slice(0, s)) && /^\s*(\\\\|\$\$|\\end|\\quad|\\text|[,，。]|$)/.test(line.slice(e)) });
    }
    before += `${line}\n`;
    // A formula ends with its $$; the context of a figure is its own formula, or its own line.
    if ((line.match(/\$\$/g)?.length ?? 0) % 2 === 1) inFormula = !inFormula;
    if (!inFormula) formulaStart = before.length;
  }
  return figures;
}

/** Every quantity of a step the lesson can check, with the names the source would use for it. */
function candidates(c: StepCase): Candidate[] {
  const s = stepOf(c);
  const { trace } = s;
  const { tape } = trace;
  const out: Candidate[] = [];
  const names = (n: { name: string; tex: string }) => [normalised(n.tex) || normalised(n.name)];
  for (const n of tape.nodes) {
    if (n.name.endsWith('+')) continue;
    out.push({ quantity: n.name, value: tape.computed.get(n.name) ?? n.value, keys: [names(n)[0]], rank: 0 });
    // A tutorial differentiates with respect to what it trains and computes, not its data.
    if (n.op === 'input') continue;
    if (n.name !== trace.loss.name) out.push({ quantity: `grad ${n.name}`, value: n.grad, keys: [`partial${normalised(trace.loss.tex)}`, `partial${names(n)[0]}`], rank: 2 });
    for (const f of n.inputs) if (f.wrt.op !== 'input') out.push({ quantity: `partial ${n.name} ${f.wrt.name}`, value: f.value, keys: [`partial${names(n)[0]}`, `partial${names(f.wrt)[0]}`], rank: 1 });
  }
  // The partial derivatives of each loss term, as the tutorials split the error per output.
  const grads = tape.nodes.map((n) => n.grad);
  for (const term of trace.samples.flatMap((x) => x.terms)) {
    if (term === trace.loss) continue;
    tape.backward(term);
    for (const n of tape.nodes) if (n.id < term.id && n.grad !== 0 && n.op !== 'input') {
      if (!term.inputs.some((f) => f.wrt === n)) out.push({ quantity: `partial ${term.name} ${n.name}`, value: n.grad, keys: [`partial${names(term)[0]}`, `partial${names(n)[0]}`], rank: 1 });
    }
  }
  tape.nodes.forEach((n, i) => (n.grad = grads[i]));
  trace.params.forEach((p, i) => out.push({ quantity: `new ${p.name}`, value: s.step.after[i], keys: [`${names(p)[0]}+`], rank: 3 }));
  out.push({ quantity: 'lr', value: c.lr, keys: ['alpha'], rank: 4 });
  return out;
}

/**
 * The candidate the source names for the figure: for a result, the one its formula begins
 * with (where all its names appear first); for an operand, the one named nearest before it;
 * else the most preferred.
 */
function pick(found: Candidate[], figure: PrintedFigure): Candidate {
  const context = normalised(figure.context);
  const at = (c: Candidate) => {
    const where = c.keys.map((k) => (figure.result ? context.indexOf(k) : context.lastIndexOf(k)));
    if (where.some((w) => w < 0)) return -1;
    return figure.result ? context.length - Math.max(...where) : Math.min(...where);
  };
  return [...found].sort((a, b) => at(b) - at(a) || a.rank - b.rank)[0];
}

/** The digits of the figure, as `shortenedNumber` gives them, keyed for looking up. */
const keyOf = (decimals: number, n: number) => `${decimals}:${n}`;

/** Matches each figure to the candidates whose value shows its digits, rounded or cut off. */
function matchAll(cands: Candidate[], figures: PrintedFigure[], rounding: Rounding): Map<PrintedFigure, { found: Candidate[]; rounding: Rounding }> {
  const wanted = new Map<string, PrintedFigure[]>();
  for (const f of figures) {
    const k = keyOf(decimalsOf(f.text), Number(f.text));
    wanted.set(k, [...(wanted.get(k) ?? []), f]);
  }
  const decimals = [...new Set(figures.map((f) => decimalsOf(f.text)))];
  const result = new Map<PrintedFigure, { found: Candidate[]; rounding: Rounding }>();
  for (const r of [rounding, rounding === 'round' ? 'truncate' : 'round'] as const) {
    for (const c of cands) {
      for (const d of decimals) {
        for (const f of wanted.get(keyOf(d, shortenedNumber(c.value, d, r))) ?? []) {
          const got = result.get(f);
          if (!got) result.set(f, { found: [c], rounding: r });
          else if (got.rounding === r && !got.found.includes(c)) got.found.push(c);
        }
      }
    }
  }
  return result;
}

const significant = (text: string) => text.replace(/[^0-9]/g, '').replace(/^0+/, '').length;

function checkLine(c: Candidate, f: PrintedFigure, rounding: Rounding, lessonRounding: Rounding, under?: Hypothesis): string {
  const parts = [`::check ${c.quantity} quoted=${f.text}`];
  if (rounding !== lessonRounding && !under?.carry) parts.push(`rounding=${rounding}`);
  if (under) parts.push(catalogueArguments(under));
  return parts.join(' ');
}

export function proposeChecks(base: StepCase, text: string, options: { from?: number; to?: number; rounding?: Rounding } = {}): QuotesResult {
  const { rounding = 'round' } = options;
  const figures = printedFigures(text, options.from, options.to);
  const proposal = (f: PrintedFigure, found: Candidate[], r: Rounding, under?: Hypothesis): Proposal => {
    const best = pick(found, f);
    return { figure: f, quantity: best.quantity, check: checkLine(best, f, r, rounding, under), under, alternatives: found.filter((c) => c !== best).map((c) => c.quantity) };
  };
  const direct = matchAll(candidates(base), figures, rounding);
  const agreeing = figures.filter((f) => direct.has(f)).map((f) => proposal(f, direct.get(f)!.found, direct.get(f)!.rounding));
  // The rest, of four significant digits or more (fewer match too much by chance), under the catalogue.
  const rest = figures.filter((f) => !direct.has(f) && significant(f.text) >= 4);
  const singles = usesOf(MISTAKES, base, () => false);
  const pairs = pairsOf(singles);
  const carries = [undefined, ...[10, 11, 2, 3, 4, 5, 6, 7, 8, 9, 12].flatMap((decimals) => (['round', 'truncate'] as const).map((r) => ({ decimals, rounding: r })))];
  /** The rest under the catalogue, a shortening carrying on with these printed values: the simplest first, a figure taking the first hypothesis that gives its digits. */
  const explained = (printed: Record<string, number>): Proposal[] => {
    const out: Proposal[] = [];
    let left = rest;
    outer: for (const carry of carries) {
      for (const uses of [[], ...singles.map((u) => [u]), ...pairs]) {
        if (!left.length) break outer;
        if (!uses.length && !carry) continue;
        const h: Hypothesis = { uses, carry };
        const matched = matchAll(candidates(caseOf(base, h, printed)), left, carry?.rounding ?? rounding);
        for (const f of left) {
          const m = matched.get(f);
          if (!m || m.rounding !== (carry?.rounding ?? rounding) || (carry && padsPast(f.text, carry.decimals))) continue;
          // Nor zeros padding a value that has fewer decimals: 0.64570000 is the printed 0.6457 read back, not a shortening's digits.
          const found = m.found.filter((c) => !padsPast(f.text, decimalsOf(plainDecimal(c.value))));
          if (found.length) out.push(proposal(f, found, m.rounding, h));
        }
        left = left.filter((f) => !out.some((p) => p.figure === f));
      }
    }
    return out;
  };
  // The search carries on with the figures that agree (a figure explained by its own printed value would explain nothing); the
  // lesson, with the first figure each ::check quotes of a forward value. Only the explanations that hold there are proposed.
  const byPlace = (a: Proposal, b: Proposal) => a.figure.line - b.figure.line || a.figure.col - b.figure.col;
  const printedOf = (ps: Proposal[]) => {
    const printed: Record<string, number> = {};
    for (const p of [...ps].sort(byPlace)) if (!p.quantity.includes(' ') && p.quantity !== 'lr') printed[p.quantity] ??= Number(p.figure.text);
    return printed;
  };
  const found = explained(printedOf(agreeing));
  const lessonPrinted = printedOf([...agreeing, ...found]);
  const under = found.filter(({ under: h, figure, quantity }) => {
    if (!h!.carry) return true; // without a shortening nothing printed is carried on with
    const m = matchAll(candidates(caseOf(base, h!, lessonPrinted)), [figure], h!.carry.rounding).get(figure);
    return m?.rounding === h!.carry.rounding && m.found.some((c) => c.quantity === quantity);
  });
  const proposals = [...agreeing, ...under].sort(byPlace);
  const done = new Set(proposals.map((p) => p.figure));
  return { figures, proposals, unmatched: figures.filter((f) => !done.has(f)) };
}
