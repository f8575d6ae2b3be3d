// What a directive is: one object holding its name, its arguments, `evaluate` (the call and
// the lesson → plain data) and `render` (that data → HTML). The objects live in directives/
// and are registered in one list (directives/registry.ts); this module defines their shape and
// reads a call's arguments against it, with the words an error uses.
import type { LessonDataset, ReadFile } from './dataset.ts';
import { LessonError } from './diagnostics.ts';
import type { CheckResult } from './check.ts';
import type { EvaluatedModel } from './models.ts';
import type { LessonMeta, LessonSample } from './parse.ts';
import type { Position } from './source-map.ts';
import type { Run, TrainEffects } from './train-run.ts';
import type { Arg, DirectiveToken, ValueToken } from './syntax.ts';

export interface DirectiveArgs {
  /** the positional argument, as an error names it ('a parameter name, like w5'); none when absent */
  positional?: string;
  /** the positional arguments are a quantity, `[kind] name …` (::check, {{…}}) */
  quantity?: boolean;
  /** key=value options it takes, in the order an error lists them */
  keys?: readonly string[];
  /** words it takes on their own, like `after` in `::network after` */
  flags?: readonly string[];
}

export interface Directive<D> {
  name: string;
  /** its syntax, for the README's table of directives */
  usage: string;
  /** what it shows, for the same table */
  summary: string;
  args: DirectiveArgs;
  /**
   * What the live page does with it when a reader changes the lesson's numbers. 'live': its
   * evaluate reads only the models and the traced samples, so the page runs it again. A
   * sentence: what it shows stays about the lesson's own values (a source's figures, a
   * training run), and the page says so in these words beside it ({subject}: what the call
   * names, like in_h1); `hide`: in their place (a verdict on the lesson's numbers would read as
   * one on the reader's). `retrain`: whether the page may train again, on the reader's
   * numbers and in a worker, the runs this block shows (each short enough), and then evaluate it.
   */
  inPage?: 'live' | { stale: string; hide?: boolean; retrain?: (data: D, runs: ReadonlyMap<string, Run>) => boolean };
  evaluate(call: DirectiveCall, lesson: LessonContext): D;
  render(data: D, page: RenderContext): string;
}

/** A directive of any data type, as the registry holds it; `defineDirective` ties evaluate to render. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDirective = Directive<any>;

export function defineDirective<D>(directive: Directive<D>): Directive<D> {
  return directive;
}

/** A registry by name; two directives of one name are chainbook's own mistake. */
export function directivesByName(registry: readonly AnyDirective[]): Map<string, AnyDirective> {
  const byName = new Map<string, AnyDirective>();
  for (const d of registry) {
    if (byName.has(d.name)) throw new Error(`two directives are called ${d.name}`);
    byName.set(d.name, d);
  }
  return byName;
}

/** A figure's parts; the page numbers it and gives it its anchor. */
export interface FigureParts {
  /** The drawing: SVG with its own <title> and <desc>, or several side by side. */
  body: string;
  /** What the figure shows, as HTML (escaped by the renderer); the page puts "Figure N." before it. */
  caption: string;
  /** The figure's numbers as an HTML table: the page folds it below the drawing for readers who cannot see it. */
  data?: string;
  /** Wider than the text column where the screen allows. */
  wide?: boolean;
}

/** What a renderer may ask of the page: math typeset by the lesson's KaTeX, and numbered figures. */
export interface RenderContext {
  display(tex: string): string;
  inline(tex: string): string;
  figure(parts: FigureParts): string;
  /**
   * A lesson's words (an erratum, a glossary entry) as HTML: escaped, with each `$…$` typeset;
   * `at` says where each character stands in the lesson, so a LaTeX mistake is located.
   */
  prose(text: string, at?: (index: number) => number): string;
}

/** Where each character of an argument's text stands in the lesson (past `key=` and an opening quote). */
export function textAt(call: DirectiveCall, arg: Arg): (index: number) => number {
  const raw = call.token.raw;
  const skip = arg.key === undefined ? 0 : arg.key.length + (raw.startsWith(`${arg.key}="`, arg.at) ? 2 : 1);
  return (i) => call.token.at(arg.at + skip + i);
}

