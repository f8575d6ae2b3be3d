// Training: runs of full-batch descent or per-sample SGD, sweeps over the hidden size, their
// loss curves and decision regions, and the data they train on.
import { SpecError } from '../src/spec.ts';
import { DivergenceError } from '../src/trainer.ts';
import { decisionGrid, plotBox, type PlotBox } from '../src/lesson/boundary.ts';
import type { LessonDataset } from '../src/lesson/dataset.ts';
import { defineDirective, type DirectiveCall, type LessonContext, type RenderContext } from '../src/lesson/directive.ts';
import type { EvaluatedModel } from '../src/lesson/models.ts';
import { runsNamed } from '../src/lesson/quantity.ts';
import { spreadOf } from '../src/lesson/stability.ts';
import { startingNetwork, trainRun, type Run, type TrainSpec } from '../src/lesson/train-run.ts';
import { regionsFigureBox, type PanelStability } from '../render/figures/boundary.ts';
import { curveFigureBox, spansDecades, type Series } from '../render/figures/curve.ts';
import { escapeHtml } from '../render/html.ts';
import { runTable, type RunStability } from '../render/runs.ts';

const RUN_KEYS = ['in', 'iterations', 'epochs', 'lr', 'every', 'loss', 'decimals'];
/** The most work one run may take (steps × samples × operations a sample): lesson 5's largest run is 1.8e9. */
const MAX_TRAINING_COST = 2e10;

interface CurveData {
  series: Series[];
  xLabel: string;
  yLabel: string;
  log: boolean;
  /** HTML, escaped */
  caption: string;
}

interface TrainData {
  run: Run;
  dataset: LessonDataset;
  decimals: number;
  stability: RunStability;
}

interface Regions {
  runs: Run[];
  stability: PanelStability[];
  dataset: LessonDataset;
  box: PlotBox;
  decimals: number;
  /** the two inputs' names, for the axes */
  axes: [string, string];
}

/** What a run's figures say once the reader has changed the numbers, until the page has trained them again (or where it cannot). */
export const TRAINED = "Trained from the lesson's own numbers, not yours.";

/**
 * The most a run may cost (in multiply-adds, its two perturbed reruns included) for the page to
 * train it again on the reader's numbers: tens of thousands of scalar steps, under a second in
 * a worker on these machines. Lesson 3's runs (8e6 each) fit; the moons' (1e8 and more) do not.
 */
const PAGE_TRAINING_COST = 5e7;

/** Whether the page may train a run again: one the lesson's own model starts (not a sweep's fresh draw), short enough. */
const pageTrainable = (run: Run | undefined): boolean => run !== undefined && run.hidden === undefined && 3 * run.cost <= PAGE_TRAINING_COST;
/** Whether it may train every run a figure draws. */
const allPageTrainable = (ids: string[], runs: ReadonlyMap<string, Run>): boolean => ids.length > 0 && ids.every((id) => pageTrainable(runs.get(id)));

export const train = defineDirective({
  name: 'train',
  inPage: { stale: TRAINED, retrain: (d: TrainData) => pageTrainable(d.run) },
  usage: '::train RUN (iterations=N \\| epochs=N) [lr=…] [every=K] [loss=after_step] [diverges]',
  summary: 'trains a copy of the model: full-batch descent for iterations, per-sample SGD for epochs; records the loss every K steps. With `diverges` the run must turn NaN, and where it does is its result (`diverged RUN`)',
  args: { positional: 'a name for the run, like moons', keys: RUN_KEYS, flags: ['diverges'] },
  evaluate(call, lesson): TrainData {
    const run = trainCopy(call.positional[0].value, call.model, undefined, call, lesson);
    const K = run.trained.sizes[run.trained.sizes.length - 1];
    const stability: RunStability = run.result.diverged
      ? { diverged: spreadOf(run, lesson, (r) => r.diverged?.iteration ?? Infinity) }
      : { ...panelStability(run, lesson), outputs: Array.from({ length: K }, (_, k) => spreadOf(run, lesson, (r) => r.tracked[r.tracked.length - 1][k])) };
    return { run, dataset: lesson.dataset, decimals: call.decimals, stability };
  },
  render: (d) => runTable(d.run, d.dataset, d.decimals, d.stability),
});

