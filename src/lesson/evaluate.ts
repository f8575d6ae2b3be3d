// A parsed lesson → an evaluated lesson: the model built and traced, one step taken, every
// gradient cross-checked (vectorised trainer, finite differences, and mathjs for small
// models), each directive and value resolved to the data its renderer needs, every quoted
// source figure checked, and the prose's long decimals matched against computed numbers.
import { evaluate as evaluateExpression } from 'mathjs';
import { ELEMENTWISE } from '../activations.ts';
import { explainGradient, ChainError, type Chain } from '../chain.ts';
import { finiteDifferences, symbolicGradients, type Dataset } from '../gradcheck.ts';
import { Network } from '../network.ts';
import { sigmoid } from '../numerics.ts';
import { SpecError, type ModelSpec } from '../spec.ts';
import { traceNetwork, tracedStep, type NetworkTrace, type TracedStep } from '../trace.ts';
import { DivergenceError, Trainer } from '../trainer.ts';
import type { Node } from '../tracer.ts';
import { decisionGrid, type DecisionGrid } from './boundary.ts';
import { loadDataset, samplesDataset, type LessonDataset, type ReadFile } from './dataset.ts';
import { LessonError } from './errors.ts';
import { trainRun, type TrainEffects, type TrainResult, type TrainSpec } from './training.ts';
import { decimalsOf, matchesQuoted } from './numbers.ts';
import { argAt, type LessonToken, type Located, type ParsedLesson } from './parse.ts';
import type { Arg, DirectiveToken, ValueToken } from './syntax.ts';

/** One model of the lesson (the main one, or a variant) with everything computed from it. */
export interface EvaluatedModel {
  name: string;
  net: Network;
  trace: NetworkTrace;
  step: TracedStep;
  /** the network after the step, traced on the same data */
  after: NetworkTrace;
  /** the source's arithmetic replayed (main model, when the lesson declares carry) */
  replay?: NetworkTrace;
  lr: number;
  agreement: AgreementRow[];
}

export interface AgreementRow {
  quantity: string;
  tracer: number;
  trainer: number;
  finiteDifference: number;
  symbolic?: number;
  ok: boolean;
}

export type RefKind = 'value' | 'grad' | 'applied' | 'new' | 'after' | 'partial' | 'loss' | 'accuracy' | 'output';

/** A training run of the lesson: a model, its data set, what it ended as. */
export interface Run {
  id: string;
  model: EvaluatedModel;
  /** the hidden size, for a run of a sweep */
  hidden?: number;
  spec: TrainSpec;
  result: TrainResult;
  trained: Network;
  grid?: DecisionGrid;
}

export interface Series {
  label: string;
  x: number[];
  y: number[];
}

export interface LessonEffects extends TrainEffects {
  readFile?: ReadFile;
}

export interface Ref {
  kind: RefKind;
  name: string;
  /** for partial: the node differentiated */
  of?: string;
  model: string;
  replay: boolean;
}

export type CheckVerdict = 'agrees' | 'erratum' | 'mismatch' | 'erratum-not-seen' | 'explanation-fails';

export interface CheckResult {
  at: Located;
  quantity: string;
  ref: Ref;
  computed: number;
  quoted: number;
  quotedText: string;
  decimals: number;
  erratum?: string;
  explain?: { text: string; value: number; reproduces: boolean };
  verdict: CheckVerdict;
  /** the source's figure fits what the lesson computes */
  ok: boolean;
}

export type DirectiveData =
  | { kind: 'forward'; node: Node; decimals: number; model: EvaluatedModel }
  | { kind: 'derive'; chain: Chain; decimals: number; model: EvaluatedModel }
  | { kind: 'update'; param: Node; index: number; decimals: number; model: EvaluatedModel }
  | { kind: 'gradients'; decimals: number; model: EvaluatedModel }
  | { kind: 'after'; decimals: number; model: EvaluatedModel }
  | { kind: 'check'; check: CheckResult }
  | { kind: 'network'; decimals: number; model: EvaluatedModel; updated: boolean }
  | { kind: 'graph'; highlight?: Node; decimals: number; model: EvaluatedModel }
  | { kind: 'glossary'; names: Record<string, string>; model: EvaluatedModel }
  | { kind: 'agreement'; model: EvaluatedModel }
  | { kind: 'train'; run: Run; dataset: LessonDataset; decimals: number }
  | { kind: 'curve'; series: Series[]; xLabel: string; yLabel: string; log: boolean }
  | { kind: 'boundary'; runs: Run[]; dataset: LessonDataset; decimals: number }
  | { kind: 'compute'; label: string; expr: string; value: number; decimals: number }
  | { kind: 'chains'; chains: Chain[]; decimals: number; model: EvaluatedModel }
  | { kind: 'surface'; surface: LossSurface };

/** The loss over a grid of two parameters, the others held at their starting values. */
export interface LossSurface {
  names: [string, string];
  texs: [string, string];
  x0: number; x1: number; y0: number; y1: number;
  cols: number; rows: number;
  /** loss per cell, row by row from y0 upwards */
  loss: Float64Array;
  /** the parameters before and after the lesson's step */
  before: [number, number];
  after: [number, number];
}

export interface LintIssue {
  at: Located;
  text: string;
}

