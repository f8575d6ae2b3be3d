// The traced step as worked mathematics: a node as name = formula = numbers = value, a
// gradient as its chain of labelled factors (g1, g2, … as the tutorials write them), an update,
// the error before and after, and the tables of every parameter's gradient and chain.
import type { Chain, Derivation } from '../src/chain.ts';
import type { RenderContext } from '../src/lesson/directive.ts';
import type { Factor, Node } from '../src/tape.ts';
import { alignDecimals, formatNumber, linked, minus, num, numbers, plainTex, symbols } from './format.ts';
import { definition, derivative, partialTex } from './formula.ts';

/**
 * The tutorials' labels g1, g2, … along one path, counted from the loss. Factors of a plain
 * sum (E_total = E_o1 + E_o2, value 1) carry no label: the tutorials never write them.
 */
export function gLabels(factors: Factor[]): (string | undefined)[] {
  let k = 0;
  return factors.map((f) => (f.rule === 'sum' ? undefined : `g${++k}`));
}

export function forwardStep(node: Node, decimals: number, page: RenderContext): string {
  const def = definition(node)!;
  return `<div class="step forward">${page.display(`\\begin{aligned}${node.tex} &= ${symbols(def)} \\\\ &= ${numbers(def, decimals)} \\\\ &= ${linked(node, formatNumber(node.value, decimals))}\\end{aligned}`)}</div>`;
}

/** One parameter's update, as plain numbers: p⁺ = p − α·∂E/∂p. */
export interface UpdateData {
  tex: string;
  lossTex: string;
  value: number;
  lr: number;
  grad: number;
  after: number;
  /** false where the step keeps this parameter fixed */
  moves: boolean;
  decimals: number;
}

export function updateStep(d: UpdateData, page: RenderContext): string {
  if (!d.moves) return `<div class="step update">${page.display(`${d.tex}^{+} = ${d.tex} = ${formatNumber(d.value, d.decimals)} \\quad \\text{(this step keeps it fixed)}`)}</div>`;
  const partial = `\\frac{\\partial ${d.lossTex}}{\\partial ${d.tex}}`;
  return `<div class="step update">${page.display(`\\begin{aligned}${d.tex}^{+} &= ${d.tex} - \\alpha\\cdot ${partial} \\\\ &= ${num(d.value, d.decimals)} - ${num(d.lr, d.decimals)}\\cdot ${num(d.grad, d.decimals)} \\\\ &= ${formatNumber(d.after, d.decimals)}\\end{aligned}`)}</div>`;
}

/** The error before and after the step. */
export interface AfterData {
  tex: string;
  before: number;
  after: number;
  decimals: number;
}

export function afterStep(d: AfterData, page: RenderContext): string {
  const change = d.after - d.before;
  return `<div class="step after">${page.display(`\\begin{aligned}${d.tex} &= ${num(d.before, d.decimals)} && \\text{before the update}\\\\ ${d.tex}^{+} &= ${num(d.after, d.decimals)} && \\text{after it: } {${change <= 0 ? '' : '+'}${formatNumber(change, d.decimals)}}\\ (${Number(((100 * change) / d.before).toPrecision(3))}\\%)\\end{aligned}`)}</div>`;
}

/** Factors as the tutorials write them: the unit factors of a plain sum left out. */
function shown(factors: Factor[]): Factor[] {
  return factors.filter((f) => f.rule !== 'sum');
}

/** g₁, g₂, … handed out in the order the derivation shows its factors, so no two factors share a label. */
class Labels {
  private count = 0;
  next(): string {
    return `g_{${++this.count}}`;
  }
}

function factorLine(f: Factor, label: string, decimals: number): string {
  const d = derivative(f);
  const sym = symbols(d), nums = numbers(d, decimals), value = formatNumber(f.value, decimals);
  const chain = [partialTex(f.of, f.wrt), sym];
  const rest: string[] = [];
  const plain = plainTex(nums);
  if (plain !== sym && plain !== value && plain !== num(f.value, decimals)) rest.push(nums);
  // A factor that is a node's value (∂in/∂w = out_h1) is that number: linked to its node.
  if (value !== sym) rest.push(plain === value ? nums : value);
  const lead = `${label} &= ${chain.join(' = ')}`;
  // A long substitution goes on a line of its own rather than off the right edge.
  if (rest.length && sym.length + plain.length > 60) return `${lead} \\\\ &= ${rest.join(' = ')}`;
  return rest.length ? `${lead} = ${rest.join(' = ')}` : lead;
}

/**
 * How each result line recombines the numbers shown above it: a product of factors, the sum of
 * branches times a shared tail, or a sum of (scaled) terms. The page prints exactly these
 * strings; test/derivation.test.ts checks that they recombine to the result they print.
 */
