// chainbook diagnose: for each figure a lesson quotes that its model does not give, the
// catalogued mistakes that do (src/lesson/diagnose.ts), ranked; with --write, the erratum= and
// explain= of each such ::check written into the lesson, kept only if the lesson then builds
// and every one of them reproduces its figure.
import { accessSync, chmodSync, chownSync, constants, existsSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DIRECTIVES } from '../directives/registry.ts';
import type { CheckResult } from '../src/lesson/check.ts';
import { shortened } from '../src/decimal.ts';
import { catalogueArguments, caseOfModel, diagnose, hypothesisText, lessonFigures, type Diagnosis, type Explanation, type Figure } from '../src/lesson/diagnose.ts';
import type { EvaluatedModel } from '../src/lesson/models.ts';
import { LessonError } from '../src/lesson/diagnostics.ts';
import { evaluateLesson, type EvaluatedLesson } from '../src/lesson/evaluate.ts';
import { parseLesson } from '../src/lesson/parse.ts';
import { proposeChecks } from '../src/lesson/quotes.ts';
import { effects, lessonFiles, processConsole, UsageError, type CommandOptions } from './commands.ts';

export interface LessonDiagnosis {
  file: string;
  /** each variant's step, as the main model's with catalogued mistakes (undefined: none gives it) */
  variants: { name: string; explanation?: Explanation; quantities: number }[];
  lesson: EvaluatedLesson;
  /** per model: its figures' diagnosis, and the check each figure came from */
  models: { model: string; diagnosis: Diagnosis; checkOf: Map<string, CheckResult> }[];
  /** checks of a run or another quantity diagnose does not read */
  other: CheckResult[];
}

export function diagnoseLesson(file: string, lesson: EvaluatedLesson): LessonDiagnosis {
  const { byModel, other } = lessonFigures(lesson);
  const models = [...byModel].map(([model, { figures, checks }]) => ({
    model,
    diagnosis: diagnose(caseOfModel(lesson.models.get(model)!), figures, { rounding: lesson.parsed.meta.rounding, printed: lesson.printed.get(model) }),
    checkOf: new Map(figures.map((f, i) => [f.label, checks[i]])),
  }));
  const main = lesson.models.get('main')!;
  const variants = [...lesson.models.values()].filter((m) => m.name !== 'main' && m.net.sizes.join() === main.net.sizes.join()).map((m) => {
    const figures = stepFigures(m);
    const d = diagnose(caseOfModel(main), figures, { stages: 2 });
    const whole = d.explanations.length === 1 && d.unexplained.length === 0 && d.agreeing.length < figures.length ? d.explanations[0] : undefined;
    return { name: m.name, explanation: whole, quantities: figures.length };
  });
  return { file, lesson, models, other, variants };
}

/** Every quantity of a model's step, to twelve decimals: its forward values, gradients and updates. */
function stepFigures(m: EvaluatedModel): Figure[] {
  const nodes = m.trace.tape.nodes.filter((n) => n.op !== 'param');
  const text = (v: number) => shortened(v, 12, 'round');
  return [
    ...nodes.map((n) => ({ label: n.name, ref: { kind: 'value' as const, name: n.name }, text: text(n.value) })),
    ...m.trace.params.map((p) => ({ label: `grad ${p.name}`, ref: { kind: 'grad' as const, name: p.name }, text: text(p.grad) })),
    ...m.trace.params.map((p, i) => ({ label: `new ${p.name}`, ref: { kind: 'new' as const, name: p.name }, text: text(m.step.after[i]) })),
  ];
}

