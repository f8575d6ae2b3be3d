// The lesson's models, each built, traced on the step's samples, stepped once, and its
// gradients cross-checked: the vectorised trainer, central finite differences and, for small
// models, mathjs's symbolic derivative must give the tracer's numbers.
import { finiteDifferences, symbolicGradients, type Dataset } from '../gradcheck.ts';
import { Network } from '../network.ts';
import { SpecError, type ModelSpec } from '../spec.ts';
import { linkTrace, stepTraced, traceNetwork, type NetworkTrace, type TracedStep } from '../trace.ts';
import { Trainer } from '../trainer.ts';
import type { LessonDataset } from './dataset.ts';
import { LessonError } from './diagnostics.ts';
import type { LessonMeta, LessonSample, ParsedLesson } from './parse.ts';

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
  /** the quantity as LaTeX */
  tex: string;
  tracer: number;
  trainer: number;
  finiteDifference: number;
  symbolic?: number;
  ok: boolean;
}

/** The network a model spec describes; a mistake in it is located at its field (a variant's own field under variants.NAME). */
export function networkOf(parsed: ParsedLesson, name: string, spec: unknown): Network {
  try {
    return Network.fromSpec(spec, 'model');
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    const field = e.path.replace(/^model\.?/, '');
    const own = name !== 'main' && field && (parsed.meta.variants[name] as Record<string, unknown>)[field.split(/[.[]/)[0]] !== undefined;
    // A mistake the variant meets in what it inherits is the variant's: shown at its name.
    if (name === 'main' || own) throw new LessonError(parsed.fieldOffset(own ? `variants.${name}.${field}` : e.path, e.atKey ? 'key' : 'value'), e.expected);
    throw new LessonError(parsed.fieldOffset(`variants.${name}`, 'key'), `variant ${name}${field ? `, with the main model's ${field}` : ''}: ${e.expected}`);
  }
}

/** The main model and each variant, traced on the step's samples. */
export function evaluateModels(parsed: ParsedLesson, traced: LessonSample[]): Map<string, EvaluatedModel> {
  const { meta } = parsed;
  const models = new Map<string, EvaluatedModel>();
  const specs: [string, unknown][] = [['main', meta.model], ...Object.entries(meta.variants).map(([name, changes]): [string, unknown] => [name, { ...meta.model, ...changes } as ModelSpec])];
  for (const [name, spec] of specs) {
    const carry = meta.carry && (meta.carry.model ?? 'main') === name ? meta.carry : undefined;
    models.set(name, evaluateModel(parsed, name, networkOf(parsed, name, spec), traced, meta.lr, carry));
  }
  return models;
}

/** A traced step writes out every parameter's gradient and checks each by finite differences. */
const MAX_TRACED_PARAMS = 5000;

function evaluateModel(parsed: ParsedLesson, name: string, net: Network, data: LessonSample[], lr: number, carry: LessonMeta['carry']): EvaluatedModel {
  const { sizes } = net;
  if (net.params.length > MAX_TRACED_PARAMS) throw new LessonError(parsed.fieldOffset(name === 'main' ? 'model.layers' : `variants.${name}`, name === 'main' ? 'value' : 'key'), `${name === 'main' ? 'the model' : `variant ${name}`} has ${net.params.length} parameters; a lesson traces its step parameter by parameter, for at most ${MAX_TRACED_PARAMS} (train larger networks as a ::sweep of a small model)`);
  const K = sizes[sizes.length - 1];
  for (let i = 0; i < data.length; i++) {
    if (data[i].x.length !== sizes[0]) throw new LessonError(parsed.fieldOffset(`data[${i}].x`), `expected ${sizes[0]} inputs (the model's first layer), got ${data[i].x.length}`);
    if (data[i].t.length !== K) throw new LessonError(parsed.fieldOffset(`data[${i}].t`), `expected ${K} targets (the model's last layer), got ${data[i].t.length}`);
  }
  const { trace, step, after } = stepTraced(net, data, lr);
  linkTrace(trace, name);
  // A step that overflows has no numbers to show: say where, rather than print Infinity.
  const infinite = trace.tape.nodes.find((n) => !Number.isFinite(n.value) || !Number.isFinite(n.grad));
  if (infinite) throw new LessonError(parsed.fieldOffset(name === 'main' ? 'model' : `variants.${name}`, 'key'), `${name === 'main' ? 'the model' : `variant ${name}`}'s traced step is not finite: ${infinite.name} ${Number.isFinite(infinite.value) ? `has the gradient ${infinite.grad}` : `is ${infinite.value}`}; the numbers are too large`);
  let replay: NetworkTrace | undefined;
  if (carry) {
    for (const key of Object.keys(carry.values)) {
      if (!trace.tape.nodes.some((n) => n.name === key)) throw new LessonError(parsed.fieldOffset(`carry.values.${key}`, 'key'), `no node is called ${key}; the names are ${trace.tape.nodes.map((n) => n.name).join(', ')}`);
    }
    replay = traceNetwork(net, data, carry);
  }
  return { name, net, trace, step, after, replay, lr, agreement: agreement(net, trace, data) };
}

/** The same gradients three (or four) independent ways; `symbolic` false: without mathjs (the live page has none). */
export function agreement(net: Network, trace: NetworkTrace, data: LessonSample[], symbolic = true): AgreementRow[] {
  const dataset: Dataset = {
    X: Float64Array.from(data.flatMap((s) => s.x)),
    T: Float64Array.from(data.flatMap((s) => s.t)),
    n: data.length,
  };
  // The cross-check is of the mathematics: the trainer takes bce's gradient from the logits
  // here, whatever the model trains with (output_gradient: outputs is NaN at a saturated output).
  const checked = new Network({ ...net.config, outputGradient: 'logits' });
  checked.setFlat(net.flat());
  const trainer = new Trainer(checked, data.length);
  const trainerLoss = trainer.step(dataset.X, dataset.T, 0, dataset.n);
  const trainerGrads = trainer.flatGradients();
  const fd = finiteDifferences(net, dataset);
  const exact = symbolic && net.params.length <= 30 ? symbolicGradients(net, dataset) : undefined;
  const close = (a: number, b: number, rel: number, abs: number) => Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)) + abs;
  return [
    { quantity: trace.loss.name, tex: trace.loss.tex, tracer: trace.loss.value, trainer: trainerLoss, finiteDifference: NaN, ok: close(trace.loss.value, trainerLoss, 1e-12, 1e-15) },
    ...net.params.map((p, i) => {
      const t = trace.params[i].grad;
      // mathjs's expression of the loss overflows where a sigmoid saturates (log of 1 − 1): no symbolic value there.
      const sym = exact && Number.isFinite(exact[i]) ? exact[i] : undefined;
      const ok = close(t, trainerGrads[i], 1e-10, 1e-14) && close(t, fd[i], 1e-6, 1e-8) && (sym === undefined || close(t, sym, 1e-9, 1e-13));
      return { quantity: `∂${trace.loss.name}/∂${p.name}`, tex: `\\frac{\\partial ${trace.loss.tex}}{\\partial ${trace.params[i].tex}}`, tracer: t, trainer: trainerGrads[i], finiteDifference: fd[i], symbolic: sym, ok };
    }),
  ];
}

/** The first sample of a data set, as the traced step's sample when the lesson declares none. */
export function firstSample(d: LessonDataset): LessonSample {
  const K = d.T.length / d.n;
  return { x: Array.from(d.X.subarray(0, d.inputs)), t: Array.from(d.T.subarray(0, K)) };
}

/** The model whose arithmetic the lesson's carry replays. */
export function replayModel(models: Map<string, EvaluatedModel>): EvaluatedModel | undefined {
  return [...models.values()].find((m) => m.replay);
}