export interface LessonEffects extends TrainEffects {
  readFile?: ReadFile;
  /**
   * false: skip the perturbed reruns that decide how many digits of a run's results are facts,
   * and print as many as asked. For tests of the numbers themselves; a page never builds so.
   */
  perturb?: boolean;
}

/** What directives see: the lesson, its models, its data set and what earlier directives made. */
export interface LessonContext {
  meta: LessonMeta;
  slug: string;
  models: Map<string, EvaluatedModel>;
  /** the samples of the traced step */
  traced: LessonSample[];
  /** what training runs on: the lesson's data set, or its declared samples */
  dataset: LessonDataset;
  runs: Map<string, Run>;
  sweeps: Map<string, Run[]>;
  checks: CheckResult[];
  /** numbers computed outside the models and runs (::compute), which the number lint accepts */
  computed: number[];
  /** the forward values the lesson's checks quote, by model: what a source carried on with (explain="mistakes: …") */
  printed: ReadonlyMap<string, Readonly<Record<string, number>>>;
  effects: LessonEffects;
  /** line:col of an offset in the lesson, for results that report where they stand */
  position(offset: number): Position;
  /** where a front-matter field's value starts, like names.out_h1 */
  fieldOffset(path: string, which?: 'value' | 'key' | 'text'): number;
}

/** One use of a directive (or of {{…}}) with its arguments read. */
export interface DirectiveCall {
  token: DirectiveToken | ValueToken;
  positional: Arg[];
  /** key=value options and flag words, by name */
  keyed: Map<string, Arg>;
  /** the model `in=` names, else the main one */
  model: EvaluatedModel;
  /** `decimals=`, else the lesson's */
  decimals: number;
  /** the words this call may take on their own */
  flags: readonly string[];
  /** A LessonError at an argument of this call (at the call itself without one). */
  error(arg: Arg | undefined, message: string): LessonError;
}

export function readCall(token: DirectiveToken | ValueToken, name: string, args: DirectiveArgs, lesson: LessonContext): DirectiveCall {
  const error = (arg: Arg | undefined, message: string) => new LessonError(token.offset + (arg?.at ?? 0), message);
  const keys = args.keys ?? [], flags = args.flags ?? [];
  const keyed = new Map<string, Arg>();
  const positional: Arg[] = [];
  for (const a of token.args) {
    if (a.key === undefined && flags.includes(a.value)) keyed.set(a.value, a);
    // An option's name as a bare word after the positional argument is an option missing its value.
    else if (a.key === undefined && keys.includes(a.value) && positional.length > 0) throw error(a, `${a.value} needs a value: ${a.value}=…`);
    else if (a.key === undefined) positional.push(a);
    else if (flags.includes(a.key)) throw error(a, `${a.key} is a word on its own: write ${a.key}, not ${a.key}=${a.value}`);
    else if (!keys.includes(a.key)) throw error(a, `unknown option ${a.key}; expected ${keys.length || flags.length ? [...keys, ...flags].join(', ') : 'none'}`);
    else if (keyed.has(a.key)) throw error(a, `${a.key} is given twice`);
    else keyed.set(a.key, a);
  }
  if (!args.quantity) {
    if (positional.length > (args.positional ? 1 : 0)) {
      throw error(positional[args.positional ? 1 : 0], args.positional ? `expected one argument: ${args.positional}` : `::${name} takes no positional argument`);
    }
    if (args.positional && positional.length === 0) throw error(undefined, `::${name} expects ${args.positional}`);
  }
  const inArg = keyed.get('in');
  const model = inArg ? lesson.models.get(inArg.value) : lesson.models.get('main');
  if (!model) throw error(inArg, `no variant is called ${inArg!.value}; the lesson declares ${[...lesson.models.keys()].filter((k) => k !== 'main').join(', ') || 'none'} under variants`);
  const decimalsArg = keyed.get('decimals');
  const decimals = decimalsArg ? Number(decimalsArg.value) : lesson.meta.decimals;
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 17) throw error(decimalsArg, `expected decimals to be a whole number from 0 to 17, got ${decimalsArg!.value}`);
  return { token, positional, keyed, model, decimals, flags, error };
}