function report(d: LessonDiagnosis): string {
  const lines: string[] = [];
  for (const { model, diagnosis } of d.models) {
    const total = diagnosis.agreeing.length + diagnosis.explanations.reduce((n, e) => n + e.figures.length, 0) + diagnosis.unexplained.length;
    lines.push(`${d.file}${model === 'main' ? '' : ` (model ${model})`}: ${total} figures of the step; ${diagnosis.agreeing.length} agree with the stated model, ${total - diagnosis.agreeing.length} do not (${diagnosis.tried} hypotheses tried)`);
    diagnosis.explanations.forEach((e, i) => {
      lines.push(`  ${i + 1}. ${hypothesisText(e.hypothesis)}: reproduces ${e.figures.length} figure${e.figures.length === 1 ? '' : 's'}${e.breaks.length ? ` (and would change ${e.breaks.length} that agree, so it holds for these alone)` : ''}`);
      for (const u of e.hypothesis.uses) lines.push(`       ${u.mistake.id}: ${u.mistake.sentence}`);
      lines.push(`       ${e.figures.map((f) => `${f.label} ${f.text}`).join('\n       ')}`);
    });
    if (diagnosis.unexplained.length) lines.push(`  unexplained by the catalogue: ${diagnosis.unexplained.map((f) => `${f.label} ${f.text}`).join(', ')}`);
  }
  for (const v of d.variants) {
    lines.push(v.explanation
      ? `${d.file}: variant ${v.name} is the main model with ${hypothesisText(v.explanation.hypothesis)}: all ${v.quantities} quantities of its step (forward values, gradients, updates) reproduced\n       ${v.explanation.hypothesis.uses.map((u) => `${u.mistake.id}: ${u.mistake.sentence}`).join('\n       ')}`
      : `${d.file}: variant ${v.name} is not the main model with a catalogued mistake, or two`);
  }
  if (d.other.length) lines.push(`  not figures of the step, not diagnosed: ${d.other.map((c) => `${c.quantity} (${c.at.line}:${c.at.col})`).join(', ')}`);
  if (!d.models.length) lines.unshift(`${d.file}: no ::check quotes a figure of the step`);
  return lines.join('\n');
}

/** The lesson's text with erratum= and explain= appended to each undeclared check the diagnosis explains; how many. */
function written(text: string, d: LessonDiagnosis): { text: string; count: number; kept: number } {
  const lines = text.split('\n');
  let count = 0, kept = 0;
  for (const { diagnosis, checkOf } of d.models) {
    for (const e of diagnosis.explanations) {
      for (const f of e.figures) {
        const c = checkOf.get(f.label)!;
        if (c.erratum !== undefined || c.unexplained !== undefined || c.explain || c.cause) {
          kept++;
          continue;
        }
        const i = c.at.line - 1;
        const end = lines[i].endsWith('\r') ? '\r' : ''; // a CRLF lesson keeps its line ends
        lines[i] = `${lines[i].trimEnd()} ${catalogueArguments(e.hypothesis)}${end}`;
        count++;
      }
    }
  }
  return { text: lines.join('\n'), count, kept };
}

