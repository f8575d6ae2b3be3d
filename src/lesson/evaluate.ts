// A parsed lesson → an evaluated lesson: its models built, traced, stepped and cross-checked
// (models.ts), then each directive evaluated by its registered object and each {{…}} resolved
// to its number, in document order; last the number lint over the prose.
import type { CheckResult } from './check.ts';
import { loadDataset, samplesDataset, type LessonDataset } from './dataset.ts';
import { inLesson, LessonError, type Diagnostic } from './diagnostics.ts';
import { directivesByName, readCall, type AnyDirective, type DirectiveArgs, type LessonContext, type LessonEffects } from './directive.ts';
import { nameLint, numberLint, type LintIssue } from './lint.ts';
import { evaluateModels, firstSample, networkOf, type EvaluatedModel } from './models.ts';
import type { ParsedLesson } from './parse.ts';
import { resolveQuantity } from './quantity.ts';
import type { DirectiveToken, ValueToken } from './syntax.ts';
import { printedDecimals, type Spread } from './stability.ts';
import type { Run } from './train-run.ts';

/** A directive's evaluated data, with the directive that renders it. */
export interface EvaluatedDirective {
  directive: AnyDirective;
  data: unknown;
}

export interface EvaluatedLesson {
  parsed: ParsedLesson;
  models: Map<string, EvaluatedModel>;
  main: EvaluatedModel;
  directives: Map<DirectiveToken, EvaluatedDirective>;
  /** resolved inline values, by token */
  values: Map<ValueToken, InlineValue>;
  /** {{ref KEY}}: a reference to a numbered equation or figure, by its anchor (resolved when the page is rendered) */
  refs: Map<ValueToken, string>;
  checks: CheckResult[];
  /** the forward values its checks quote, by model */
  printed: ReadonlyMap<string, Readonly<Record<string, number>>>;
  lint: LintIssue[];
  /** multi-letter names in the lesson's math not set as names */
  names: LintIssue[];
  dataset: LessonDataset;
  runs: Map<string, Run>;
}

/** A {{…}} resolved: its number and the decimals to print, no more than survive perturbation for a run's quantity. */
export interface InlineValue {
  value: number;
  decimals: number;
  /** fewer decimals than asked survive perturbation: the page marks the number ≈ */
  approximate?: boolean;
  /** a run's quantity of which not even the units survive perturbation: the page shows the range */
  range?: Spread;
}

/** What {{…}} takes: a quantity, and these options. */
export const VALUE_ARGS: DirectiveArgs = { quantity: true, keys: ['in', 'decimals'], flags: ['replay'] };

/** The forward values every ::check of the lesson quotes, by model (a replayed check's is the stated model's): what a source carried on with. */
function printedValues(parsed: ParsedLesson): Map<string, Record<string, number>> {
  const printed = new Map<string, Record<string, number>>();
  for (const token of parsed.syntax) {
    if (token.type !== 'directive' || token.name !== 'check') continue;
    const positional = token.args.filter((a) => a.key === undefined && a.value !== 'replay');
    const quoted = token.args.find((a) => a.key === 'quoted')?.value;
    if (positional.length !== 1 || !quoted || !/^[+-]?\d+(\.\d+)?$/.test(quoted)) continue;
    const model = token.args.some((a) => a.key === undefined && a.value === 'replay') ? 'main' : (token.args.find((a) => a.key === 'in')?.value ?? 'main');
    const values = printed.get(model) ?? {};
    values[positional[0].value] ??= Number(quoted);
    printed.set(model, values);
  }
  return printed;
}

export function evaluateLesson(parsed: ParsedLesson, registry: readonly AnyDirective[], effects: LessonEffects = {}): EvaluatedLesson {
  return inLesson(parsed.file, parsed.map, () => evaluate(parsed, registry, effects));
}