export interface EvaluatedLesson {
  parsed: ParsedLesson;
  models: Map<string, EvaluatedModel>;
  main: EvaluatedModel;
  /** directive data, by token */
  directives: Map<DirectiveToken, DirectiveData>;
  /** resolved inline values, by token */
  values: Map<ValueToken, { value: number; decimals: number }>;
  checks: CheckResult[];
  lint: LintIssue[];
  dataset?: LessonDataset;
  runs: Map<string, Run>;
}

const RUN_KEYS = ['in', 'iterations', 'epochs', 'lr', 'every', 'loss', 'decimals'];

const DIRECTIVES: Record<string, { positional: string; keys: string[] }> = {
  forward: { positional: 'a node name, like in_h1', keys: ['in', 'decimals', 'after'] },
  derive: { positional: 'a parameter name, like w5', keys: ['in', 'decimals'] },
  update: { positional: 'a parameter name, like w5', keys: ['in', 'decimals'] },
  gradients: { positional: '', keys: ['in', 'decimals'] },
  after: { positional: '', keys: ['in', 'decimals'] },
  check: { positional: 'a quantity, like out_h2 or grad w5', keys: ['quoted', 'erratum', 'explain', 'in', 'replay'] },
  network: { positional: '', keys: ['in', 'decimals', 'after'] },
  graph: { positional: '', keys: ['highlight', 'in', 'decimals'] },
  glossary: { positional: '', keys: ['in'] },
  agreement: { positional: '', keys: ['in'] },
  train: { positional: 'a name for the run, like moons', keys: RUN_KEYS },
  sweep: { positional: 'a name for the sweep, like hidden', keys: [...RUN_KEYS, 'hidden'] },
  curve: { positional: 'the runs to plot, like lr001,lr05', keys: ['y', 'log'] },
  boundary: { positional: 'runs or sweeps, like moons or tanh,relu', keys: ['decimals'] },
  data: { positional: '', keys: [] },
  compute: { positional: '', keys: ['expr', 'label', 'in', 'replay', 'decimals'] },
  function: { positional: 'an activation, like sigmoid', keys: ['from', 'to'] },
  chains: { positional: '', keys: ['in', 'decimals'] },
  surface: { positional: 'two parameters, like w5,w6', keys: ['in', 'range'] },
};

export function evaluateLesson(parsed: ParsedLesson, effects: LessonEffects = {}): EvaluatedLesson {
  const { meta, file } = parsed;
  const models = new Map<string, EvaluatedModel>();
  const networkOf = (name: string, spec: unknown, at: string): Network => {
    try {
      return Network.fromSpec(spec, 'model');
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
      // Paths are model.…; a variant's own fields live under variants.NAME.
      const field = e.path.replace(/^model\.?/, '');
      const own = name !== 'main' && field && (meta.variants[name] as Record<string, unknown>)[field.split(/[.[]/)[0]] !== undefined;
      const where = parsed.locate(own ? `${at}.${field}` : e.path, e.atKey ? 'key' : 'value');
      throw new LessonError(file, where.line, where.col, e.expected);
    }
  };
  let dataset: LessonDataset | undefined;
  if (meta.dataset) {
    const sizes = networkOf('main', meta.model, 'model').sizes;
    try {
      dataset = loadDataset(meta.dataset, sizes[sizes.length - 1], effects.readFile ?? (() => { throw new Error('this build cannot read data files'); }));
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      throw located(parsed, 'dataset', e.message);
    }
    if (dataset.inputs !== sizes[0]) throw located(parsed, 'model.layers', `the ${meta.dataset.kind} data set has ${dataset.inputs} inputs, so layers must start with ${dataset.inputs}`);
  }
  // The traced step runs on the declared samples, or on the data set's first one; without a
  // data set, training runs on the declared samples too.
  const traced = meta.data ?? [firstSample(dataset!)];
  dataset ??= samplesDataset(traced);
  const build = (name: string, spec: unknown, at: string): EvaluatedModel => {
    const net = networkOf(name, spec, at);
    const replayed = meta.carry && (meta.carry.model ?? 'main') === name ? meta.carry : undefined;
    return evaluateModel(name, net, traced, meta.lr, replayed, parsed);
  };
  const main = build('main', meta.model, 'model');
  models.set('main', main);
  for (const [name, changes] of Object.entries(meta.variants)) {
    models.set(name, build(name, { ...meta.model, ...changes } as ModelSpec, `variants.${name}`));
  }

  for (const name of Object.keys(meta.names)) {
    if (!main.trace.tape.nodes.some((n) => n.name === name)) {
      const at = parsed.locate(`names.${name}`, 'key');
      throw new LessonError(file, at.line, at.col, `names: no node is called ${name}; the names are ${main.trace.tape.nodes.map((n) => n.name).join(', ')}`);
    }
  }

  const directives = new Map<DirectiveToken, DirectiveData>();
  const values = new Map<ValueToken, { value: number; decimals: number }>();
  const checks: CheckResult[] = [];
  const ctx: Context = { parsed, models, runs: new Map(), sweeps: new Map(), dataset, effects, computed: [] };
  for (const token of parsed.located) {
    if (token.type === 'directive') {
      const data = evaluateDirective(token, ctx);
      directives.set(token, data);
      if (data.kind === 'check') checks.push(data.check);
    } else if (token.type === 'value') {
      values.set(token, evaluateValue(token, ctx));
    }
  }
  const lint = numberLint(parsed, models, checks, ctx.runs, ctx.computed);
  return { parsed, models, main, directives, values, checks, lint, dataset, runs: ctx.runs };
}

/** What directives see: the lesson, its models, its data set and the runs made so far. */
interface Context {
  parsed: ParsedLesson;
  models: Map<string, EvaluatedModel>;
  runs: Map<string, Run>;
  sweeps: Map<string, Run[]>;
  dataset?: LessonDataset;
  effects: LessonEffects;
  /** values of ::compute, which the number lint accepts */
  computed: number[];
}

function firstSample(d: LessonDataset) {
  const K = d.T.length / d.n;
  return { x: Array.from(d.X.subarray(0, d.inputs)), t: Array.from(d.T.subarray(0, K)) };
}

function evaluateModel(name: string, net: Network, data: { x: number[]; t: number[] }[], lr: number, carry: ParsedLesson['meta']['carry'], parsed: ParsedLesson): EvaluatedModel {
  const { sizes } = net;
  const K = sizes[sizes.length - 1];
  for (let i = 0; i < data.length; i++) {
    if (data[i].x.length !== sizes[0]) throw located(parsed, `data[${i}].x`, `expected ${sizes[0]} inputs (the model's first layer), got ${data[i].x.length}`);
    if (data[i].t.length !== K) throw located(parsed, `data[${i}].t`, `expected ${K} targets (the model's last layer), got ${data[i].t.length}`);
  }
  const trace = traceNetwork(net, data);
  const stepped = net.clone();
  const step = tracedStep(stepped, data, lr);
  const after = traceNetwork(stepped, data);
  let replay: NetworkTrace | undefined;
  if (carry) {
    for (const key of Object.keys(carry.values)) {
      if (!trace.tape.nodes.some((n) => n.name === key)) throw located(parsed, `carry.values.${key}`, `no node is called ${key}; the names are ${trace.tape.nodes.map((n) => n.name).join(', ')}`);
    }
    replay = traceNetwork(net, data, carry);
  }

  // The same gradients three (or four) independent ways.
  const dataset: Dataset = {
    X: Float64Array.from(data.flatMap((s) => s.x)),
    T: Float64Array.from(data.flatMap((s) => s.t)),
    n: data.length,
  };
  const trainer = new Trainer(net.clone(), data.length);
  const trainerLoss = trainer.step(dataset.X, dataset.T, 0, dataset.n);
  const trainerGrads = trainer.flatGradients();
  const fd = finiteDifferences(net, dataset);
  const symbolic = net.params.length <= 30 ? symbolicGradients(net, dataset) : undefined;
  const close = (a: number, b: number, rel: number, abs: number) => Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)) + abs;
  const agreement: AgreementRow[] = [
    { quantity: trace.loss.name, tracer: trace.loss.value, trainer: trainerLoss, finiteDifference: NaN, ok: close(trace.loss.value, trainerLoss, 1e-12, 1e-15) },
    ...net.params.map((p, i) => {
      const t = trace.params[i].grad;
      const ok = close(t, trainerGrads[i], 1e-10, 1e-14) && close(t, fd[i], 1e-6, 1e-8) && (!symbolic || close(t, symbolic[i], 1e-9, 1e-13));
      return { quantity: `∂${trace.loss.name}/∂${p.name}`, tracer: t, trainer: trainerGrads[i], finiteDifference: fd[i], symbolic: symbolic?.[i], ok };
    }),
  ];
  return { name, net, trace, step, after, replay, lr, agreement };
}

