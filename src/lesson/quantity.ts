// `[kind] name`, the quantities directives and {{…}} name: a node's value, a gradient, an
// update, a value after the step, a partial derivative, or what a training run ended with.
import { explainGradient, ChainError } from '../chain.ts';
import type { NetworkTrace } from '../trace.ts';
import type { Node } from '../tape.ts';
import type { DirectiveCall, LessonContext } from './directive.ts';
import { replayModel, type EvaluatedModel } from './models.ts';
import { spreadOf, type Spread } from './stability.ts';
import type { Run, TrainResult } from './train-run.ts';
import type { Arg } from './syntax.ts';

export type QuantityKind = 'value' | 'grad' | 'applied' | 'new' | 'after' | 'partial' | 'loss' | 'accuracy' | 'output' | 'diverged';
const KINDS: QuantityKind[] = ['value', 'grad', 'applied', 'new', 'after', 'partial', 'loss', 'accuracy', 'output', 'diverged'];
/** The kinds of a training run's quantities; the others but value are followed by names of the step's nodes. */
const RUN_KINDS: readonly QuantityKind[] = ['loss', 'accuracy', 'output', 'diverged'] satisfies RunKind[];
const isRunKind = (k: QuantityKind): k is RunKind => RUN_KINDS.includes(k);
const NAMED_KINDS: readonly string[] = KINDS.filter((k) => k !== 'value' && !isRunKind(k));
type RunKind = 'loss' | 'accuracy' | 'output' | 'diverged';
const ORDINAL = ['the first', 'the second', 'the third', 'the fourth'];

/** Which quantity, of which model (or run), read from the trace or from its replay. */
export interface Ref {
  kind: QuantityKind;
  name: string;
  /** for partial: the node differentiated */
  of?: string;
  model: string;
  replay: boolean;
}

export interface Quantity {
  ref: Ref;
  value: number;
  /** how the page names it */
  label: string;
  /** the same name as LaTeX, where the quantity is a node of the traced step */
  tex?: string;
  /** for a run's quantity: how far it moves when the run is perturbed */
  spread?: Spread;
}

