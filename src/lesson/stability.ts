// How many digits of a training run's result are facts about the model, not about the last
// bit of each rounding: the run again with every starting weight moved by one ulp up, and again
// moved one ulp down — changes far below anything the mathematics can see, and of the size the
// other backend's or another summation order's rounding makes. A digit the reruns change is not
// printed; where not even the units survive, the page shows the range.
import { shortened } from '../decimal.ts';
import type { LessonContext } from './directive.ts';
import { trainRun, type Run, type TrainResult } from './train-run.ts';

/** A run quantity across the run and its perturbed reruns. */
export interface Spread {
  /** the lowest and highest among the runs that have the quantity */
  low: number;
  high: number;
  /** reruns that do not have it (a rerun that turned NaN where the run did not, or the reverse) */
  missing: number;
  /** decimals on which every rerun agrees with the run (rounded); -1: not even the units */
  decimals: number;
  /** how many runs, the run itself included */
  runs: number;
}

/** The reruns of a run, trained (or read from the cache) the first time one of its quantities is printed. */
export function perturbedRuns(run: Run, lesson: LessonContext): TrainResult[] {
  if (!run.perturbed) {
    // A rerun may turn NaN where the run did not: that is its result, not an error.
    run.perturbed = ([1, -1] as const).map((nudge) => trainRun(`${lesson.slug}: ${run.id} (perturbed)`, run.start, lesson.dataset, { ...run.spec, nudge, diverges: true }, lesson.effects).result);
  }
  return run.perturbed;
}

/** The spread of one quantity (picked from each result) over a run and its reruns. */
export function spreadOf(run: Run, lesson: LessonContext, pick: (r: TrainResult) => number): Spread {
  const value = pick(run.result);
  if (lesson.effects.perturb === false) return { low: value, high: value, missing: 0, decimals: 17, runs: 1 };
  const others = perturbedRuns(run, lesson).map((r) => (r.diverged && !run.result.diverged ? NaN : pick(r)));
  const present = [value, ...others].filter(Number.isFinite);
  return { low: Math.min(...present), high: Math.max(...present), missing: others.length + 1 - present.length, decimals: stableDecimals(value, others), runs: others.length + 1 };
}

/**
 * How to print a run's quantity: with the decimals asked for, cut to those that survive (then
 * approximate), or not as a number at all (undefined: print the range) where not even the ones
 * digit survives, a rerun has none, or the cut leaves less than two significant digits.
 */
export function printedDecimals(value: number, spread: Spread, asked: number): { decimals: number; approximate: boolean } | undefined {
  if (spread.decimals < 0 || spread.missing > 0) return undefined;
  const decimals = Math.min(asked, spread.decimals);
  const approximate = spread.decimals < asked;
  if (approximate && shortened(value, decimals, 'round').replace(/^[-0.]+/, '').replace('.', '').length < 2) return undefined;
  return { decimals, approximate };
}

/** The most decimals (up to 17) on which every other value, rounded, is the value rounded; -1 when the units differ. */
export function stableDecimals(value: number, others: number[]): number {
  if (!Number.isFinite(value) || others.some((o) => !Number.isFinite(o))) return -1;
  let d = -1;
  while (d < 17 && others.every((o) => shortened(o, d + 1, 'round') === shortened(value, d + 1, 'round'))) d++;
  return d;
}
