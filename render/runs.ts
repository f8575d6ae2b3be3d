// A training run's table: what was trained how, and what it ended as.
import type { LessonDataset } from '../src/lesson/dataset.ts';
import type { Run } from '../src/lesson/train-run.ts';
import { printedDecimals, type Spread } from '../src/lesson/stability.ts';
import { formatNumber, formatSignificant, htmlNumber, minus } from './format.ts';
import { escapeHtml } from './html.ts';

/** How far a run's results move under perturbation (src/lesson/stability.ts). */
export type RunStability = { loss: Spread; accuracy?: Spread; outputs: Spread[] } | { diverged: Spread };

/** A run's quantity with no more decimals than survive perturbation (marked ≈ where digits were cut), or the range its runs span. */
export function stableNumber(value: number, spread: Spread, decimals: number): string {
  const printed = printedDecimals(value, spread, decimals);
  return printed ? `${printed.approximate ? '≈' : ''}${htmlNumber(value, printed.decimals)}` : rangeText(spread);
}

/** "between a and b" over the runs that have the quantity, saying how many reruns have none. */
export function rangeText(spread: Spread, format = (v: number) => formatSignificant(v, 4)): string {
  const none = spread.missing ? `; ${spread.missing} of the ${spread.runs} runs ${spread.missing === 1 ? 'has' : 'have'} none (${spread.missing === 1 ? 'it' : 'they'} turned NaN, or did not where the others did)` : '';
  return spread.low === spread.high ? `${minus(format(spread.low))}${none}` : `between ${minus(format(spread.low))} and ${minus(format(spread.high))}${none}`;
}

export function runTable(run: Run, dataset: LessonDataset, decimals: number, stability: RunStability): string {
  const r = run.result;
  if ('diverged' in stability) return divergedTable(run, dataset, decimals, stability.diverged);
  const rows = [
    ...firstRows(run, dataset, decimals),
    ['loss after training', stableNumber(r.finalLoss, stability.loss, decimals)],
    ...(r.accuracy === null || !stability.accuracy ? [] : [['accuracy on the training data', accuracyText(r.accuracy, stability.accuracy)]]),
    ['output for the first sample', r.tracked[r.tracked.length - 1].map((v, k) => stableNumber(v, stability.outputs[k], decimals)).join(', ')],
    ['under perturbation', perturbationText(stability.loss, decimals)],
  ];
  return `<table class="numbers run"><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${k}</th><td${k === 'under perturbation' ? ' class="words"' : ''}>${v}</td></tr>`).join('')}</tbody></table>`;
}

/** What every run's table starts with: its name, how it trained, and its first loss. */
function firstRows(run: Run, dataset: LessonDataset, decimals: number): string[][] {
  const what = run.spec.mode === 'sgd' ? `${count(run.spec.steps)} epochs of per-sample SGD` : `${count(run.spec.steps)} full-batch iterations`;
  return [
    ['run', escapeHtml(run.id)],
    ['training', `${what} on ${dataset.n} sample${dataset.n === 1 ? '' : 's'}, learning rate ${formatNumber(run.spec.lr, 6)}`],
    [run.spec.mode === 'sgd' ? 'first epoch’s loss' : 'loss before training', htmlNumber(run.result.loss[0], decimals)],
  ];
}

/** A run that turned NaN: where, and whether its reruns do the same. */
function divergedTable(run: Run, dataset: LessonDataset, decimals: number, at: Spread): string {
  const r = run.result;
  const where = at.decimals >= 0 ? `at iteration ${count(r.diverged!.iteration)} (so do its ${at.runs - 1} reruns with every starting weight moved by one ulp)` : Number.isFinite(at.high) ? `between iterations ${count(at.low)} and ${count(at.high)} (the run and its ${at.runs - 1} reruns with every starting weight moved by one ulp)` : `at iteration ${count(at.low)} in some runs; of its ${at.runs - 1} reruns with every starting weight moved by one ulp, not all turn NaN`;
  const rows = [
    ...firstRows(run, dataset, decimals),
    ['turned NaN', `${where}: ${escapeHtml(r.diverged!.message.replace(/^training diverged at iteration \d+: /, '').replace(/ \(try a smaller learning rate\)$/, ''))}`],
  ];
  return `<table class="numbers run diverged"><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${k}</th><td>${v}</td></tr>`).join('')}</tbody></table>`;
}

/** An accuracy as a percentage with the decimals that survive perturbation (two at most). */
export function accuracyText(accuracy: number, spread: Spread, most = 2): string {
  // A percentage's units are the fraction's second decimal: with fewer stable, the range.
  if (spread.decimals < 2 || spread.missing > 0) return rangeText(spread, (v) => `${formatNumber(100 * v, 1)}%`);
  return `${formatNumber(100 * accuracy, Math.min(most, spread.decimals - 2))}%`;
}

/** What the reruns say about the run: how many decimals of its final loss are facts, or its range. */
function perturbationText(loss: Spread, decimals: number): string {
  const how = `the run and its ${loss.runs - 1} reruns with every starting weight moved by one ulp (the smallest step a double can take)`;
  if (loss.missing > 0) return `unstable: of ${how}, not all end with a loss: final loss ${rangeText(loss)}`;
  if (loss.decimals < 0) return `chaotic: ${how} end ${rangeText(loss)}; not even the ones digit of the final loss agrees`;
  if (loss.decimals >= decimals) return `${how} agree on every digit shown`;
  return `${how} agree on ${loss.decimals} decimal${loss.decimals === 1 ? '' : 's'} of the final loss (${formatSignificant(loss.low, 12)} to ${formatSignificant(loss.high, 12)}); only those are shown`;
}

/** A count as the prose writes it: thousands apart by a no-break space (50 000), from 10 000 up. */
export function count(n: number): string {
  return n >= 10_000 ? String(n).replace(/\B(?=(\d{3})+$)/g, '\u00a0') : String(n);
}