function located(parsed: ParsedLesson, path: string, message: string): LessonError {
  const at = parsed.locate(path);
  return new LessonError(parsed.file, at.line, at.col, message);
}

function errorAt(parsed: ParsedLesson, token: LessonToken, arg: Arg | undefined, message: string): LessonError {
  const at = argAt(token, arg);
  return new LessonError(parsed.file, at.line, at.col, message);
}

/** Options that are words on their own: `::network after`, `::check E_o1 replay …`. */
const FLAGS = ['after', 'replay', 'log'];

interface Options {
  positional: Arg[];
  keyed: Map<string, Arg>;
}

function options(token: LessonToken & { args: Arg[] }, allowed: string[], parsed: ParsedLesson): Options {
  const keyed = new Map<string, Arg>();
  const positional: Arg[] = [];
  for (const a of token.args) {
    if (a.key === undefined && FLAGS.includes(a.value) && allowed.includes(a.value)) keyed.set(a.value, a);
    else if (a.key === undefined) positional.push(a);
    else if (!allowed.includes(a.key)) throw errorAt(parsed, token, a, `unknown option ${a.key}; expected ${allowed.length ? allowed.join(', ') : 'none'}`);
    else keyed.set(a.key, a);
  }
  return { positional, keyed };
}

function replayModel(models: Map<string, EvaluatedModel>): EvaluatedModel | undefined {
  return [...models.values()].find((m) => m.replay);
}

function modelOf(opts: Options, models: Map<string, EvaluatedModel>, parsed: ParsedLesson, token: LessonToken): EvaluatedModel {
  const arg = opts.keyed.get('in');
  if (!arg) return models.get('main')!;
  const m = models.get(arg.value);
  if (!m) throw errorAt(parsed, token, arg, `no variant is called ${arg.value}; the lesson declares ${[...models.keys()].filter((k) => k !== 'main').join(', ') || 'none'} under variants`);
  return m;
}

