// The number lint: a decimal of four or more digits in the prose must be a number the lesson
// computes or quotes. A typed result would go stale the moment the model changes.
import type { CheckResult } from './check.ts';
import type { EvaluatedModel } from './models.ts';
import type { ParsedLesson } from './parse.ts';
import { figureMatches } from './quoted.ts';
import type { Position } from './source-map.ts';
import type { Run } from './train-run.ts';

export interface LintIssue {
  at: Position;
  text: string;
}

export function numberLint(parsed: ParsedLesson, models: Iterable<EvaluatedModel>, checks: CheckResult[], runs: Iterable<Run>, computed: number[]): LintIssue[] {
  const known: number[] = [...computed];
  // What a run can print: its recorded losses, final loss, accuracy and final outputs.
  for (const r of runs) known.push(...r.result.loss, r.result.finalLoss, r.result.accuracy ?? NaN, ...(r.result.tracked.at(-1) ?? []));
  for (const m of models) {
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
  for (const piece of parsed.prose) {
    for (const m of piece.raw.matchAll(/(?<![\w.])[+-]?\d+\.(\d{4,})(?!\d|\.\d)/g)) {
      const text = m[0];
      const computed = (k: number) => figureMatches(k, text, 'round') || figureMatches(k, text, 'truncate');
      if (!known.some((k) => computed(k) || computed(-k))) issues.push({ at: parsed.map.position(piece.at(m.index)), text });
    }
  }
  return issues;
}
