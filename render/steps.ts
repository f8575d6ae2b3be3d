// The traced step as worked mathematics: a node as name = formula = numbers = value, a
// gradient as its chain of labelled factors (g1, g2, … as the tutorials write them), an update,
// the error before and after, and the tables of every parameter's gradient and chain.
import type { Chain } from '../src/chain.ts';
import type { EvaluatedModel } from '../src/lesson/models.ts';
import type { RenderContext } from '../src/lesson/directive.ts';
import type { Factor, Node } from '../src/tape.ts';
import { formatNumber, num, numbers, symbols } from './format.ts';
import { definition, derivative, partialTex } from './formula.ts';
import { escapeHtml } from './html.ts';

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
  return `<div class="step forward">${page.display(`\\begin{aligned}${node.tex} &= ${symbols(def)} \\\\ &= ${numbers(def, decimals)} \\\\ &= ${formatNumber(node.value, decimals)}\\end{aligned}`)}</div>`;
}

export function updateStep(model: EvaluatedModel, index: number, decimals: number, page: RenderContext): string {
  const param = model.trace.params[index];
  const grad = model.step.applied[index], after = model.step.after[index];
  const d = partialTex(model.trace.loss, param);
  return `<div class="step update">${page.display(`\\begin{aligned}${param.tex}^{+} &= ${param.tex} - \\alpha\\cdot ${d} \\\\ &= ${num(param.value, decimals)} - ${num(model.lr, decimals)}\\cdot ${num(grad, decimals)} \\\\ &= ${formatNumber(after, decimals)}\\end{aligned}`)}</div>`;
}

export function afterStep(model: EvaluatedModel, decimals: number, page: RenderContext): string {
  const before = model.trace.loss, after = model.after.loss;
  const change = after.value - before.value;
  return `<div class="step after">${page.display(`\\begin{aligned}${before.tex} &= ${num(before.value, decimals)} && \\text{before the update}\\\\ ${before.tex}^{+} &= ${num(after.value, decimals)} && \\text{after it: } ${change <= 0 ? '' : '+'}${formatNumber(change, decimals)}\\ (${Number(((100 * change) / before.value).toPrecision(3))}\\%)\\end{aligned}`)}</div>`;
}

/** Factors of a path as the tutorials write them: the unit factors of a plain sum left out. */
function shown(factors: Factor[]): { factor: Factor; label?: string }[] {
  const labels = gLabels(factors);
  return factors.map((factor, i) => ({ factor, label: labels[i] })).filter((x) => x.factor.rule !== 'sum');
}

function factorLine(f: Factor, label: string | undefined, decimals: number): string {
  const d = derivative(f);
  const sym = symbols(d), nums = numbers(d, decimals), value = formatNumber(f.value, decimals);
  const chain = [partialTex(f.of, f.wrt), sym];
  const rest: string[] = [];
  if (nums !== sym && nums !== value && nums !== num(f.value, decimals)) rest.push(nums);
  if (value !== sym) rest.push(value);
  const lead = `${label ? `${label[0]}_{${label.slice(1)}} &= ` : '&'}${chain.join(' = ')}`;
  // A long substitution goes on a line of its own rather than off the right edge.
  if (rest.length && sym.length + nums.length > 60) return `${lead} \\\\ &= ${rest.join(' = ')}`;
  return rest.length ? `${lead} = ${rest.join(' = ')}` : lead;
}

function product(factors: Factor[], decimals: number): string {
  return factors.map((f) => num(f.value, decimals)).join('\\cdot ');
}