function decimalsOpt(opts: Options, parsed: ParsedLesson, token: LessonToken): number {
  const arg = opts.keyed.get('decimals');
  if (!arg) return parsed.meta.decimals;
  const d = Number(arg.value);
  if (!Number.isInteger(d) || d < 0 || d > 17) throw errorAt(parsed, token, arg, `expected decimals to be a whole number from 0 to 17, got ${arg.value}`);
  return d;
}

function nodeIn(trace: NetworkTrace, name: string, parsed: ParsedLesson, token: LessonToken, arg: Arg | undefined, what: string): Node {
  const node = trace.tape.nodes.find((n) => n.name === name);
  if (!node) {
    const names = trace.tape.nodes.filter((n) => !n.name.endsWith('+')).map((n) => n.name);
    throw errorAt(parsed, token, arg, `expected ${what}; no node is called ${name}. The names are ${names.join(', ')}`);
  }
  return node;
}

function paramIndex(model: EvaluatedModel, name: string, parsed: ParsedLesson, token: LessonToken, arg: Arg | undefined): number {
  const i = model.net.params.findIndex((p) => p.name === name);
  if (i < 0) throw errorAt(parsed, token, arg, `expected a parameter; the parameters are ${model.net.params.map((p) => p.name).join(', ')}, not ${name || 'nothing'}`);
  return i;
}

const KINDS: RefKind[] = ['value', 'grad', 'applied', 'new', 'after', 'partial', 'loss', 'accuracy', 'output'];

/** `loss RUN [STEP]`, `accuracy RUN`, `output RUN [K]`: what a training run ended with (or passed through). */
function runQuantity(kind: 'loss' | 'accuracy' | 'output', rest: Arg[], ctx: Context, token: LessonToken): { ref: Ref; value: number; label: string } {
  const { parsed } = ctx;
  const run = runOf(rest[0], ctx, token);
  const ref: Ref = { kind, name: run.id, model: run.model.name, replay: false };
  const index = (arg: Arg | undefined, what: string, max: number): number | undefined => {
    if (!arg) return undefined;
    const i = Number(arg.value);
    if (!Number.isInteger(i) || i < 0 || i > max) throw errorAt(parsed, token, arg, `expected ${what} from 0 to ${max}, got ${arg.value}`);
    return i;
  };
  if (rest.length > 2) throw errorAt(parsed, token, rest[2], `expected ${kind} RUN${kind === 'accuracy' ? '' : kind === 'loss' ? ' [STEP]' : ' [OUTPUT]'}`);
  const r = run.result;
  if (kind === 'accuracy') {
    if (rest[1]) throw errorAt(parsed, token, rest[1], 'expected accuracy RUN');
    if (r.accuracy === null) throw errorAt(parsed, token, rest[0], `${run.id} trains on samples without classes: it has no accuracy`);
    return { ref, value: r.accuracy, label: `accuracy of ${run.id}` };
  }
  if (kind === 'output') {
    const K = run.trained.sizes[run.trained.sizes.length - 1];
    const k = index(rest[1], 'an output index', K - 1) ?? 0;
    return { ref, value: r.tracked[r.tracked.length - 1][k], label: `output ${k} of ${run.id} after training` };
  }
  const step = index(rest[1], 'a step', run.spec.steps);
  if (step === undefined) return { ref, value: r.finalLoss, label: `final loss of ${run.id}` };
  const i = r.at.indexOf(step);
  if (i < 0) throw errorAt(parsed, token, rest[1], `${run.id} recorded its loss at steps ${r.at.slice(0, 6).join(', ')}…: choose one of those, or set every=`);
  return { ref, value: r.loss[i], label: `loss of ${run.id} at step ${step}` };
}

function runOf(arg: Arg, ctx: Context, token: LessonToken): Run {
  const run = ctx.runs.get(arg.value);
  if (!run) throw errorAt(ctx.parsed, token, arg, `no run is called ${arg.value} (yet): ${ctx.runs.size ? `the runs so far are ${[...ctx.runs.keys()].join(', ')}` : 'a ::train or ::sweep must come first'}`);
  return run;
}

