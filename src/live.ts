// The live page's arithmetic: the lesson's models stepped again with the numbers a reader
// changed (inputs, targets, weights, biases, the learning rate), and the context its live
// directives evaluate in. The same functions the build uses; no DOM, no mathjs.
import { samplesDataset, type DatasetSpec, type LessonDataset } from './lesson/dataset.ts';
import type { LessonContext, LessonEffects } from './lesson/directive.ts';
import { agreement, type EvaluatedModel } from './lesson/models.ts';
import type { LessonMeta, LessonSample } from './lesson/parse.ts';
import type { Arg } from './lesson/syntax.ts';
import { Network } from './network.ts';
import { linkTrace, stepTraced, traceNetwork, type NetworkTrace } from './trace.ts';

/** A directive of the page, as the build read it: the page evaluates it again, or marks it stale. */
export interface LiveBlock {
  name: string;
  args: Arg[];
  /** its figure's anchor and number, when it draws one */
  figure?: { id: string; label: string };
  /** its equation's anchor and number, when it is a worked step */
  step?: { id: string; label: string };
  /** not recomputed: what the page says beside it once a number has changed */
  stale?: string;
  /** and in its place, not beside it */
  hide?: boolean;
  /** the page may train its runs again on the reader's numbers (in a worker), and then draw it */
  retrain?: true;
  /** its HTML holds Chinese, which the page marks as the build does (the others skip the search: in lesson 2 it was a tenth of a redraw) */
  chinese?: true;
}

/** What the build hands the page: the lesson's models and step, and where its directives and {{…}} stand. */
export interface LivePayload {
  decimals: number;
  names: Record<string, string>;
  model: unknown;
  variants: Record<string, Record<string, unknown>>;
  data: LessonSample[];
  lr: number;
  blocks: LiveBlock[];
  /** each {{…}} of the page, by the order of its data-value */
  values: Arg[][];
  /** what the runs the page may train again train on: the reader's samples, or the lesson's data set (absent: no run is trained again) */
  dataset?: 'samples' | ShippedDataset;
}

/** A data set as the page receives it. */
export interface ShippedDataset {
  spec: DatasetSpec;
  X: number[];
  T: number[];
  labels: number[];
  classNames: string[];
}

/** The data set the page's runs train on, for the reader's samples. */
function datasetOf(p: LivePayload, data: LessonSample[]): LessonDataset | undefined {
  if (p.dataset === undefined) return undefined;
  if (p.dataset === 'samples') return samplesDataset(data);
  const { spec, X, T, labels, classNames } = p.dataset;
  return { spec, X: Float64Array.from(X), T: Float64Array.from(T), labels: Uint8Array.from(labels), n: labels.length, inputs: X.length / labels.length, classes: classNames.length, classNames };
}

export function livePayload(meta: LessonMeta, data: LessonSample[]): LivePayload {
  return { decimals: meta.decimals, names: meta.names, model: meta.model, variants: meta.variants as LivePayload['variants'], data, lr: meta.lr, blocks: [], values: [] };
}

/** A number the reader may change, named as the tape names it (i1, t_o1, w5, b1; lr). */
export interface Editable {
  key: string;
  tex: string;
  kind: 'input' | 'target' | 'param' | 'lr';
  value: number;
}

export type Edits = ReadonlyMap<string, number>;

/** The lesson's own main model traced once per payload: what names the numbers a reader may change. */
const lessonTraces = new WeakMap<LivePayload, NetworkTrace>();
function lessonTrace(p: LivePayload): NetworkTrace {
  let trace = lessonTraces.get(p);
  if (!trace) lessonTraces.set(p, (trace = traceNetwork(Network.fromSpec(p.model), p.data)));
  return trace;
}