export type Recombination =
  | { kind: 'product'; factors: string[]; result: string }
  | { kind: 'branches'; branches: string[]; tail: string[]; result: string }
  | { kind: 'terms'; terms: { coefficient?: string; value: string }[]; result: string };

export function recombination(d: Derivation, decimals: number): Recombination {
  const n = (v: number) => formatNumber(v, decimals);
  switch (d.kind) {
    case 'path':
      return { kind: 'product', factors: shown(d.factors).map((f) => n(f.value)), result: n(d.value) };
    case 'branches':
      return { kind: 'branches', branches: orderedBranches(d.chain).map((b) => n(b.value)), tail: shown(d.chain.tail).map((f) => n(f.value)), result: n(d.value) };
    case 'terms':
      return { kind: 'terms', terms: d.terms.map((t) => ({ coefficient: t.factor.rule === 'sum' ? undefined : n(t.factor.value), value: n(t.derivation.value) })), result: n(d.value) };
  }
}

/** Branches in the order their nodes were made (by their top, then by the node below it). */
function orderedBranches(chain: Chain) {
  const key = (factors: Factor[]) => [topOf(factors).id, shown(factors)[0]?.wrt.id ?? 0];
  return [...chain.branches].sort((x, y) => key(x.factors)[0] - key(y.factors)[0] || key(x.factors)[1] - key(y.factors)[1]);
}

const product = (numbers: string[]) => numbers.map((v) => (v.startsWith('-') ? `(${v})` : v)).join('\\cdot ');

/** `fold`: the result on a line, the derivation in a <details> below it (open without JavaScript on a click). */
export function derivation(d: Derivation, decimals: number, page: RenderContext, fold = false): string {
  const body = derivationBody(d, decimals, page, new Labels());
  if (!fold) return `<div class="step derive">${body}</div>`;
  const result = page.inline(`${partialTex(d.root, d.param)} = ${formatNumber(d.value, decimals)}`);
  return `<div class="step derive folded"><details><summary>${result} <span class="fold-hint">the derivation</span></summary>${body}</details></div>`;
}

function derivationBody(d: Derivation, decimals: number, page: RenderContext, labels: Labels): string {
  const target = partialTex(d.root, d.param);
  const r = recombination(d, decimals);
  if (d.kind === 'path') {
    const steps = shown(d.factors);
    const names = steps.map(() => labels.next());
    // One factor is its own result: its line says it all.
    if (steps.length === 1) return page.display(`\\begin{aligned}${factorLine(steps[0], names[0], decimals)}\\end{aligned}`);
    const statement = `${target} = ${steps.map((f) => partialTex(f.of, f.wrt)).join('\\cdot ')}`;
    const lines = steps.map((f, i) => factorLine(f, names[i], decimals));
    const numbersLine = product((r as { factors: string[] }).factors);
    // A long product of numbers goes on a line of its own rather than off the right edge.
    const result = `${target} &= ${names.join('\\,')} ${numbersLine.length > 70 ? '\\\\ &' : ''}= ${numbersLine} = ${r.result}`;
    // The factors and their product in one block, so their = signs stand in one column.
    return `${page.display(statement)}${page.display(`\\begin{aligned}${lines.join('\\\\')}\\\\ ${result}\\end{aligned}`)}`;
  }
  if (d.kind === 'branches') {
    // Σ over the paths down to the branch node, times the shared tail.
    const { chain } = d;
    const b = chain.branchNode;
    const ordered = orderedBranches(chain);
    // Each branch as ∂top/∂b where the branches start from different nodes; where two start
    // from the same one (a softmax's logits), as the product of its own partials.
    const tops = ordered.map((br) => topOf(br.factors));
    const distinct = new Set(tops).size === tops.length;
    const terms = ordered.map((br, i) => (distinct ? partialTex(tops[i], b) : shown(br.factors).map((f) => partialTex(f.of, f.wrt)).join('')));
    const tail = shown(chain.tail);
    const statement = `${target} = \\Bigl(${terms.join(' + ')}\\Bigr)${tail.map((f) => '\\cdot ' + partialTex(f.of, f.wrt)).join('')}`;
    const branchNames: string[] = [];
    const branchBlocks = ordered.map((br, i) => {
      const steps = shown(br.factors);
      const names = steps.map(() => labels.next());
      branchNames.push(names.join('\\,'));
      const lines = steps.map((f, k) => factorLine(f, names[k], decimals));
      return page.display(`\\begin{aligned}${lines.join('\\\\')}\\\\ ${terms[i]} &= ${names.join('\\,')} = ${product(steps.map((f) => formatNumber(f.value, decimals)))} = ${formatNumber(br.value, decimals)}\\end{aligned}`);
    });
    const tailNames = tail.map(() => labels.next());
    const tailLines = tail.map((f, k) => factorLine(f, tailNames[k], decimals));
    const rb = r as Extract<Recombination, { kind: 'branches' }>;
    const numbersLine = `(${rb.branches.map((v) => (v.startsWith('-') ? `(${v})` : v)).join(' + ')})\\cdot ${product(rb.tail)}`;
    // The result on a line of its own where the numbers already fill one.
    const result = `${target} &= (${branchNames.join(' + ')})${tailNames.join('\\,')} \\\\ &= ${numbersLine} ${numbersLine.length > 70 ? '\\\\ &' : ''}= ${r.result}`;
    return `${page.display(statement)}<p class="branch-note">${ordered.length} paths lead from ${page.inline(d.root.tex)} down to ${page.inline(b.tex)}; each is a product of its own factors:</p>${branchBlocks.join('')}<p class="branch-note">and below ${page.inline(b.tex)} every path shares:</p>${page.display(`\\begin{aligned}${tailLines.join('\\\\')}\\end{aligned}`)}${page.display(`\\begin{aligned}${result}\\end{aligned}`)}`;
  }
  // No shared tail: the root is a sum (or mean) of terms, each derived on its own.
  const coefficient = (f: Factor) => (f.rule === 'sum' ? '' : `${symbols(derivative(f))}\\,`);
  const statement = `${target} = ${d.terms.map((t) => `${coefficient(t.factor)}${partialTex(t.factor.wrt, d.param)}`).join(' + ')}`;
  const parts = d.terms.map((t) => `<p class="branch-note">${d.terms.length > 1 ? 'The term through' : 'Through'} ${page.inline(t.factor.wrt.tex)}:</p>${derivationBody(t.derivation, decimals, page, labels)}`);
  const rt = r as Extract<Recombination, { kind: 'terms' }>;
  const sum = rt.terms.map((t) => `${t.coefficient ? `${t.coefficient}\\cdot ` : ''}${t.value.startsWith('-') ? `(${t.value})` : t.value}`).join(' + ');
  return `${page.display(statement)}${parts.join('')}${page.display(`\\begin{aligned}${target} &= ${sum} = ${r.result}\\end{aligned}`)}`;
}