/** `[kind] name` (or `partial OF WRT`) from positional arguments, resolved to a number. */
function resolveRef(positional: Arg[], opts: Options, ctx: Context, token: LessonToken): { ref: Ref; value: number; label: string } {
  const { models, parsed } = ctx;
  if (positional.length === 0) throw errorAt(parsed, token, undefined, 'expected a quantity: a node name (out_h1), or grad, new, after, partial, loss, accuracy or output followed by names');
  let kind: RefKind = 'value';
  let rest = positional;
  if ((KINDS as string[]).includes(positional[0].value) && positional.length > 1) {
    kind = positional[0].value as RefKind;
    rest = positional.slice(1);
  } else if (positional.length > 1) {
    throw errorAt(parsed, token, positional[0], `unknown quantity ${positional[0].value}; expected a node name, or one of ${KINDS.filter((k) => k !== 'value').join(', ')} followed by names`);
  }
  if (kind === 'loss' || kind === 'accuracy' || kind === 'output') return runQuantity(kind, rest, ctx, token);
  const replayArg = opts.keyed.get('replay');
  const replay = replayArg !== undefined;
  // A replay reads the model the lesson's carry names, whatever in= says.
  const model = replay ? replayModel(models) : modelOf(opts, models, parsed, token);
  if (replay && !model) throw errorAt(parsed, token, replayArg, 'replay needs carry: { decimals, values } in the front matter');
  if (!model) throw errorAt(parsed, token, undefined, 'no model');
  const trace = replay ? model.replay! : model.trace;
  const need = kind === 'partial' ? 2 : 1;
  if (rest.length !== need) throw errorAt(parsed, token, rest[need] ?? rest[0], kind === 'partial' ? 'expected partial OF WRT, like partial E_o2 out_h1' : `expected one name after ${kind}`);
  const name = rest[need - 1].value;
  const ref: Ref = { kind, name, model: model.name, replay };
  const suffix = model.name === 'main' ? '' : ` (${model.name})`;
  switch (kind) {
    case 'value':
      if (name === 'lr' && !trace.tape.nodes.some((n) => n.name === 'lr')) return { ref, value: model.lr, label: 'the learning rate' };
      return { ref, value: nodeIn(trace, name, parsed, token, rest[0], 'a node').value, label: name + suffix };
    case 'after':
      return { ref, value: nodeIn(model.after, name, parsed, token, rest[0], 'a node').value, label: `${name} after the update${suffix}` };
    case 'grad': {
      const node = nodeIn(trace, name, parsed, token, rest[0], 'a node or parameter');
      return { ref, value: node.grad, label: `∂${trace.loss.name}/∂${name}${suffix}` };
    }
    case 'applied': {
      const i = paramIndex(model, name, parsed, token, rest[0]);
      return { ref, value: model.step.applied[i], label: `the step's gradient for ${name}${suffix}` };
    }
    case 'new': {
      const i = paramIndex(model, name, parsed, token, rest[0]);
      // A replayed update: the source's gradient, printed to its decimals, applied to the parameter.
      const value = replay ? trace.params[i].value - model.lr * trace.tape.carry('', trace.params[i].grad) : model.step.after[i];
      return { ref, value, label: `${name}⁺${suffix}` };
    }
    case 'partial': {
      const of = nodeIn(trace, rest[0].value, parsed, token, rest[0], 'a node');
      const wrt = nodeIn(trace, name, parsed, token, rest[1], 'a node');
      ref.of = of.name;
      try {
        return { ref, value: explainGradient(trace.tape, of, wrt).value, label: `∂${of.name}/∂${wrt.name}${suffix}` };
      } catch (e) {
        if (e instanceof ChainError) throw errorAt(parsed, token, rest[0], e.message);
        throw e;
      }
    }
  }
}

function evaluateValue(token: ValueToken & LessonToken, ctx: Context): { value: number; decimals: number } {
  const opts = options(token, ['in', 'decimals', 'replay'], ctx.parsed);
  const { value } = resolveRef(opts.positional, opts, ctx, token);
  return { value, decimals: decimalsOpt(opts, ctx.parsed, token) };
}