/** The quantity a call's positional arguments name; `replay` reads the carried replay whatever the call says. */
export function resolveQuantity(call: DirectiveCall, lesson: LessonContext, replay = call.keyed.has('replay')): Quantity {
  const { positional } = call;
  if (positional.length === 0) throw call.error(undefined, 'expected a quantity: a node name (out_h1), or grad, new, after, partial, loss, accuracy or output followed by names');
  let kind: QuantityKind = 'value';
  let rest = positional;
  if ((KINDS as string[]).includes(positional[0].value) && positional.length > 1) {
    kind = positional[0].value as QuantityKind;
    rest = positional.slice(1);
  } else if (positional.length === 1 && NAMED_KINDS.includes(positional[0].value) && !call.model.trace.tape.nodes.some((n) => n.name === positional[0].value)) {
    throw call.error(positional[0], positional[0].value === 'partial' ? 'expected partial OF WRT, like partial E_o2 out_h1' : `expected a name after ${positional[0].value}, like ${positional[0].value} ${call.model.trace.params[0]?.name ?? 'w1'}`);
  } else if (positional.length > 1) {
    // `out_o1 replayy`: a node name and a stray word; `aftr E_total`: a misspelt kind.
    if (call.model.trace.tape.nodes.some((n) => n.name === positional[0].value)) throw call.error(positional[1], `unexpected ${positional[1].value} after the quantity ${positional[0].value}; options are key=value${call.flags.length ? ` or the words ${call.flags.join(', ')}` : ''}`);
    throw call.error(positional[0], `unknown quantity ${positional[0].value}; expected a node name, or one of ${KINDS.filter((k) => k !== 'value').join(', ')} followed by names`);
  }
  if (isRunKind(kind)) return runQuantity(kind, rest, call, lesson);
  // A replay reads the model the lesson's carry names, whatever in= says.
  const model = replay ? replayModel(lesson.models) : call.model;
  if (!model) throw call.error(call.keyed.get('replay') ?? call.keyed.get('explain'), 'replay needs carry: { decimals, values } in the front matter');
  const trace = replay ? model.replay! : model.trace;
  const need = kind === 'partial' ? 2 : 1;
  if (rest.length !== need) throw call.error(rest[need] ?? rest[0], kind === 'partial' ? 'expected partial OF WRT, like partial E_o2 out_h1' : `expected one name after ${kind}`);
  const name = rest[need - 1].value;
  const ref: Ref = { kind, name, model: model.name, replay };
  const suffix = model.name === 'main' ? '' : ` (${model.name})`;
  switch (kind) {
    case 'value':
      if (name === 'lr' && !trace.tape.nodes.some((n) => n.name === 'lr')) return { ref, value: model.lr, label: 'the learning rate' };
    {
      const node = nodeNamed(trace, name, call, rest[0], 'a node');
      return { ref, value: node.value, label: name + suffix, tex: node.tex };
    }
    case 'after':
    {
      const node = nodeNamed(model.after, name, call, rest[0], 'a node');
      return { ref, value: node.value, label: `${name} after the update${suffix}`, tex: `${node.tex}^{+}` };
    }
    case 'grad':
    {
      const node = nodeNamed(trace, name, call, rest[0], 'a node or parameter');
      return { ref, value: node.grad, label: `∂${trace.loss.name}/∂${name}${suffix}`, tex: `\\frac{\\partial ${trace.loss.tex}}{\\partial ${node.tex}}` };
    }
    case 'applied': {
      const i = paramIndex(model, name, call, rest[0]);
      return { ref, value: model.step.applied[i], label: `the step's gradient for ${name}${suffix}` };
    }
    case 'new': {
      const i = paramIndex(model, name, call, rest[0]);
      // A replayed update: the source's gradient, printed to its decimals, applied to the parameter.
      if (replay && model.net.config.update === 'sequential') throw call.error(rest[0], 'a replay steps simultaneously: replay new is not defined for update: sequential');
      const value = !replay ? model.step.after[i] : model.net.moves[i] ? trace.params[i].value - model.lr * trace.tape.carry('', trace.params[i].grad) : trace.params[i].value;
      return { ref, value, label: `${name}⁺${suffix}`, tex: `${trace.params[i].tex}^{+}` };
    }
    case 'partial': {
      const of = nodeNamed(trace, rest[0].value, call, rest[0], 'a node');
      const wrt = nodeNamed(trace, name, call, rest[1], 'a node');
      ref.of = of.name;
      try {
        const chain = explainGradient(trace.tape, of, wrt);
        // A replay writes each partial product down shortened, as its backward pass does.
        const value = replay ? chain.paths.reduce((sum, p) => trace.tape.carry('', sum + p.factors.reduce((v, f) => trace.tape.carry('', v * f.value), 1)), 0) : chain.value;
        return { ref, value, label: `∂${of.name}/∂${wrt.name}${suffix}`, tex: `\\frac{\\partial ${of.tex}}{\\partial ${wrt.tex}}` };
      } catch (e) {
        if (e instanceof ChainError) throw call.error(rest[0], e.message);
        throw e;
      }
    }
  }
}