/** Every number of the traced step a reader may change, in the page's order: inputs, targets, parameters, learning rate. */
export function editables(p: LivePayload): Editable[] {
  const trace = lessonTrace(p);
  const node = (kind: Editable['kind']) => (n: { name: string; tex: string; value: number }): Editable => ({ key: n.name, tex: n.tex, kind, value: n.value });
  return [
    ...trace.samples.flatMap((s) => s.inputs.map(node('input'))),
    ...trace.samples.flatMap((s) => s.targets.map(node('target'))),
    ...trace.params.map(node('param')),
    { key: 'lr', tex: '\\alpha', kind: 'lr', value: p.lr },
  ];
}

/** A variant that sets its own parameters (or a different network) keeps them when the reader edits the main model's. */
const OWN_PARAMETERS = ['layers', 'bias', 'naming', 'weights', 'biases', 'params', 'init'];
export const ownsParameters = (changes: Record<string, unknown>): boolean => OWN_PARAMETERS.some((k) => k in changes);

/**
 * The lesson's models with the reader's numbers. An edit that is not a number of this lesson is
 * ignored (a shared address from another version of the page).
 */
export function liveModels(p: LivePayload, edits: Edits): { models: Map<string, EvaluatedModel>; data: LessonSample[]; lr: number } {
  const base = lessonTrace(p);
  const data = p.data.map((s, i) => ({
    x: s.x.map((v, k) => edits.get(base.samples[i].inputs[k].name) ?? v),
    t: s.t.map((v, k) => edits.get(base.samples[i].targets[k].name) ?? v),
  }));
  const lr = edits.get('lr') ?? p.lr;
  const specs: [string, unknown, boolean][] = [['main', p.model, true], ...Object.entries(p.variants).map(([name, changes]): [string, unknown, boolean] => [name, { ...(p.model as object), ...changes }, !ownsParameters(changes)])];
  const models = new Map<string, EvaluatedModel>();
  for (const [name, spec, inherits] of specs) {
    const net = Network.fromSpec(spec);
    if (inherits) for (const param of net.params) if (edits.has(param.name)) net.set(param, edits.get(param.name)!);
    const stepped = stepTraced(net, data, lr);
    // As the build refuses a lesson whose step overflows: nothing infinite is drawn.
    const bad = [...stepped.trace.tape.nodes, ...stepped.after.tape.nodes].find((n) => !Number.isFinite(n.value) || !Number.isFinite(n.grad));
    if (bad) throw new RangeError(`${name === 'main' ? '' : `in variant ${name}, `}${bad.name} ${Number.isFinite(bad.value) ? `has the gradient ${bad.grad}` : `is ${bad.value}`}; the numbers are too large to step`);
    if (!stepped.step.after.every(Number.isFinite)) throw new RangeError(`the step takes ${name === 'main' ? 'a parameter' : `a parameter of variant ${name}`} to infinity; the learning rate or the numbers are too large`);
    linkTrace(stepped.trace, name);
    models.set(name, { name, net, ...stepped, lr, agreement: [] });
  }
  return { models, data, lr };
}

/**
 * What the page's directives evaluate in: the reader's models, and no runs until the page's
 * own training (`effects`: its results, and where its progress goes) has made them.
 */
export function liveContext(p: LivePayload, edits: Edits, effects: LessonEffects = {}): LessonContext {
  const { models, data, lr } = liveModels(p, edits);
  const meta = { decimals: p.decimals, names: p.names, lr, variants: p.variants } as unknown as LessonMeta;
  const dataset = datasetOf(p, data) ?? samplesDataset([]);
  return {
    meta, slug: 'page', models, traced: data, dataset,
    runs: new Map(), sweeps: new Map(), checks: [], computed: [], printed: new Map(), effects,
    position: () => ({ line: 1, col: 1 }),
    fieldOffset: () => 0,
  };
}

/**
 * The reader's gradients checked as the build checks the lesson's: the vectorised trainer and
 * central finite differences against the tracer (mathjs's symbolic derivative is not in the page).
 */
export function crossCheck(model: EvaluatedModel, data: LessonSample[]): { ok: boolean; rows: number; failing: string[] } {
  const rows = agreement(model.net, model.trace, data, false);
  return { ok: rows.every((r) => r.ok), rows: rows.length, failing: rows.filter((r) => !r.ok).map((r) => r.quantity) };
}