/** The node a branch starts from once the unit factors of the root's sum are skipped. */
function topOf(factors: Factor[]): Node {
  const first = factors.find((f) => f.rule !== 'sum');
  return first ? first.of : factors[factors.length - 1].wrt;
}

/** Every parameter's chain as one row of labelled factors (g1, g2, …) and their product. */
export function chainTable(chains: Chain[], decimals: number, page: RenderContext): string {
  const width = Math.max(...chains.map((c) => (c.paths.length === 1 ? shown(c.paths[0].factors).length : 0)));
  const head = Array.from({ length: width }, (_, i) => `<th>${page.inline(`g_{${i + 1}}`)}</th>`).join('');
  // Column by column, so each lines up on its decimal point.
  const columns = Array.from({ length: width }, (_, k) => alignDecimals(chains.map((c) => (c.paths.length === 1 && shown(c.paths[0].factors)[k] ? formatNumber(shown(c.paths[0].factors)[k].value, decimals) : ''))).map(minus));
  const products = alignDecimals(chains.map((c) => formatNumber(c.value, decimals))).map(minus);
  const rows = chains.map((c, i) => {
    const cells = c.paths.length === 1 ? columns.map((col) => `<td>${col[i]}</td>`) : [`<td colspan="${width}" class="paths">${c.paths.length} paths: see its derivation</td>`];
    return `<tr><th scope="row">${page.inline(c.param.tex)}</th>${cells.join('')}<td>${products[i]}</td></tr>`;
  });
  return `<table class="numbers chains"><thead><tr><th>parameter</th>${head}<th>product</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Every parameter's gradient and update, as plain numbers. */
export interface GradientsData {
  lossTex: string;
  lr: number;
  /** gradient: the one the step applied (its true gradient, for a parameter the step keeps fixed) */
  rows: { tex: string; value: number; gradient: number; after: number; moves: boolean }[];
  decimals: number;
}

export function gradientTable(d: GradientsData, page: RenderContext): string {
  const column = (pick: (r: GradientsData['rows'][number]) => number) => alignDecimals(d.rows.map((r) => formatNumber(pick(r), d.decimals))).map(minus);
  const [values, gradients, afters] = [column((r) => r.value), column((r) => r.gradient), column((r) => r.after)];
  const rows = d.rows.map((r, i) => `<tr><th scope="row">${page.inline(r.tex)}</th><td>${values[i]}</td><td>${gradients[i]}</td><td>${afters[i]}${r.moves ? '' : ' (kept fixed)'}</td></tr>`);
  return `<table class="numbers gradients"><thead><tr><th>parameter</th><th>value</th><th>${page.inline(`\\frac{\\partial ${d.lossTex}}{\\partial p}`)}</th><th>${page.inline(`p^{+} = p - ${formatNumber(d.lr, d.decimals)}\\,\\partial ${d.lossTex}/\\partial p`)}</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
