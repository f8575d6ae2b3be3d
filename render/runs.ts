// A training run's table: what was trained how, and what it ended as.
import type { LessonDataset } from '../src/lesson/dataset.ts';
import type { Run } from '../src/lesson/train-run.ts';
import { formatNumber } from './format.ts';
import { escapeHtml } from './html.ts';

export function runTable(run: Run, dataset: LessonDataset, decimals: number): string {
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