function evaluate(parsed: ParsedLesson, registry: readonly AnyDirective[], effects: LessonEffects): EvaluatedLesson {
  const { meta } = parsed;
  let dataset: LessonDataset | undefined;
  if (meta.dataset) {
    const sizes = networkOf(parsed, 'main', meta.model).sizes;
    try {
      dataset = loadDataset(meta.dataset, sizes[sizes.length - 1], effects.readFile ?? (() => { throw new Error('this build cannot read data files'); }));
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      throw new LessonError(parsed.fieldOffset('dataset'), e.message);
    }
    if (dataset.inputs !== sizes[0]) throw new LessonError(parsed.fieldOffset('model.layers'), `the ${meta.dataset.kind} data set has ${dataset.inputs} inputs, so layers must start with ${dataset.inputs}`);
  }
  // The traced step runs on the declared samples, or on the data set's first one; without a
  // data set, training runs on the declared samples too.
  const traced = meta.data ?? [firstSample(dataset!)];
  dataset ??= samplesDataset(traced);
  const models = evaluateModels(parsed, traced);
  const main = models.get('main')!;
  const nodeNames = main.trace.tape.nodes.map((n) => n.name);
  for (const name of Object.keys(meta.names)) {
    if (!nodeNames.includes(name)) throw new LessonError(parsed.fieldOffset(`names.${name}`, 'key'), `names: no node is called ${name}; the names are ${nodeNames.join(', ')}`);
  }

  const lesson: LessonContext = {
    meta, slug: parsed.slug, models, traced, dataset, runs: new Map(), sweeps: new Map(), checks: [], computed: [], effects, printed: printedValues(parsed),
    position: (offset) => parsed.map.position(offset),
    fieldOffset: (path, which) => parsed.fieldOffset(path, which),
  };
  const byName = directivesByName(registry);
  const directives = new Map<DirectiveToken, EvaluatedDirective>();
  const values = new Map<ValueToken, InlineValue>();
  const refs = new Map<ValueToken, string>();
  for (const token of parsed.syntax) {
    if (token.type === 'directive') {
      const directive = byName.get(token.name);
      if (!directive) {
        const near = nearest(token.name, [...byName.keys()]);
        throw new LessonError(token.offset, `unknown directive ::${token.name}${near ? ` (did you mean ::${near}?)` : ''}; expected one of ${registry.map((d) => `::${d.name}`).join(', ')}`);
      }
      directives.set(token, { directive, data: directive.evaluate(readCall(token, directive.name, directive.args, lesson), lesson) });
    } else if (token.type === 'value' && token.args[0]?.value === 'ref' && token.args[0].key === undefined && token.args.length > 1) {
      const [, target, extra] = token.args;
      if (target.key !== undefined || extra) throw new LessonError(token.offset + (extra ?? target).at, 'expected {{ref ANCHOR}}: one anchor, like derive-w5 or figure-network');
      refs.set(token, target.value);
    } else if (token.type === 'value') {
      const call = readCall(token, 'value', VALUE_ARGS, lesson);
      const { value, spread } = resolveQuantity(call, lesson);
      const printed = spread ? printedDecimals(value, spread, call.decimals) : { decimals: call.decimals, approximate: false };
      values.set(token, printed ? { value, ...printed } : { value, decimals: 0, range: spread });
    }
  }
  const lint = numberLint(parsed, models.values(), lesson.checks, lesson.runs.values(), lesson.computed);
  return { parsed, models, main, directives, values, refs, checks: lesson.checks, printed: lesson.printed, lint, names: nameLint(parsed), dataset, runs: lesson.runs };
}

/** The name a misspelling most likely means: the same but for case, or at most two edits away. */
function nearest(name: string, names: string[]): string | undefined {
  const lower = name.toLowerCase();
  const distance = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  };
  const ranked = names.map((n) => ({ n, d: distance(lower, n) })).sort((x, y) => x.d - y.d);
  return ranked[0] && ranked[0].d <= 2 ? ranked[0].n : undefined;
}

/** What verify fails on and build warns about: quoted figures that do not fit, and typed numbers. */
export function lessonDiagnostics(lesson: EvaluatedLesson): Diagnostic[] {
  const { file } = lesson.parsed;
  return [
    ...lesson.checks.filter((c) => !c.ok).map((c) => ({ file, at: c.at, message: `${c.quantity}: the source prints ${c.quotedText}, chainbook computes ${c.computed} (${c.verdict})` })),
    ...lesson.lint.map((i) => ({ file, at: i.at, message: `number lint: ${i.text} is not a number the lesson computes or quotes (use {{…}} or ::check)` })),
    ...lesson.names.map((i) => ({ file, at: i.at, message: `name lint: ${i.text} is set as a product of italic letters: write a multi-letter name as \\name{…} (or \\out, \\In)` })),
  ];
}
