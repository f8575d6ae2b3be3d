// A parsed lesson → an evaluated lesson: the model built and traced, one step taken, every
// gradient cross-checked (vectorised trainer, finite differences, and mathjs for small
// models), each directive and value resolved to the data its renderer needs, every quoted
// source figure checked, and the prose's long decimals matched against computed numbers.
import { evaluate as evaluateExpression } from 'mathjs';
import { explainGradient, ChainError, type Chain } from '../chain.ts';
import { finiteDifferences, symbolicGradients, type Dataset } from '../gradcheck.ts';
import { Network } from '../network.ts';
import { sigmoid } from '../numerics.ts';
import { SpecError, type ModelSpec } from '../spec.ts';
import { traceNetwork, tracedStep, type NetworkTrace, type TracedStep } from '../trace.ts';
import { Trainer } from '../trainer.ts';
import type { Node } from '../tracer.ts';
import { LessonError } from './errors.ts';
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

export type RefKind = 'value' | 'grad' | 'new' | 'after' | 'partial';

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
  | { kind: 'agreement'; model: EvaluatedModel };

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
}

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
};

export function evaluateLesson(parsed: ParsedLesson): EvaluatedLesson {
  const { meta, file } = parsed;
  const models = new Map<string, EvaluatedModel>();
  const build = (name: string, spec: unknown, at: string): EvaluatedModel => {
    let net: Network;
    try {
      net = Network.fromSpec(spec, 'model');
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
      // Paths are model.…; a variant's own fields live under variants.NAME.
      const field = e.path.replace(/^model\.?/, '');
      const own = name !== 'main' && field && (meta.variants[name] as Record<string, unknown>)[field.split(/[.[]/)[0]] !== undefined;
      const where = parsed.locate(own ? `${at}.${field}` : e.path);
      throw new LessonError(file, where.line, where.col, e.expected);
    }
    const replayed = meta.carry && (meta.carry.model ?? 'main') === name ? meta.carry : undefined;
    return evaluateModel(name, net, meta.data, meta.lr, replayed, parsed);
  };
  const main = build('main', meta.model, 'model');
  models.set('main', main);
  for (const [name, changes] of Object.entries(meta.variants)) {
    models.set(name, build(name, { ...meta.model, ...changes } as ModelSpec, `variants.${name}`));
  }

  const directives = new Map<DirectiveToken, DirectiveData>();
  const values = new Map<ValueToken, { value: number; decimals: number }>();
  const checks: CheckResult[] = [];
  for (const token of parsed.located) {
    if (token.type === 'directive') {
      const data = evaluateDirective(token, parsed, models);
      directives.set(token, data);
      if (data.kind === 'check') checks.push(data.check);
    } else if (token.type === 'value') {
      values.set(token, evaluateValue(token, parsed, models));
    }
  }
  const lint = numberLint(parsed, models, checks);
  return { parsed, models, main, directives, values, checks, lint };
}

function evaluateModel(name: string, net: Network, data: ParsedLesson['meta']['data'], lr: number, carry: ParsedLesson['meta']['carry'], parsed: ParsedLesson): EvaluatedModel {
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
const FLAGS = ['after', 'replay'];

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

const KINDS: RefKind[] = ['value', 'grad', 'new', 'after', 'partial'];

/** `[kind] name` (or `partial OF WRT`) from positional arguments, resolved to a number. */
function resolveRef(positional: Arg[], opts: Options, models: Map<string, EvaluatedModel>, parsed: ParsedLesson, token: LessonToken): { ref: Ref; value: number; label: string } {
  if (positional.length === 0) throw errorAt(parsed, token, undefined, 'expected a quantity: a node name (out_h1), or grad, new, after or partial followed by names');
  let kind: RefKind = 'value';
  let rest = positional;
  if ((KINDS as string[]).includes(positional[0].value) && positional.length > 1) {
    kind = positional[0].value as RefKind;
    rest = positional.slice(1);
  }
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

function evaluateValue(token: ValueToken & LessonToken, parsed: ParsedLesson, models: Map<string, EvaluatedModel>): { value: number; decimals: number } {
  const opts = options(token, ['in', 'decimals', 'replay'], parsed);
  const { value } = resolveRef(opts.positional, opts, models, parsed, token);
  return { value, decimals: decimalsOpt(opts, parsed, token) };
}

function evaluateDirective(token: DirectiveToken & LessonToken, parsed: ParsedLesson, models: Map<string, EvaluatedModel>): DirectiveData {
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
      return { kind: 'derive', chain: explainGradient(model.trace.tape, model.trace.loss, model.trace.params[i]), decimals, model };
    }
    case 'update': {
      const index = paramIndex(model, first.value, parsed, token, first);
      return { kind: 'update', param: model.trace.params[index], index, decimals, model };
    }
    case 'gradients':
      return { kind: 'gradients', decimals, model };
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
      return { kind: 'check', check: evaluateCheck(token, opts, parsed, models) };
  }
  throw errorAt(parsed, token, undefined, `unknown directive ::${token.name}`);
}

function evaluateCheck(token: DirectiveToken & LessonToken, opts: Options, parsed: ParsedLesson, models: Map<string, EvaluatedModel>): CheckResult {
  const quotedArg = opts.keyed.get('quoted');
  if (!quotedArg) throw errorAt(parsed, token, undefined, '::check needs quoted=NUMBER: the figure as the source prints it');
  if (!/^[+-]?\d+(\.\d+)?$/.test(quotedArg.value)) throw errorAt(parsed, token, quotedArg, `expected quoted to be a decimal number as the source prints it, got ${quotedArg.value}`);
  const { ref, value, label } = resolveRef(opts.positional, opts, models, parsed, token);
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
      const replayed = resolveRef(opts.positional, { ...opts, keyed: new Map([...opts.keyed, ['replay', explainArg]]) }, models, parsed, token);
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
    throw errorAt(parsed, token, arg, `explain: ${(e as Error).message} in "${expr}" (names are the lesson's nodes, grad_NAME, sigmoid and lr)`);
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw errorAt(parsed, token, arg, `explain: expected "${expr}" to give a finite number`);
  return v;
}

/** Decimals with four or more digits in the prose must be numbers the lesson computes or quotes. */
function numberLint(parsed: ParsedLesson, models: Map<string, EvaluatedModel>, checks: CheckResult[]): LintIssue[] {
  const known: number[] = [];
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