function evaluateDirective(token: DirectiveToken & LessonToken, ctx: Context): DirectiveData {
  const { parsed, models } = ctx;
  const spec = DIRECTIVES[token.name];
  if (!spec) throw errorAt(parsed, token, undefined, `unknown directive ::${token.name}; expected one of ${Object.keys(DIRECTIVES).map((d) => `::${d}`).join(', ')}`);
  const opts = options(token, spec.keys, parsed);
  if (token.name !== 'check' && opts.positional.length > (spec.positional ? 1 : 0)) {
    throw errorAt(parsed, token, opts.positional[spec.positional ? 1 : 0], spec.positional ? `expected one argument: ${spec.positional}` : `::${token.name} takes no positional argument`);
  }
  if (spec.positional && token.name !== 'check' && opts.positional.length === 0) throw errorAt(parsed, token, undefined, `::${token.name} expects ${spec.positional}`);
  const model = modelOf(opts, models, parsed, token);
  const decimals = decimalsOpt(opts, parsed, token);
  const first = opts.positional[0];
  switch (token.name) {
    case 'forward': {
      const trace = opts.keyed.has('after') ? model.after : model.trace;
      const node = nodeIn(trace, first.value, parsed, token, first, 'a node to compute');
      if (node.op === 'input' || node.op === 'param') throw errorAt(parsed, token, first, `${node.name} is given, not computed: ::forward shows how a computed node (a weighted sum, an activation or a loss) follows from others`);
      return { kind: 'forward', node, decimals, model };
    }
    case 'derive': {
      const i = paramIndex(model, first.value, parsed, token, first);
      // A sequential model's step passes errors back through updated weights: show that chain.
      const trace = model.net.config.update === 'sequential' ? model.step.trace : model.trace;
      return { kind: 'derive', chain: explainGradient(trace.tape, trace.loss, trace.params[i]), decimals, model };
    }
    case 'update': {
      const index = paramIndex(model, first.value, parsed, token, first);
      return { kind: 'update', param: model.trace.params[index], index, decimals, model };
    }
    case 'gradients':
      return { kind: 'gradients', decimals, model };
    case 'surface': {
      const names = first.value.split(',');
      if (names.length !== 2) throw errorAt(parsed, token, first, `expected two parameters separated by a comma, like w5,w6, got ${first.value}`);
      const ix = names.map((n) => paramIndex(model, n, parsed, token, first));
      const rangeArg = opts.keyed.get('range');
      const range = rangeArg ? Number(rangeArg.value) : 1;
      if (!(range > 0)) throw errorAt(parsed, token, rangeArg, `expected range to be a positive number, got ${rangeArg?.value}`);
      return { kind: 'surface', surface: lossSurface(model, ix as [number, number], range, ctx) };
    }
    case 'chains': {
      const trace = model.net.config.update === 'sequential' ? model.step.trace : model.trace;
      return { kind: 'chains', chains: trace.params.map((p) => explainGradient(trace.tape, trace.loss, p)), decimals, model };
    }
    case 'after':
      return { kind: 'after', decimals, model };
    case 'network':
      return { kind: 'network', decimals, model, updated: opts.keyed.has('after') };
    case 'graph': {
      const h = opts.keyed.get('highlight');
      const highlight = h ? model.trace.params[paramIndex(model, h.value, parsed, token, h)] : undefined;
      return { kind: 'graph', highlight, decimals, model };
    }
    case 'glossary':
      return { kind: 'glossary', names: parsed.meta.names, model };
    case 'agreement':
      return { kind: 'agreement', model };
    case 'check':
      return { kind: 'check', check: evaluateCheck(token, opts, ctx) };
    case 'train': {
      const run = train(first.value, model, undefined, opts, ctx, token);
      return { kind: 'train', run, dataset: datasetOf(ctx, token), decimals };
    }
    case 'sweep': {
      const h = opts.keyed.get('hidden');
      if (!h) throw errorAt(parsed, token, undefined, '::sweep needs hidden=1,2,4: the hidden-layer sizes to train');
      if (model.net.sizes.length !== 3) throw errorAt(parsed, token, h, `a sweep varies the one hidden layer; this model has ${model.net.sizes.length - 2}`);
      const sizes = h.value.split(',').map((v) => Number(v));
      if (sizes.some((v) => !Number.isInteger(v) || v < 1)) throw errorAt(parsed, token, h, `expected hidden sizes like 1,2,4, got ${h.value}`);
      const runs = sizes.map((size) => train(`${first.value}-${size}`, model, size, opts, ctx, token));
      ctx.sweeps.set(first.value, runs);
      return { kind: 'boundary', runs: runs.map((r) => withGrid(r, ctx, token)), dataset: datasetOf(ctx, token), decimals };
    }
    case 'boundary': {
      const runs = first.value.split(',').flatMap((id) => ctx.sweeps.get(id) ?? [runOf({ ...first, value: id }, ctx, token)]);
      return { kind: 'boundary', runs: runs.map((r) => withGrid(r, ctx, token)), dataset: datasetOf(ctx, token), decimals };
    }
    case 'data': {
      const dataset = datasetOf(ctx, token);
      if (dataset.inputs !== 2) throw errorAt(parsed, token, undefined, `::data plots points in the plane: it needs 2 inputs, and this data set has ${dataset.inputs}`);
      return { kind: 'boundary', runs: [], dataset, decimals };
    }
    case 'function': {
      const rule = (ELEMENTWISE as Record<string, (typeof ELEMENTWISE)[keyof typeof ELEMENTWISE] | undefined>)[first.value];
      if (!rule) throw errorAt(parsed, token, first, `expected one of ${Object.keys(ELEMENTWISE).join(', ')}, got ${first.value}`);
      const bound = (key: string, fallback: number) => {
        const a = opts.keyed.get(key);
        const v = a ? Number(a.value) : fallback;
        if (!Number.isFinite(v)) throw errorAt(parsed, token, a, `expected ${key} to be a number, got ${a?.value}`);
        return v;
      };
      const lo = bound('from', -6), hi = bound('to', 6);
      if (!(hi > lo)) throw errorAt(parsed, token, opts.keyed.get('to'), 'expected to > from');
      const x = Array.from({ length: 241 }, (_, i) => lo + ((hi - lo) * i) / 240);
      const f = x.map((z) => rule.value(z));
      return {
        kind: 'curve',
        series: [
          { label: `${rule.name}(z)`, x, y: f },
          { label: `its derivative`, x, y: f.map((a, i) => rule.derivFromOutput(a, x[i])) },
        ],
        xLabel: 'z',
        yLabel: `${rule.name}(z) and its derivative`,
        log: false,
      };
    }
    case 'compute': {
      const e = opts.keyed.get('expr');
      if (!e) throw errorAt(parsed, token, undefined, '::compute needs expr="…": a mathjs expression over the lesson\'s names');
      const replayed = opts.keyed.has('replay') ? replayModel(models) : undefined;
      const value = explainValue(e.value, replayed?.replay ?? model.trace, model.lr, parsed, token, e);
      ctx.computed.push(value);
      return { kind: 'compute', label: opts.keyed.get('label')?.value ?? '', expr: e.value, value, decimals };
    }
    case 'curve': {
      const y = opts.keyed.get('y')?.value ?? 'loss';
      if (y !== 'loss' && !/^output\d*$/.test(y)) throw errorAt(parsed, token, opts.keyed.get('y'), `expected y=loss or y=output (y=output1 for the second output), got ${y}`);
      const k = y === 'loss' ? -1 : Number(y.slice(6) || 0);
      const outputs = model.net.sizes[model.net.sizes.length - 1];
      if (k >= outputs) throw errorAt(parsed, token, opts.keyed.get('y'), `y=output${k} names output ${k} (counting from 0), but the model has ${outputs}`);
      const series = first.value.split(',').flatMap((id) => {
        const runs = ctx.sweeps.get(id) ?? [runOf({ ...first, value: id }, ctx, token)];
        return runs.map((run) => {
          const r = run.result;
          // Full-batch runs record outputs before each chunk; SGD runs after each epoch.
          const ys = k < 0 ? r.loss : r.tracked.map((o) => o[k] ?? NaN);
          return { label: run.id, x: r.at, y: ys };
        });
      });
      const run0 = ctx.runs.get(first.value.split(',')[0]) ?? ctx.sweeps.get(first.value.split(',')[0])![0];
      const xLabel = run0.spec.mode === 'sgd' ? 'epoch' : 'iteration';
      const yLabel = k < 0 ? (run0.spec.mode === 'sgd' ? 'loss summed over the epoch' : 'loss') : `output ${k === 0 ? '' : k} for the first sample`.replace('  ', ' ');
      return { kind: 'curve', series, xLabel, yLabel, log: opts.keyed.has('log') };
    }
  }
  throw errorAt(parsed, token, undefined, `unknown directive ::${token.name}`);
}

