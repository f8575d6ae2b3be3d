// Training runs of a lesson: full-batch descent or per-sample SGD on the vectorised trainer,
// with the loss recorded along the way, the first sample's outputs tracked, and the result
// cached by content (the cache itself is the caller's: the engine only names the key).
import { Network } from '../network.ts';
import { DivergenceError, Trainer } from '../trainer.ts';
import { predictedClass, type DecisionGrid } from './boundary.ts';
import type { LessonDataset } from './dataset.ts';
import type { EvaluatedModel } from './models.ts';

/** A training run of the lesson: a model, its data set, what it ended as. */
export interface Run {
  id: string;
  model: EvaluatedModel;
  /** the hidden size, for a run of a sweep */
  hidden?: number;
  /** the network it started from */
  start: Network;
  spec: TrainSpec;
  result: TrainResult;
  trained: Network;
  grid?: DecisionGrid;
  /** what training it costs, in multiply-adds (steps × samples × about 50 operations more than its parameters) */
  cost: number;
  /** the same run perturbed in ways that leave its mathematics alone (stability.ts), once a quantity of it is printed */
  perturbed?: TrainResult[];
}

export interface TrainSpec {
  mode: 'full_batch' | 'sgd';
  /** iterations (full batch) or epochs (SGD) */
  steps: number;
  lr: number;
  /** record the loss (and the tracked outputs) every this many steps, and at the last */
  every: number;
  /** SGD: the epoch's loss as the sum of each sample's loss just after its update (seed 004) */
  epochLoss?: 'after_step' | 'before_step';
  /** a perturbed rerun: every starting parameter moved by one ulp up (1) or down (-1) */
  nudge?: 1 | -1;
  /** the lesson says this run turns NaN: a divergence ends it and is its result, not an error */
  diverges?: boolean;
}

export interface TrainResult {
  /** steps at which the loss was recorded */
  at: number[];
  loss: number[];
  /** outputs for the first sample at the recorded steps */
  tracked: number[][];
  /** where a run declared to diverge did: the step its NaN appeared at (the recorded history stops there) */
  diverged?: { iteration: number; message: string };
  /** the loss with the final parameters (NaN for a run that diverged) */
  finalLoss: number;
  /** final parameters, in the network's params order */
  params: number[];
  /** share of samples whose largest output (or output > 0.5) is their class; null without classes */
  accuracy: number | null;
}

export interface Cache {
  get(key: string): TrainResult | undefined;
  set(key: string, value: TrainResult): void;
}

export type Progress = (label: string, done: number, total: number) => void;

export interface TrainEffects {
  cache?: Cache;
  progress?: Progress;
}

export function trainRun(label: string, start: Network, data: LessonDataset, spec: TrainSpec, effects: TrainEffects): { net: Network; result: TrainResult } {
  // The caller keeps one cache per version of the arithmetic (the CLI hashes the trainer's source).
  const key = JSON.stringify({ config: start.config, params: Array.from(start.flat()), data: [data.spec, Array.from(data.X), Array.from(data.T)], spec });
  const net = start.clone();
  const cached = effects.cache?.get(key);
  if (cached) {
    net.setFlat(cached.params);
    return { net, result: cached };
  }
  if (spec.nudge) net.setFlat(net.flat().map((v) => nextDouble(v, spec.nudge!)));
  const trainer = new Trainer(net, spec.mode === 'sgd' ? 1 : data.n);
  const full = new Trainer(net, data.n);
  const K = net.sizes[net.sizes.length - 1];
  const outputs = () => Array.from(full.forward(data.X, 0, 1).subarray(0, K));
  const at: number[] = [], loss: number[] = [], tracked: number[][] = [];
  // Full batch: loss[i] is measured with the weights after at[i] iterations, from 0 to the end.
  // SGD: loss[i] is epoch at[i]'s sum of sample losses, as the tutorials print it.
  for (let done = 0; done < spec.steps; ) {
    const chunk = Math.min(spec.every, spec.steps - done);
    try {
      if (spec.mode === 'full_batch') {
        at.push(done);
        tracked.push(outputs());
        const history = trainer.trainFullBatch(data.X, data.T, data.n, { iterations: chunk, lr: spec.lr, lossEvery: chunk });
        loss.push(history.loss[0]);
      } else {
        const history = trainer.trainSGD(data.X, data.T, data.n, { epochs: chunk, lr: spec.lr, epochLoss: spec.epochLoss });
        at.push(done + chunk);
        loss.push(history.loss[chunk - 1]);
        tracked.push(outputs());
      }
    } catch (e) {
      if (!(e instanceof DivergenceError)) throw e;
      // The trainer counts from the start of this chunk; the run counts from its first step.
      const error = new DivergenceError(done * (spec.mode === 'sgd' ? data.n : 1) + e.iteration, e.layer, e.quantity);
      if (!spec.diverges) throw error;
      if (spec.mode === 'full_batch') at.pop(), tracked.pop();
      const result: TrainResult = { at, loss, tracked, diverged: { iteration: error.iteration, message: error.message }, finalLoss: NaN, params: Array.from(net.flat()), accuracy: null };
      effects.progress?.(label, spec.steps, spec.steps);
      effects.cache?.set(key, result);
      return { net, result };
    }
    done += chunk;
    effects.progress?.(label, done, spec.steps);
  }
  // A perturbed rerun may train through where the run itself turned NaN: that is its result.
  if (spec.diverges && !spec.nudge) throw new RangeError(`declared to diverge, it trained all ${spec.steps} ${spec.mode === 'sgd' ? 'epochs' : 'iterations'} without a NaN`);
  if (spec.mode === 'full_batch') {
    at.push(spec.steps);
    loss.push(full.loss(data.X, data.T, 0, data.n));
    tracked.push(outputs());
  }
  const finalLoss = full.loss(data.X, data.T, 0, data.n);
  const predictions = full.predict(data.X, data.n);
  let right = 0;
  for (let i = 0; i < data.n; i++) {
    if (predictedClass(predictions, i, K) === data.labels[i]) right++;
  }
  const result: TrainResult = { at, loss, tracked, finalLoss, params: Array.from(net.flat()), accuracy: data.classes ? right / data.n : null };
  effects.cache?.set(key, result);
  return { net, result };
}

/**
 * The network a run starts from: the model's own, or for one size of a sweep the same model
 * with another hidden size, its weights drawn afresh by its initialiser (undefined: it has none).
 */
export function startingNetwork(net: Network, hidden?: number): Network | undefined {
  if (hidden === undefined) return net;
  const c = net.config;
  if (!c.init) return undefined;
  return Network.fromSpec({ layers: [net.sizes[0], hidden, net.sizes[2]], activation: c.activations, loss: c.loss, reduction: c.reduction, l2: c.l2, bias: c.bias, naming: c.naming, update: c.update, updates: c.updates, output_gradient: c.outputGradient, init: c.init });
}

/** The double next to x, up (1) or down (-1). */
export function nextDouble(x: number, direction: 1 | -1): number {
  if (x === 0) return direction * Number.MIN_VALUE;
  const bits = new BigInt64Array(Float64Array.of(x).buffer);
  bits[0] += (x > 0) === (direction > 0) ? 1n : -1n;
  return new Float64Array(bits.buffer)[0];
}