export function derivation(chain: Chain, decimals: number, model: EvaluatedModel, page: RenderContext): string {
  const root = model.trace.loss, p = chain.param;
  const target = partialTex(root, p);
  if (chain.paths.length === 1) {
    const steps = shown(chain.paths[0].factors);
    const statement = `${target} = ${steps.map((s) => partialTex(s.factor.of, s.factor.wrt)).join('\\cdot ')}`;
    const lines = steps.map((s) => factorLine(s.factor, s.label, decimals));
    const labels = steps.map((s) => s.label).filter(Boolean).map((l) => `${l![0]}_{${l!.slice(1)}}`);
    const result = `${target} &= ${labels.length === steps.length ? labels.join('\\,') : 'product'} = ${product(steps.map((s) => s.factor), decimals)} = ${formatNumber(chain.value, decimals)}`;
    return `<div class="step derive">${page.display(statement)}${page.display(`\\begin{aligned}${lines.join('\\\\')}\\end{aligned}`)}${page.display(`\\begin{aligned}${result}\\end{aligned}`)}</div>`;
  }
  // Branches: Σ over the paths down to the branch node, times the shared tail.
  const b = chain.branchNode;
  const ordered = chain.branches.map((br, i) => ({ br, path: chain.paths[i] })).sort((x, y) => topOf(x.br.factors).id - topOf(y.br.factors).id);
  const terms = ordered.map(({ br }) => partialTex(topOf(br.factors), b));
  const tail = shown(chain.tail);
  const statement = `${target} = \\left(${terms.join(' + ')}\\right)${tail.map((s) => '\\cdot ' + partialTex(s.factor.of, s.factor.wrt)).join('')}`;
  const branchBlocks = ordered.map(({ br, path }) => {
    const steps = shown(br.factors);
    const labels = gLabels(path.factors);
    const lines = steps.map((s) => factorLine(s.factor, labels[path.factors.indexOf(s.factor)], decimals));
    const term = partialTex(topOf(br.factors), b);
    return page.display(`\\begin{aligned}${lines.join('\\\\')}\\\\ ${term} &= ${product(steps.map((s) => s.factor), decimals)} = ${formatNumber(br.value, decimals)}\\end{aligned}`);
  });
  const tailLabels = gLabels(chain.paths[0].factors).slice(chain.paths[0].factors.length - chain.tail.length);
  const tailLines = tail.map((s) => factorLine(s.factor, tailLabels[chain.tail.indexOf(s.factor)], decimals));
  const sum = ordered.map(({ br }) => num(br.value, decimals)).join(' + ');
  const result = `${target} &= \\left(${sum}\\right)\\cdot ${product(tail.map((s) => s.factor), decimals)} = ${formatNumber(chain.value, decimals)}`;
  return `<div class="step derive">${page.display(statement)}<p class="branch-note">${ordered.length} paths lead from ${escapeHtml(root.name)} down to ${escapeHtml(b.name)}; each is a product of its own factors:</p>${branchBlocks.join('')}<p class="branch-note">and below ${escapeHtml(b.name)} every path shares:</p>${page.display(`\\begin{aligned}${tailLines.join('\\\\')}\\end{aligned}`)}${page.display(`\\begin{aligned}${result}\\end{aligned}`)}</div>`;
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
  const rows = chains.map((c) => {
    const cells = c.paths.length === 1
      ? shown(c.paths[0].factors).map((s) => `<td>${formatNumber(s.factor.value, decimals)}</td>`)
      : [`<td colspan="${width}" class="paths">${c.paths.length} paths: see its derivation</td>`];
    while (cells.length < width) cells.push('<td></td>');
    return `<tr><th scope="row">${page.inline(c.param.tex)}</th>${cells.join('')}<td>${formatNumber(c.value, decimals)}</td></tr>`;
  });
  return `<table class="numbers chains"><thead><tr><th>parameter</th>${head}<th>product</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function gradientTable(model: EvaluatedModel, decimals: number, page: RenderContext): string {
  const loss = model.trace.loss;
  const rows = model.net.params.map((p, i) => `<tr><th scope="row">${page.inline(p.tex)}</th><td>${formatNumber(model.step.before[i], decimals)}</td><td>${formatNumber(model.step.applied[i], decimals)}</td><td>${formatNumber(model.step.after[i], decimals)}</td></tr>`);
  return `<table class="numbers gradients"><thead><tr><th>parameter</th><th>value</th><th>${page.inline(partialTex(loss, { tex: 'p' } as Node))}</th><th>${page.inline(`p^{+} = p - ${formatNumber(model.lr, decimals)}\\,\\partial ${loss.tex}/\\partial p`)}</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