export const sweep = defineDirective({
  name: 'sweep',
  inPage: { stale: TRAINED },
  usage: '::sweep NAME hidden=1,2,4 (iterations=N \\| epochs=N) …',
  summary: 'one run per hidden-layer size (NAME-1, NAME-2, …), each drawn afresh by `init`, shown as small multiples of decision regions',
  args: { positional: 'a name for the sweep, like hidden', keys: [...RUN_KEYS, 'hidden'] },
  evaluate(call, lesson): Regions {
    const h = call.keyed.get('hidden');
    if (!h) throw call.error(undefined, '::sweep needs hidden=1,2,4: the hidden-layer sizes to train');
    if (call.model.net.sizes.length !== 3) throw call.error(h, `a sweep varies the one hidden layer; this model has ${call.model.net.sizes.length - 2}`);
    const sizes = h.value.split(',').map((v) => Number(v));
    if (sizes.some((v) => !Number.isInteger(v) || v < 1)) throw call.error(h, `expected hidden sizes like 1,2,4, got ${h.value}`);
    if (sizes.length > 16 || sizes.some((v) => v > 1000)) throw call.error(h, `expected at most 16 hidden sizes of at most 1000 neurons, got ${h.value}`);
    const name = call.positional[0].value;
    const runs = sizes.map((size) => trainCopy(`${name}-${size}`, call.model, size, call, lesson));
    lesson.sweeps.set(name, runs);
    return regions(runs, call, lesson);
  },
  render: renderRegions,
});

