// HTML for each directive's evaluated data. Formats only: every number arrives computed.
import { gLabels, type Chain } from '../src/chain.ts';
import { definition, derivative, partialTex } from '../src/formula.ts';
import type { CheckResult, DirectiveData, EvaluatedModel } from '../src/lesson/evaluate.ts';
import { formatNumber, formatSignificant } from '../src/lesson/numbers.ts';
import type { Factor, Node } from '../src/tracer.ts';
import { boundaryFigure } from './figures/boundary.ts';
import { curveFigure } from './figures/curve.ts';
import { graphFigure } from './figures/graph.ts';
import { surfaceFigure } from './figures/surface.ts';
import { networkFigure } from './figures/network.ts';
import { num, numbers, symbols } from './format.ts';
import { escapeHtml } from './html.ts';
import type { MathRenderer } from './katex.ts';

export function renderDirective(data: DirectiveData, math: MathRenderer): string {
  const display = (tex: string) => math.render(tex, true);
  const inline = (tex: string) => math.render(tex, false);
  switch (data.kind) {
    case 'forward': {
      const { node, decimals } = data;
      const def = definition(node)!;
      return `<div class="step forward">${display(`\\begin{aligned}${node.tex} &= ${symbols(def)} \\\\ &= ${numbers(def, decimals)} \\\\ &= ${formatNumber(node.value, decimals)}\\end{aligned}`)}</div>`;
    }
    case 'derive':
      return derivation(data.chain, data.decimals, data.model, display);
    case 'update': {
      const { param, index, decimals, model } = data;
      const grad = model.step.applied[index], after = model.step.after[index];
      const d = partialTex(model.trace.loss, param);
      return `<div class="step update">${display(`\\begin{aligned}${param.tex}^{+} &= ${param.tex} - \\alpha\\cdot ${d} \\\\ &= ${num(param.value, decimals)} - ${num(model.lr, decimals)}\\cdot ${num(grad, decimals)} \\\\ &= ${formatNumber(after, decimals)}\\end{aligned}`)}</div>`;
    }
    case 'gradients':
      return gradientTable(data.model, data.decimals, inline);
    case 'after': {
      const { model, decimals } = data;
      const before = model.trace.loss, after = model.after.loss;
      const change = after.value - before.value;
      return `<div class="step after">${display(`\\begin{aligned}${before.tex} &= ${num(before.value, decimals)} && \\text{before the update}\\\\ ${before.tex}^{+} &= ${num(after.value, decimals)} && \\text{after it: } ${change <= 0 ? '' : '+'}${formatNumber(change, decimals)}\\ (${Number(((100 * change) / before.value).toPrecision(3))}\\%)\\end{aligned}`)}</div>`;
    }
    case 'check':
      return checkBox(data.check);
    case 'network':
      return `<figure class="figure">${networkFigure(data.model.net, data.updated ? data.model.step.after : data.model.step.before, data.updated ? data.model.after : data.model.trace, data.decimals)}<figcaption>The network ${data.updated ? 'after the update' : 'with its starting parameters'}: weights on the edges (where there is room for them), biases above the neurons and, below them, their outputs for the first sample.</figcaption></figure>`;
    case 'graph': {
      const caption = data.highlight ? `The computation graph: every node's value and, below it, ∂${escapeHtml(data.model.trace.loss.name)}/∂node. The paths that carry ∂${escapeHtml(data.model.trace.loss.name)}/∂${escapeHtml(data.highlight.name)} are highlighted.` : 'The computation graph: every node\'s value and its gradient.';
      return `<figure class="figure wide">${graphFigure(data.model.trace, data.highlight, data.decimals)}<figcaption>${caption}</figcaption></figure>`;
    }
    case 'glossary': {
      const rows = Object.entries(data.names).map(([name, meaning]) => {
        const node = data.model.trace.tape.nodes.find((n) => n.name === name);
        return `<tr><th scope="row">${node ? inline(node.tex) : `<code>${escapeHtml(name)}</code>`}</th><td>${escapeHtml(meaning)}</td></tr>`;
      });
      return `<table class="glossary"><thead><tr><th>name</th><th>meaning</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
    }
    case 'chains':
      return chainTable(data.chains, data.decimals, inline);
    case 'surface':
      return `<figure class="figure">${surfaceFigure(data.surface, 'the loss')}<figcaption>The loss over ${escapeHtml(data.surface.names[0])} and ${escapeHtml(data.surface.names[1])}, every other parameter at its starting value (dark is low). The white dot is the starting point; the line runs to where the step moves these two parameters.</figcaption></figure>`;
    case 'train': {
      const { run, dataset, decimals } = data;
      const r = run.result;
      const what = run.spec.mode === 'sgd' ? `${run.spec.steps} epochs of per-sample SGD` : `${run.spec.steps} full-batch iterations`;
      const samples = `${dataset.n} sample${dataset.n === 1 ? '' : 's'}`;
      const rows = [
        ['run', escapeHtml(run.id)],
        ['training', `${what} on ${samples}, learning rate ${formatNumber(run.spec.lr, 6)}`],
        [run.spec.mode === 'sgd' ? 'first epoch’s loss' : 'loss before training', formatNumber(r.loss[0], decimals)],
        ['loss after training', formatNumber(r.finalLoss, decimals)],
        ...(r.accuracy === null ? [] : [['accuracy on the training data', `${formatNumber(100 * r.accuracy, 2)}%`]]),
        ['output for the first sample', r.tracked[r.tracked.length - 1].map((v) => formatNumber(v, decimals)).join(', ')],
      ];
      return `<table class="numbers run"><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${k}</th><td>${v}</td></tr>`).join('')}</tbody></table>`;
    }
    case 'compute':
      return `<p class="compute">${data.label ? `${escapeHtml(data.label)}: ` : ''}<code>${escapeHtml(data.expr)}</code> = <span class="num">${formatNumber(data.value, data.decimals)}</span></p>`;
    case 'curve':
      return `<figure class="figure">${curveFigure(data.series, data.xLabel, data.yLabel, data.log)}</figure>`;
    case 'boundary':
      return `<figure class="figure wide">${boundaryFigure(data.runs, data.dataset, data.decimals)}${data.runs.length ? '<figcaption>Decision regions after training, with the training points (colour = class).</figcaption>' : ''}</figure>`;
    case 'agreement': {
      const rows = data.model.agreement.map((r) => `<tr><th scope="row">${escapeHtml(r.quantity)}</th><td>${fmt(r.tracer)}</td><td>${fmt(r.trainer)}</td><td>${fmt(r.finiteDifference)}</td><td>${r.symbolic === undefined ? '—' : fmt(r.symbolic)}</td><td class="${r.ok ? 'ok' : 'bad'}">${r.ok ? 'agree' : 'DISAGREE'}</td></tr>`);
      return `<table class="numbers agreement"><thead><tr><th>quantity</th><th>tracer</th><th>vectorised trainer</th><th>finite difference</th><th>mathjs symbolic</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
    }
  }
}

const fmt = (v: number) => formatSignificant(v, 15);

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

function derivation(chain: Chain, decimals: number, model: EvaluatedModel, display: (tex: string) => string): string {
  const root = model.trace.loss, p = chain.param;
  const target = partialTex(root, p);
  if (chain.paths.length === 1) {
    const steps = shown(chain.paths[0].factors);
    const statement = `${target} = ${steps.map((s) => partialTex(s.factor.of, s.factor.wrt)).join('\\cdot ')}`;
    const lines = steps.map((s) => factorLine(s.factor, s.label, decimals));
    const labels = steps.map((s) => s.label).filter(Boolean).map((l) => `${l![0]}_{${l!.slice(1)}}`);
    const result = `${target} &= ${labels.length === steps.length ? labels.join('\\,') : 'product'} = ${product(steps.map((s) => s.factor), decimals)} = ${formatNumber(chain.value, decimals)}`;
    return `<div class="step derive">${display(statement)}${display(`\\begin{aligned}${lines.join('\\\\')}\\end{aligned}`)}${display(`\\begin{aligned}${result}\\end{aligned}`)}</div>`;
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
    return display(`\\begin{aligned}${lines.join('\\\\')}\\\\ ${term} &= ${product(steps.map((s) => s.factor), decimals)} = ${formatNumber(br.value, decimals)}\\end{aligned}`);
  });
  const tailLabels = gLabels(chain.paths[0].factors).slice(chain.paths[0].factors.length - chain.tail.length);
  const tailLines = tail.map((s) => factorLine(s.factor, tailLabels[chain.tail.indexOf(s.factor)], decimals));
  const sum = ordered.map(({ br }) => num(br.value, decimals)).join(' + ');
  const result = `${target} &= \\left(${sum}\\right)\\cdot ${product(tail.map((s) => s.factor), decimals)} = ${formatNumber(chain.value, decimals)}`;
  return `<div class="step derive">${display(statement)}<p class="branch-note">${ordered.length} paths lead from ${escapeHtml(root.name)} down to ${escapeHtml(b.name)}; each is a product of its own factors:</p>${branchBlocks.join('')}<p class="branch-note">and below ${escapeHtml(b.name)} every path shares:</p>${display(`\\begin{aligned}${tailLines.join('\\\\')}\\end{aligned}`)}${display(`\\begin{aligned}${result}\\end{aligned}`)}</div>`;
}

/** The node a branch starts from once the unit factors of the root's sum are skipped. */
function topOf(factors: Factor[]): Node {
  const first = factors.find((f) => f.rule !== 'sum');
  return first ? first.of : factors[factors.length - 1].wrt;
}

/** Every parameter's chain as one row of labelled factors (g1, g2, …) and their product. */
function chainTable(chains: Chain[], decimals: number, inline: (tex: string) => string): string {
  const width = Math.max(...chains.map((c) => (c.paths.length === 1 ? shown(c.paths[0].factors).length : 0)));
  const head = Array.from({ length: width }, (_, i) => `<th>${inline(`g_{${i + 1}}`)}</th>`).join('');
  const rows = chains.map((c) => {
    const cells = c.paths.length === 1
      ? shown(c.paths[0].factors).map((s) => `<td>${formatNumber(s.factor.value, decimals)}</td>`)
      : [`<td colspan="${width}" class="paths">${c.paths.length} paths: see its derivation</td>`];
    while (cells.length < width) cells.push('<td></td>');
    return `<tr><th scope="row">${inline(c.param.tex)}</th>${cells.join('')}<td>${formatNumber(c.value, decimals)}</td></tr>`;
  });
  return `<table class="numbers chains"><thead><tr><th>parameter</th>${head}<th>product</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function gradientTable(model: EvaluatedModel, decimals: number, inline: (tex: string) => string): string {
  const loss = model.trace.loss;
  const rows = model.net.params.map((p, i) => `<tr><th scope="row">${inline(p.tex)}</th><td>${formatNumber(model.step.before[i], decimals)}</td><td>${formatNumber(model.step.applied[i], decimals)}</td><td>${formatNumber(model.step.after[i], decimals)}</td></tr>`);
  return `<table class="numbers gradients"><thead><tr><th>parameter</th><th>value</th><th>${inline(partialTex(loss, { tex: 'p' } as Node))}</th><th>${inline(`p^{+} = p - ${formatNumber(model.lr, decimals)}\\,\\partial ${loss.tex}/\\partial p`)}</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function checkBox(c: CheckResult): string {
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
