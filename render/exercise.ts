// An exercise: the question, and its worked step as the build writes it, every factor as
// formula = numbers but the answer itself left out (the page computes it and checks the
// reader's; a grep of the HTML does not find it). With the answer, the same lines as the page
// shows them once the reader has answered.
import { explainGradient } from '../src/chain.ts';
import type { RenderContext } from '../src/lesson/directive.ts';
import type { StepRef } from '../src/lesson/mistakes.ts';
import type { Factor, Node } from '../src/tape.ts';
import type { NetworkTrace } from '../src/trace.ts';
import { formatNumber, numbers, symbols } from './format.ts';
import { definition, derivative, partialTex } from './formula.ts';
import { escapeHtml } from './html.ts';

export interface ExerciseData {
  ref: StepRef;
  model: string;
  /** the quantity as LaTeX */
  tex: string;
  /** its name in words (∂E_total/∂w5) */
  label: string;
  number: number;
  decimals: number;
  /** the worked step, without its result */
  lines: string[];
}

/** The worked step's lines (LaTeX, for an aligned block); `answer`: with each factor's value and the result. */
export function workedLines(trace: NetworkTrace, ref: StepRef, lr: number, decimals: number, answer?: number): string[] {
  const node = (name: string) => trace.tape.nodes.find((n) => n.name === name)!;
  const value = (v: number) => (answer === undefined ? '' : ` = ${formatNumber(v, decimals)}`);
  const chainLines = (of: Node, wrt: Node, lhs: string): string[] => {
    const chain = explainGradient(trace.tape, of, wrt);
    const seen = new Set<string>();
    const lines: string[] = [];
    // A sum's factor is 1: not a step of the reader's.
    const factorsOf = (p: { factors: Factor[] }) => p.factors.filter((f) => f.rule !== 'sum');
    for (const p of chain.paths) {
      for (const f of factorsOf(p)) {
        const key = `${f.of.id}/${f.wrt.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const d = derivative(f), sym = symbols(d), nums = numbers(d, decimals);
        // A factor that is one node (∂in/∂w = out_h1) has its number once.
        const one = d.length === 1 && typeof d[0] !== 'string';
        lines.push(`${partialTex(f.of, f.wrt)} &= ${sym}${sym === nums ? '' : ` = ${nums}`}${one ? '' : value(f.value)}`);
      }
    }
    const product = (factors: Factor[]) => factorsOf({ factors }).map((f) => partialTex(f.of, f.wrt)).join('\\,') || '1';
    const result = answer === undefined || ref.kind === 'new' ? '' : ` = ${formatNumber(answer, decimals)}`;
    const only = chain.paths.length === 1 ? factorsOf(chain.paths[0]) : [];
    // A chain of one factor is the factor's own line: ∂out/∂in = out(1 − out) = ….
    if (only.length === 1 && only[0].of === of && only[0].wrt === wrt) return lines;
    if (chain.paths.length === 1) lines.push(`${lhs} &= ${product(chain.paths[0].factors)}${result}`);
    else {
      // Where paths branch: the branches' sum at the node they meet, then the shared tail (each line short enough for a phone).
      const meet = partialTex(of, chain.branchNode);
      lines.push(`${meet} &= ${chain.branches.map((b) => product(b.factors)).join(' + ')}`);
      lines.push(`${lhs} &= ${meet}\\,${product(chain.tail)}${result}`);
    }
    return lines;
  };
  switch (ref.kind) {
    case 'value': {
      const n = node(ref.name);
      const def = definition(n)!;
      return [`${n.tex} &= ${symbols(def)} \\\\ &= ${numbers(def, decimals)}${value(n.value)}`];
    }
    case 'partial':
      return chainLines(node(ref.of!), node(ref.name), partialTex(node(ref.of!), node(ref.name)));
    case 'grad':
    case 'applied':
      return chainLines(trace.loss, node(ref.name), partialTex(trace.loss, node(ref.name)));
    case 'new': {
      const p = node(ref.name);
      const g = partialTex(trace.loss, p);
      return [...chainLines(trace.loss, p, g), `${p.tex}^{+} &= ${p.tex} - \\alpha\\,${g} = ${formatNumber(p.value, decimals)} - ${formatNumber(lr, decimals)}\\,${g}${answer === undefined ? '' : ` = ${formatNumber(answer, decimals)}`}`];
    }
  }
}

export function exerciseBlock(d: ExerciseData, page: RenderContext): string {
  const of = d.ref.of ? ` data-of="${escapeHtml(d.ref.of)}"` : '';
  return `<section class="exercise" id="exercise-${d.number}" data-kind="${d.ref.kind}" data-name="${escapeHtml(d.ref.name)}"${of} data-model="${escapeHtml(d.model)}" data-label="${escapeHtml(d.label)}" data-tex="${escapeHtml(d.tex)}" data-decimals="${d.decimals}">`
    + `<p class="exercise-question"><strong>Exercise ${d.number}.</strong> Work out ${page.inline(d.tex)} from the numbers of this step.</p>`
    + `<details class="exercise-solution"><summary>The worked step, without its result</summary>${page.display(`\\begin{aligned}${d.lines.join(' \\\\ ')}\\end{aligned}`)}`
    + `<p>The last line is left to multiply out: the page does not print the result, so that it stays yours to find.<span class="exercise-live-note"> With JavaScript on, the box below this exercise checks your answer, and where it is wrong says which slip gives it.</span></p></details></section>`;
}