export function diagnoseCommand(files: string[], write: boolean, options: CommandOptions = {}): number {
  const { directives = DIRECTIVES, console = processConsole } = options;
  const fx = effects(true, console);
  let unexplained = 0;
  for (const file of lessonFiles(files)) {
    if (write) writable(file);
    const text = readFileSync(file, 'utf8');
    const d = diagnoseLesson(file, evaluateLesson(parseLesson(file, text), directives, fx));
    console.out(`${report(d)}\n`);
    // A figure no mistake explains fails the command only where the lesson declares nothing of it either.
    unexplained += d.models.reduce((n, m) => n + m.diagnosis.unexplained.filter((f) => { const c = m.checkOf.get(f.label)!; return c.erratum === undefined && c.unexplained === undefined; }).length, 0);
    if (!write) continue;
    const w = written(text, d);
    if (!w.count) {
      console.out(`  nothing written: ${w.kept ? `the ${w.kept} explained figures' checks declare their erratum already` : 'no figure to explain'}\n`);
      continue;
    }
    // Kept only if the lesson builds with them and each written explanation reproduces its figure.
    let after: EvaluatedLesson;
    try {
      after = evaluateLesson(parseLesson(file, w.text), directives, fx);
    } catch (e) {
      if (e instanceof LessonError) throw new Error(`the erratum= and explain= lines diagnose wrote do not build (${e.message}); ${file} is unchanged`);
      throw e;
    }
    const failing = after.checks.filter((c) => c.explain?.mistakes && !c.explain.reproduces);
    if (failing.length) throw new Error(`the explanations diagnose wrote do not reproduce ${failing.map((c) => `${c.quantity} (${c.at.line}:${c.at.col})`).join(', ')}; ${file} is unchanged`);
    replaceText(file, w.text);
    console.out(`  wrote erratum= and explain= into ${w.count} check${w.count === 1 ? '' : 's'} of ${file}${w.kept ? ` (${w.kept} declare theirs already and are left as they are)` : ''}\n`);
  }
  return unexplained ? 1 : 0;
}

/** Refuses a lesson diagnose --write could not replace: read-only to its owner (as root access() says yes to all), or to the caller. */
function writable(file: string): void {
  const target = realpathSync(file);
  const readOnly = () => new UsageError(`${file} is read-only: diagnose --write changes the lesson in place; nothing written`, false);
  if (!(statSync(target).mode & 0o200)) throw readOnly();
  try {
    accessSync(target, constants.W_OK);
    accessSync(dirname(target), constants.W_OK);
  } catch {
    throw readOnly();
  }
}

/**
 * The lesson's new text, whole or not at all: written beside the file a link points to, under
 * a name no other file has, then renamed over it, with the file's mode and owner.
 */
function replaceText(file: string, text: string): void {
  const target = realpathSync(file);
  const { mode, uid, gid } = statSync(target);
  const next = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.diagnose`);
  let created = false;
  try {
    writeFileSync(next, text, { flag: 'wx', mode: mode & 0o7777 });
    created = true;
    chmodSync(next, mode & 0o7777);
    try {
      chownSync(next, uid, gid);
    } catch {
      /* not ours to give away: the file stays the caller's */
    }
    renameSync(next, target);
  } catch (e) {
    if (created) rmSync(next, { force: true });
    throw new UsageError(`cannot write ${file}: ${(e as Error).message}; it is unchanged`, false);
  }
}

/** chainbook quotes SOURCE LESSON: the ::check lines a tutorial's printed decimals call for. */
export function quotesCommand(source: string, lessonFile: string, lines: string | undefined, options: CommandOptions = {}): number {
  const { directives = DIRECTIVES, console = processConsole } = options;
  let from: number | undefined, to: number | undefined;
  if (lines !== undefined) {
    const m = /^(\d+)-(\d+)$/.exec(lines);
    if (!m) throw new UsageError(`--lines: expected FROM-TO, like 185-445, got ${lines}`);
    [from, to] = [Number(m[1]), Number(m[2])];
    if (from < 1) throw new UsageError(`--lines ${lines}: lines count from 1`);
    if (to < from) throw new UsageError(`--lines ${lines}: the first line, ${from}, comes after the last, ${to}`);
  }
  const [file] = lessonFiles([lessonFile]);
  if (!existsSync(source)) throw new UsageError(`no such source file: ${source}`, false);
  if (!statSync(source).isFile()) throw new UsageError(`${source} is not a file: quotes reads a tutorial's text`, false);
  const text = readFileSync(source, 'utf8');
  const count = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (to !== undefined && to > count) throw new UsageError(`--lines ${lines}: ${source} has ${count} lines`);
  const lesson = evaluateLesson(parseLesson(file, readFileSync(file, 'utf8')), directives, effects(true, console));
  const r = proposeChecks(caseOfModel(lesson.main), text, { from, to, rounding: lesson.parsed.meta.rounding });
  const under = r.proposals.filter((p) => p.under).length;
  const pct = r.figures.length ? Math.round((100 * r.proposals.length) / r.figures.length) : 100;
  console.err(`${source}${lines ? ` lines ${lines}` : ''}: ${r.figures.length} printed decimals; a check for ${r.proposals.length} (${pct}%): ${r.proposals.length - under} give the lesson's numbers, ${under} a catalogued mistake's\n`);
  // One check per quantity and figure, in the order the source prints them.
  const seen = new Set<string>();
  for (const p of r.proposals) {
    if (seen.has(p.check)) continue;
    seen.add(p.check);
    console.out(`${p.check}\n`);
    console.err(`  line ${p.figure.line}:${p.figure.col} ${p.figure.text} → ${p.quantity}${p.alternatives.length ? ` (the same digits: ${p.alternatives.slice(0, 4).join(', ')}${p.alternatives.length > 4 ? ', …' : ''})` : ''}\n`);
  }
  for (const f of r.unmatched) console.err(`  line ${f.line}:${f.col} ${f.text}: no quantity of the step gives these digits, nor a catalogued mistake\n`);
  return 0;
}