function lossSurface(model: EvaluatedModel, ix: [number, number], range: number, ctx: Context): LossSurface {
  const cols = 60, rows = 60;
  const probe = model.net.clone();
  const start = model.step.before;
  const data = ctx.dataset!;
  const traced = ctx.parsed.meta.data ?? [firstSample(data)];
  const X = Float64Array.from(traced.flatMap((s) => s.x)), T = Float64Array.from(traced.flatMap((s) => s.t));
  const trainer = new Trainer(probe, traced.length);
  const [a, b] = ix.map((i) => start[i]);
  const x0 = a - range, x1 = a + range, y0 = b - range, y1 = b + range;
  const loss = new Float64Array(cols * rows);
  const pa = probe.params[ix[0]], pb = probe.params[ix[1]];
  for (let r = 0; r < rows; r++) {
    probe.set(pb, y0 + ((r + 0.5) / rows) * (y1 - y0));
    for (let c = 0; c < cols; c++) {
      probe.set(pa, x0 + ((c + 0.5) / cols) * (x1 - x0));
      loss[r * cols + c] = trainer.loss(X, T, 0, traced.length);
    }
  }
  return {
    names: [pa.name, pb.name], texs: [pa.tex, pb.tex], x0, x1, y0, y1, cols, rows, loss,
    before: [a, b], after: [model.step.after[ix[0]], model.step.after[ix[1]]],
  };
}

function datasetOf(ctx: Context, token: LessonToken): LessonDataset {
  if (!ctx.dataset) throw errorAt(ctx.parsed, token, undefined, 'no data to train on');
  return ctx.dataset;
}

function positiveNumber(opts: Options, key: string, ctx: Context, token: LessonToken, whole: boolean): number | undefined {
  const a = opts.keyed.get(key);
  if (!a) return undefined;
  const v = Number(a.value);
  if (!(v > 0) || (whole && !Number.isInteger(v))) throw errorAt(ctx.parsed, token, a, `expected ${key} to be a positive ${whole ? 'whole number' : 'number'}, got ${a.value}`);
  return v;
}

/** One training run (`::train`, or one size of a `::sweep`), from the model's starting parameters. */
function train(id: string, model: EvaluatedModel, hidden: number | undefined, opts: Options, ctx: Context, token: LessonToken): Run {
  const { parsed } = ctx;
  if (ctx.runs.has(id)) throw errorAt(parsed, token, opts.positional[0], `a run called ${id} exists already`);
  const dataset = datasetOf(ctx, token);
  const iterations = positiveNumber(opts, 'iterations', ctx, token, true);
  const epochs = positiveNumber(opts, 'epochs', ctx, token, true);
  if ((iterations === undefined) === (epochs === undefined)) throw errorAt(parsed, token, undefined, 'expected either iterations=N (full-batch descent) or epochs=N (per-sample SGD)');
  const steps = (iterations ?? epochs)!;
  const lossArg = opts.keyed.get('loss');
  if (lossArg && lossArg.value !== 'after_step' && lossArg.value !== 'before_step') throw errorAt(parsed, token, lossArg, `expected loss=after_step or loss=before_step, got ${lossArg.value}`);
  const spec: TrainSpec = {
    mode: iterations !== undefined ? 'full_batch' : 'sgd',
    steps,
    lr: positiveNumber(opts, 'lr', ctx, token, false) ?? model.lr,
    every: positiveNumber(opts, 'every', ctx, token, true) ?? Math.max(1, Math.ceil(steps / 400)),
    epochLoss: lossArg?.value as TrainSpec['epochLoss'],
  };
  let start = model.net;
  if (hidden !== undefined) {
    // The same model with another hidden size, drawn afresh by its initialiser.
    const spec2 = { ...model.net.config, sizes: [start.sizes[0], hidden, start.sizes[2]] };
    if (!spec2.init) throw errorAt(parsed, token, opts.keyed.get('hidden'), 'a sweep draws each size\'s weights afresh: the model needs init');
    start = Network.fromSpec({ layers: spec2.sizes, activation: spec2.activations, loss: spec2.loss, reduction: spec2.reduction, l2: spec2.l2, bias: spec2.bias, naming: spec2.naming, update: spec2.update, init: spec2.init });
  }
  let trained: ReturnType<typeof trainRun>;
  try {
    trained = trainRun(`${parsed.slug}: ${id}`, start, dataset, spec, ctx.effects);
  } catch (e) {
    if (e instanceof DivergenceError) throw errorAt(parsed, token, opts.keyed.get('lr') ?? opts.positional[0], `${id}: ${e.message}`);
    throw e;
  }
  const { net, result } = trained;
  const run: Run = { id, model, hidden, spec, result, trained: net };
  ctx.runs.set(id, run);
  return run;
}