/** `loss RUN [STEP]`, `accuracy RUN`, `output RUN [K]`, `diverged RUN`: what a training run ended with (or passed through, or where it turned NaN). */
function runQuantity(kind: RunKind, rest: Arg[], call: DirectiveCall, lesson: LessonContext): Quantity {
  const run = runNamed(rest[0], call, lesson);
  const ref: Ref = { kind, name: run.id, model: run.model.name, replay: false };
  const index = (arg: Arg | undefined, what: string, max: number): number | undefined => {
    if (!arg) return undefined;
    const i = Number(arg.value);
    if (!Number.isInteger(i) || i < 0 || i > max) throw call.error(arg, `expected ${what} from 0 to ${max}, got ${arg.value}`);
    return i;
  };
  if (rest.length > 2 || (kind === 'diverged' && rest[1])) throw call.error(rest[kind === 'diverged' ? 1 : 2], `expected ${kind} RUN${kind === 'accuracy' || kind === 'diverged' ? '' : kind === 'loss' ? ' [STEP]' : ' [OUTPUT]'}`);
  const r = run.result;
  const of = (label: string, pick: (r: TrainResult) => number): Quantity => ({ ref, value: pick(r), label, spread: spreadOf(run, lesson, pick) });
  if (kind === 'diverged') {
    if (!r.diverged) throw call.error(rest[0], `${run.id} did not diverge: declare it with ::train … diverges to train it until it does`);
    // A rerun that trains through counts as never turning NaN.
    return of(`the iteration ${run.id} diverged at`, (x) => x.diverged?.iteration ?? Infinity);
  }
  if (r.diverged && !(kind === 'loss' && rest[1])) throw call.error(rest[0], `${run.id} diverged at iteration ${r.diverged.iteration}: it has no ${kind === 'loss' ? 'final loss' : kind === 'accuracy' ? 'accuracy' : 'final output'}`);
  if (kind === 'accuracy') {
    if (rest[1]) throw call.error(rest[1], 'expected accuracy RUN');
    if (r.accuracy === null) throw call.error(rest[0], `${run.id} trains on samples without classes: it has no accuracy`);
    return of(`accuracy of ${run.id}`, (x) => x.accuracy!);
  }
  if (kind === 'output') {
    const K = run.trained.sizes[run.trained.sizes.length - 1];
    const k = index(rest[1], 'an output index', K - 1) ?? 0;
    return of(`${ORDINAL[k] ?? `output ${k + 1}`}${ORDINAL[k] ? ' output' : ''} of ${run.id} after training`, (x) => x.tracked[x.tracked.length - 1][k]);
  }
  const step = index(rest[1], 'a step', run.spec.steps);
  if (step === undefined) return of(`final loss of ${run.id}`, (x) => x.finalLoss);
  const i = r.at.indexOf(step);
  if (i < 0) throw call.error(rest[1], `${run.id} recorded its loss at steps ${r.at.slice(0, 6).join(', ')}…: choose one of those, or set every=`);
  return of(`loss of ${run.id} at step ${step}`, (x) => x.loss[i]);
}

/** The run (not a sweep) an argument names. */
export function runNamed(arg: Arg, call: DirectiveCall, lesson: LessonContext, id = arg.value): Run {
  const run = lesson.runs.get(id);
  if (!run) throw call.error(arg, `no run is called ${id} (yet): ${lesson.runs.size ? `the runs so far are ${[...lesson.runs.keys()].join(', ')}` : 'a ::train or ::sweep must come first'}`);
  return run;
}

/** The runs of a comma-separated list of runs and sweeps. */
export function runsNamed(arg: Arg, call: DirectiveCall, lesson: LessonContext): Run[] {
  if (arg.value.split(',').some((id) => !id)) throw call.error(arg, `expected run names separated by commas, like lr001,lr05, got ${arg.value}`);
  return arg.value.split(',').flatMap((id) => lesson.sweeps.get(id) ?? [runNamed(arg, call, lesson, id)]);
}

export function nodeNamed(trace: NetworkTrace, name: string, call: DirectiveCall, arg: Arg | undefined, what: string): Node {
  const node = trace.tape.nodes.find((n) => n.name === name);
  if (!node) {
    const names = trace.tape.nodes.filter((n) => !n.name.endsWith('+')).map((n) => n.name);
    throw call.error(arg, `expected ${what}; no node is called ${name}. The names are ${names.join(', ')}`);
  }
  return node;
}

export function paramIndex(model: EvaluatedModel, name: string, call: DirectiveCall, arg: Arg | undefined): number {
  const i = model.net.params.findIndex((p) => p.name === name);
  if (i < 0) throw call.error(arg, `expected a parameter; the parameters are ${model.net.params.map((p) => p.name).join(', ')}, not ${name || 'nothing'}`);
  return i;
}