export const curve = defineDirective({
  name: 'curve',
  inPage: { stale: TRAINED, retrain: (d: CurveData, runs) => allPageTrainable(d.series.map((s) => s.label), runs) },
  usage: '::curve RUN[,RUN…] [y=loss \\| y=output] [log]',
  summary: 'the runs\' loss (or first-sample output) against iteration or epoch',
  args: { positional: 'the runs to plot, like lr001,lr05', keys: ['y'], flags: ['log'] },
  evaluate(call, lesson): CurveData {
    const yArg = call.keyed.get('y');
    const y = yArg?.value ?? 'loss';
    if (y !== 'loss' && !/^output\d*$/.test(y)) throw call.error(yArg, `expected y=loss or y=output (y=output1 for the second output), got ${y}`);
    const k = y === 'loss' ? -1 : Number(y.slice(6) || 0);
    const outputs = call.model.net.sizes[call.model.net.sizes.length - 1];
    if (k >= outputs) throw call.error(yArg, `y=output${k} names output ${k} (counting from 0), but the model has ${outputs}`);
    const runs = runsNamed(call.positional[0], call, lesson);
    // Full-batch runs record outputs before each chunk; SGD runs after each epoch.
    const series = runs.map((run) => ({ label: run.id, x: run.result.at, y: k < 0 ? run.result.loss : run.result.tracked.map((o) => o[k] ?? NaN) }));
    const sgd = runs[0].spec.mode === 'sgd';
    const yLabel = k < 0 ? (sgd ? 'loss summed over the epoch' : 'loss') : `output ${k === 0 ? '' : k} for the first sample`.replace('  ', ' ');
    // A loss that falls across decades is flat on a linear axis after its first steps: it gets a log axis unasked.
    const chosen = !call.keyed.has('log') && k < 0 && spansDecades(series);
    const log = call.keyed.has('log') || chosen;
    const xLabel = sgd ? 'epoch' : 'iteration';
    const everies = [...new Set(runs.map((r) => r.spec.every))];
    const recorded = everies.length === 1 ? `recorded every ${everies[0] === 1 ? '' : `${everies[0]} `}${everies[0] === 1 ? xLabel : `${xLabel}s`}` : 'recorded at each run\'s own interval';
    const what = k < 0 ? (sgd ? 'The loss summed over each epoch' : 'The loss') : `${outputs === 1 ? 'The output' : `Output ${k} (counting from 0)`} for the first sample`;
    const names = runs.map((r) => escapeHtml(r.id));
    const whose = names.length === 1 ? `of run ${names[0]}` : `of runs ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
    const positive = series.flatMap((s) => s.y.filter((v) => v > 0));
    const decades = positive.length ? Math.log10(Math.max(...positive) / Math.min(...positive)) : 0;
    const scale = chosen ? `, on a log scale, chosen because the values span ${decades.toFixed(1)} decades` : log ? ', on a log scale' : '';
    // A log axis has no 0: a line whose value reaches it stops there, and the caption says where.
    const zero = log ? series.map((s) => ({ s, at: s.y.findIndex((v) => v <= 0) })).filter((z) => z.at >= 0) : [];
    const stops = zero.map((z) => ` ${escapeHtml(z.s.label)} reaches ${z.s.y[z.at] === 0 ? 'exactly 0' : 'a value at or below 0'} at ${xLabel} ${z.s.x[z.at]}, which a log scale cannot draw: its line stops there.`).join('');
    const caption = `${what} ${whose} against ${xLabel} (${sgd ? 'per-sample SGD' : 'full-batch descent'}, ${recorded})${scale}.${stops}${series.length > 1 ? ' The legend below the plot names the lines, which differ in dash as well as colour.' : ''}`;
    return { series, xLabel, yLabel, log, caption };
  },
  render: (d, page) => curveFigureBox(page, d.series, d.xLabel, d.yLabel, d.log, d.caption),
});

export const boundary = defineDirective({
  name: 'boundary',
  inPage: { stale: TRAINED, retrain: (d: Regions, runs) => allPageTrainable(d.runs.map((r) => r.id), runs) },
  usage: '::boundary RUN[,RUN…]',
  summary: 'decision regions of runs (or sweeps) with two inputs, with the training points',
  args: { positional: 'runs or sweeps, like moons or tanh,relu', keys: ['decimals'] },
  evaluate: (call, lesson): Regions => regions(runsNamed(call.positional[0], call, lesson), call, lesson),
  render: renderRegions,
});

export const data = defineDirective({
  name: 'data',
  usage: '::data',
  summary: 'the data set\'s points',
  args: {},
  evaluate: (call, lesson): Regions => regions([], call, lesson),
  render: renderRegions,
});

/** Runs' decision regions over the data (the data alone without runs): the data must lie in the plane. */
function regions(runs: Run[], call: DirectiveCall, lesson: LessonContext): Regions {
  const { dataset } = lesson;
  if (runs.length === 0 && dataset.inputs !== 2) throw call.error(undefined, `::data plots points in the plane: it needs 2 inputs, and this data set has ${dataset.inputs}`);
  for (const run of runs) {
    if (run.result.diverged) throw call.error(call.positional[0], `${run.id} diverged at iteration ${run.result.diverged.iteration}: it has no decision regions`);
    if (run.trained.sizes[0] !== 2) throw call.error(undefined, `a decision boundary needs 2 inputs; ${run.id} has ${run.trained.sizes[0]}`);
    run.grid ??= decisionGrid(run.trained, dataset.X, dataset.n);
  }
  const inputs = call.model.net.labels.input;
  const axes: [string, string] = inputs.length === 2 ? [inputs[0].name, inputs[1].name] : ['x1', 'x2'];
  return { runs, stability: runs.map((r) => panelStability(r, lesson)), dataset, box: plotBox(dataset.X, dataset.n), decimals: call.decimals, axes };
}

function renderRegions(d: Regions, page: RenderContext): string {
  return regionsFigureBox(page, d.runs, d.stability, d.dataset, d.box, d.decimals, d.axes);
}

/** How far a run's final loss and accuracy move under perturbation. */
function panelStability(run: Run, lesson: LessonContext): PanelStability {
  return { loss: spreadOf(run, lesson, (r) => r.finalLoss), accuracy: run.result.accuracy === null ? undefined : spreadOf(run, lesson, (r) => r.accuracy!) };
}

function positiveNumber(call: DirectiveCall, key: string, whole: boolean): number | undefined {
  const a = call.keyed.get(key);
  if (!a) return undefined;
  const v = Number(a.value);
  if (!(v > 0) || (whole && !Number.isInteger(v))) throw call.error(a, `expected ${key} to be a positive ${whole ? 'whole number' : 'number'}, got ${a.value}`);
  return v;
}

/** One training run (`::train`, or one size of a `::sweep`), from the model's starting parameters. */
function trainCopy(id: string, model: EvaluatedModel, hidden: number | undefined, call: DirectiveCall, lesson: LessonContext): Run {
  if (lesson.runs.has(id)) throw call.error(call.positional[0], `a run called ${id} exists already`);
  const iterations = positiveNumber(call, 'iterations', true);
  const epochs = positiveNumber(call, 'epochs', true);
  if ((iterations === undefined) === (epochs === undefined)) throw call.error(undefined, 'expected either iterations=N (full-batch descent) or epochs=N (per-sample SGD)');
  const steps = (iterations ?? epochs)!;
  // What a run costs, in multiply-adds: past this a build would take many minutes.
  // (Each sample's step costs about 50 operations more than its parameters.)
  const params = model.net.params.length * (hidden === undefined ? 1 : hidden / Math.max(1, model.net.sizes[1]));
  const cost = steps * lesson.dataset.n * (params + 50);
  if (cost > MAX_TRAINING_COST) throw call.error(call.keyed.get('iterations') ?? call.keyed.get('epochs'), `${id} would take ${steps} steps × ${lesson.dataset.n} samples × about ${Math.round(params + 50)} operations = ${cost.toExponential(1)}, more than a lesson's build may (${MAX_TRAINING_COST.toExponential(0)}, some minutes); train fewer steps or a smaller network`);
  const lossArg = call.keyed.get('loss');
  if (lossArg && lossArg.value !== 'after_step' && lossArg.value !== 'before_step') throw call.error(lossArg, `expected loss=after_step or loss=before_step, got ${lossArg.value}`);
  const spec: TrainSpec = {
    mode: iterations !== undefined ? 'full_batch' : 'sgd',
    steps,
    lr: positiveNumber(call, 'lr', false) ?? model.lr,
    every: positiveNumber(call, 'every', true) ?? Math.max(1, Math.ceil(steps / 400)),
    epochLoss: lossArg?.value as TrainSpec['epochLoss'],
    ...(call.keyed.has('diverges') ? { diverges: true } : {}),
  };
  let start;
  try {
    start = startingNetwork(model.net, hidden);
  } catch (e) {
    if (e instanceof SpecError) throw call.error(call.keyed.get('hidden'), `${hidden} hidden neurons: ${e.expected}`);
    throw e;
  }
  if (!start) throw call.error(call.keyed.get('hidden'), 'a sweep draws each size\'s weights afresh: the model needs init');
  let trained: ReturnType<typeof trainRun>;
  try {
    trained = trainRun(`${lesson.slug}: ${id}`, start, lesson.dataset, spec, lesson.effects);
  } catch (e) {
    if (e instanceof DivergenceError) throw call.error(call.keyed.get('lr') ?? call.positional[0], `${id}: ${e.message.replace(/\)$/, ', or declare that it does with ::train … diverges)')}`);
    if (e instanceof RangeError && spec.diverges) throw call.error(call.keyed.get('diverges'), `${id}: ${e.message}`);
    throw e;
  }
  const run: Run = { id, model, hidden, start, spec, result: trained.result, trained: trained.net, cost };
  lesson.runs.set(id, run);
  return run;
}