function withGrid(run: Run, ctx: Context, token: LessonToken): Run {
  if (run.trained.sizes[0] !== 2) throw errorAt(ctx.parsed, token, undefined, `a decision boundary needs 2 inputs; ${run.id} has ${run.trained.sizes[0]}`);
  run.grid ??= decisionGrid(run.trained, ctx.dataset!.X, ctx.dataset!.n);
  return run;
}

function evaluateCheck(token: DirectiveToken & LessonToken, opts: Options, ctx: Context): CheckResult {
  const { parsed, models } = ctx;
  const quotedArg = opts.keyed.get('quoted');
  if (!quotedArg) throw errorAt(parsed, token, undefined, '::check needs quoted=NUMBER: the figure as the source prints it');
  if (!/^[+-]?\d+(\.\d+)?$/.test(quotedArg.value)) throw errorAt(parsed, token, quotedArg, `expected quoted to be a decimal number as the source prints it, got ${quotedArg.value}`);
  const { ref, value, label } = resolveRef(opts.positional, opts, ctx, token);
  const quoted = Number(quotedArg.value);
  const decimals = decimalsOf(quotedArg.value);
  const agrees = matchesQuoted(value, quotedArg.value);
  const erratum = opts.keyed.get('erratum')?.value;
  let explain: CheckResult['explain'];
  const explainArg = opts.keyed.get('explain');
  if (explainArg) {
    const model = modelOf(opts, models, parsed, token);
    let v: number;
    if (explainArg.value === 'replay') {
      if (!replayModel(models)) throw errorAt(parsed, token, explainArg, 'explain=replay needs carry: { decimals, values } in the front matter');
      const replayed = resolveRef(opts.positional, { ...opts, keyed: new Map([...opts.keyed, ['replay', explainArg]]) }, ctx, token);
      v = replayed.value;
    } else {
      const replayed = opts.keyed.has('replay') ? replayModel(models) : undefined;
      v = explainValue(explainArg.value, replayed?.replay ?? model.trace, model.lr, parsed, token, explainArg);
    }
    explain = { text: explainArg.value, value: v, reproduces: matchesQuoted(v, quotedArg.value, 2) };
  }
  let verdict: CheckVerdict;
  if (agrees) verdict = erratum ? 'erratum-not-seen' : 'agrees';
  else if (!erratum) verdict = 'mismatch';
  else verdict = explain && !explain.reproduces ? 'explanation-fails' : 'erratum';
  return { at: token.at, quantity: label, ref, computed: value, quoted, quotedText: quotedArg.value, decimals, erratum, explain, verdict, ok: verdict === 'agrees' || verdict === 'erratum' };
}

/**
 * A mathjs expression over the lesson's node names (and grad_NAME for ∂E/∂NAME): what the
 * source must have computed instead, evaluated on the trace (or its replay).
 */
function explainValue(expr: string, trace: NetworkTrace, lr: number, parsed: ParsedLesson, token: LessonToken, arg: Arg): number {
  const what = arg.key ?? 'expr';
  const scope = new Map<string, unknown>();
  for (const n of trace.tape.nodes) {
    if (!/^[A-Za-z_]\w*$/.test(n.name)) continue;
    scope.set(n.name, n.value);
    scope.set(`grad_${n.name}`, n.grad);
  }
  scope.set('sigmoid', sigmoid);
  scope.set('lr', lr);
  let v: unknown;
  try {
    v = evaluateExpression(expr, scope);
  } catch (e) {
    throw errorAt(parsed, token, arg, `${what}: ${(e as Error).message} in "${expr}" (names are the lesson's nodes, grad_NAME, sigmoid and lr)`);
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw errorAt(parsed, token, arg, `${what}: expected "${expr}" to give a finite number`);
  return v;
}

/** Decimals with four or more digits in the prose must be numbers the lesson computes or quotes. */
function numberLint(parsed: ParsedLesson, models: Map<string, EvaluatedModel>, checks: CheckResult[], runs: Map<string, Run>, computed: number[]): LintIssue[] {
  const known: number[] = [...computed];
  // What a run can print: its recorded losses, final loss, accuracy and final outputs.
  for (const r of runs.values()) known.push(...r.result.loss, r.result.finalLoss, r.result.accuracy ?? NaN, ...(r.result.tracked.at(-1) ?? []));
  for (const m of models.values()) {
    for (const t of [m.trace, m.after, m.replay]) {
      if (!t) continue;
      for (const n of t.tape.nodes) {
        known.push(n.value, n.grad);
        for (const f of n.inputs) known.push(f.value);
      }
    }
    known.push(...m.step.after, ...m.step.applied);
  }
  for (const c of checks) known.push(c.quoted, c.explain?.value ?? NaN);
  const issues: LintIssue[] = [];
  const lines = parsed.body.split('\n');
  let fenced = false;
  lines.forEach((line, i) => {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced || /^::/.test(line)) return;
    const prose = line.replace(/\{\{[^}]*\}\}/g, (m) => ' '.repeat(m.length));
    for (const m of prose.matchAll(/(?<![\w.])[+-]?\d+\.(\d{4,})(?!\d|\.\d)/g)) {
      const text = m[0];
      if (!known.some((k) => matchesQuoted(k, text) || matchesQuoted(-k, text))) {
        issues.push({ at: { line: parsed.bodyLine + i, col: (m.index ?? 0) + 1 }, text });
      }
    }
  });
  return issues;
}
