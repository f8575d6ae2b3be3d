// Which catalogued mistakes (src/lesson/mistakes.ts) make a step produce the figures a source
// printed. The search goes from simple to less simple and stops where everything is
// explained: single mistakes, then pairs, then either with the intermediates shortened to
// k = 2…12 decimals (rounded or cut off, carrying on with the figures the source printed),
// then the causes already found together. At each stage the hypothesis reproducing the most
// figures still unexplained is taken first (one cause for many figures before many causes);
// ties go to the one that keeps more of the figures that agree, then to the simpler one.
import type { Rounding } from '../decimal.ts';
import { decimalsOf, matcher, padsPast } from './quoted.ts';
import type { CheckResult } from './check.ts';
import type { EvaluatedLesson } from './evaluate.ts';
import { MISTAKES, quantityOf, stepOf, STEP_KINDS, type Mistake, type Place, type StepCase, type StepRef } from './mistakes.ts';
import type { EvaluatedModel } from './models.ts';

/** A printed figure of a quantity of the step. */
export interface Figure {
  /** how the report names it (the quantity, or where it stands in the lesson) */
  label: string;
  ref: StepRef;
  /** as printed, like 0.6592603884 */
  text: string;
}

export interface Use {
  mistake: Mistake;
  at?: Place;
}

export interface Hypothesis {
  uses: Use[];
  carry?: { decimals: number; rounding: Rounding };
}

export interface Explanation {
  hypothesis: Hypothesis;
  /** the figures it is the explanation of */
  figures: Figure[];
  /** figures that agree with the lesson which this hypothesis would not reproduce */
  breaks: Figure[];
  /** the search stage that found it (DiagnoseOptions.stages) */
  stage: number;
}

export interface Diagnosis {
  agreeing: Figure[];
  explanations: Explanation[];
  unexplained: Figure[];
  /** how many hypotheses were tried */
  tried: number;
}

const DECIMALS = Array.from({ length: 11 }, (_, i) => i + 2);
const MAX_TOGETHER = 4;

/** A hypothesis as one line a lesson can hold: `shared-bias + output-for-error at out_o1 + rounded to 10`. */
export function hypothesisText(h: Hypothesis): string {
  const parts = h.uses.map((u) => (u.at ? `${u.mistake.id} at ${u.at.name}${u.at.with ? `/${u.at.with}` : ''}` : u.mistake.id));
  if (h.carry) parts.push(`${h.carry.rounding === 'round' ? 'rounded' : 'cut'} to ${h.carry.decimals}`);
  return parts.join(' + ') || 'no mistake';
}

/** Reads hypothesisText back against a step case; a message saying what is wrong, or the hypothesis. */
export function parseHypothesis(text: string, c: StepCase, catalogue: readonly Mistake[] = MISTAKES): Hypothesis | string {
  const h: Hypothesis = { uses: [] };
  for (const raw of text.split('+').map((p) => p.trim())) {
    const carry = /^(rounded|cut) to (\d+)$/.exec(raw);
    if (carry) {
      const decimals = Number(carry[2]);
      if (h.carry) return `"${raw}": one shortening of the intermediates at most`;
      if (decimals < 1 || decimals > 17) return `"${raw}": the intermediates are shortened to 1…17 decimals`;
      h.carry = { decimals, rounding: carry[1] === 'rounded' ? 'round' : 'truncate' };
      continue;
    }
    const m = /^([a-z-]+)(?: at (\S+))?$/.exec(raw);
    const mistake = m && catalogue.find((e) => e.id === m[1]);
    if (!mistake) return `"${raw}" is not a catalogued mistake; the catalogue has ${catalogue.map((e) => e.id).join(', ')}, and "rounded to K" or "cut to K"`;
    if (!m![2]) {
      h.uses.push({ mistake });
      continue;
    }
    const places = mistake.places?.(c) ?? [];
    const at = places.find((p) => `${p.name}${p.with ? `/${p.with}` : ''}` === m![2]);
    if (!at) return `${mistake.id} is not made at ${m![2]}${places.length ? `; its places are ${places.map((p) => `${p.name}${p.with ? `/${p.with}` : ''}`).join(', ')}` : ': it has no places, only the whole step'}`;
    h.uses.push({ mistake, at });
  }
  return h;
}

/** The case a hypothesis makes of the true step; carried on, the figures the source printed for forward values. */
export function caseOf(base: StepCase, h: Hypothesis, printed: Readonly<Record<string, number>> = {}): StepCase {
  let c = base;
  for (const u of h.uses) c = u.mistake.apply(c, u.at);
  return h.carry ? { ...c, carry: { ...h.carry, values: computedOnly(printed, base) } } : c;
}

/** The printed values of computed nodes only: a parameter or an input printed is the one stated, not one carried over a mistake's. */
function computedOnly(printed: Readonly<Record<string, number>>, c: StepCase): Record<string, number> {
  const { net } = c;
  const given = new Set([...net.params.map((p) => p.name), ...net.labels.input.map((l) => l.name), ...net.labels.target.map((l) => l.name)]);
  return Object.fromEntries(Object.entries(printed).filter(([name]) => !given.has(name.replace(/@\d+$/, ''))));
}

/** The value a hypothesis gives each quantity (undefined where the step has none). */
export function valuesUnder(base: StepCase, h: Hypothesis, refs: readonly StepRef[], printed: Readonly<Record<string, number>> = {}): (number | undefined)[] {
  const s = stepOf(caseOf(base, h, printed));
  return refs.map((r) => quantityOf(s, r));
}

/** Every mistake of the catalogue that changes this step, everywhere and in each of its places (a swap's where `swap` keeps it). */
export function usesOf(catalogue: readonly Mistake[], c: StepCase, swap: (at: Place) => boolean = () => true): Use[] {
  const uses: Use[] = [];
  for (const mistake of catalogue) {
    if (!mistake.applies(c)) continue;
    uses.push({ mistake });
    const places = mistake.places?.(c) ?? [];
    if (places.length > 1) for (const at of places) if (!at.with || swap(at)) uses.push({ mistake, at });
  }
  return uses;
}

/** Every two uses of different mistakes, in the order of the list. */
export function pairsOf(uses: readonly Use[]): Use[][] {
  return uses.flatMap((a, i) => uses.slice(i + 1).filter((b) => b.mistake !== a.mistake).map((b) => [a, b]));
}

/** What a source (or a learner) did, in the reader's words: each mistake's sentence (where it was made), and the shortening. */
export function hypothesisWords(h: Hypothesis): string {
  const parts = h.uses.map((u) => `${u.mistake.sentence}${u.at ? ` (at ${u.at.with ? `${u.at.name} and ${u.at.with}` : u.at.name})` : ''}`);
  if (h.carry) parts.push(`every intermediate ${h.carry.rounding === 'round' ? 'rounded' : 'cut off'} to ${h.carry.decimals} decimals as it is written down`);
  return parts.join('; and ');
}

/** A check's erratum= and explain= for a hypothesis, as diagnose --write and quotes write them. */
export function catalogueArguments(h: Hypothesis): string {
  return `erratum="${`Diagnosed by chainbook: ${hypothesisWords(h)}.`.replace(/"/g, '”')}" explain="mistakes: ${hypothesisText(h)}"`;
}

const memos = new WeakMap<StepCase, { key: string; values: Map<string, (number | undefined)[]> }>();
/** The values hypotheses gave a step's quantities, kept for the last set of quantities asked about it. */
function memoOf(base: StepCase, key: string): Map<string, (number | undefined)[]> {
  let m = memos.get(base);
  if (!m || m.key !== key) memos.set(base, (m = { key, values: new Map() }));
  return m.values;
}

const complexity = (h: Hypothesis) => h.uses.reduce((n, u) => n + (u.at ? 1.5 : 1), 0) + (h.carry ? 1 : 0);

export interface DiagnoseOptions {
  /** how the source prints a figure when the intermediates are not shortened */
  rounding?: Rounding;
  catalogue?: readonly Mistake[];
  /** forward values the source printed, to carry on with besides the figures' own */
  printed?: Readonly<Record<string, number>>;
  /** stop after this stage (1 singles, 2 pairs of whole-step mistakes, 3 pairs with one in a place, 4 shortened, 5 together) */
  stages?: number;
}

export function diagnose(base: StepCase, figures: readonly Figure[], options: DiagnoseOptions = {}): Diagnosis {
  const { rounding = 'round', catalogue = MISTAKES, stages = 5 } = options;
  // What the source carried on with: its printed forward values (the lesson's, where it quotes more than these figures).
  const printed: Record<string, number> = { ...options.printed };
  for (const f of figures) if (f.ref.kind === 'value') printed[f.ref.name] ??= Number(f.text);
  // Each node where it stands on the true step's tape: the mistaken steps' tapes are laid out alike.
  const trueStep = stepOf(base);
  const refs = figures.map((f) => ({ ...f.ref, at: trueStep.node(f.ref.name)?.id }));
  let tried = 0;
  const matches = figures.map((f) => matcher(f.text));
  // The same step asked about the same quantities again (another lesson's figures, a test's next mutation): its values are known.
  const memo = memoOf(base, `${JSON.stringify(refs.map((r) => [r.kind, r.name, r.of]))} ${JSON.stringify(printed)}`);
  const reproduced = (h: Hypothesis): boolean[] => {
    tried++;
    const key = hypothesisText(h);
    let values = memo.get(key);
    if (!values) memo.set(key, (values = valuesUnder(base, h, refs, printed)));
    const r = h.carry?.rounding ?? rounding;
    return values.map((v, i) => v !== undefined && !(h.carry && padsPast(figures[i].text, h.carry.decimals)) && matches[i](v, r));
  };

  const truth = reproduced({ uses: [] });
  const agreeing = figures.filter((_, i) => truth[i]);
  const names = new Set(figures.flatMap((f) => [f.ref.name, f.ref.of ?? '']));

  // A swap only of quoted neighbours; pairs of whole-step mistakes first, then those with a mistake in one place.
  const singles = usesOf(catalogue, base, (at) => names.has(at.name) || names.has(at.with!));
  const all = pairsOf(singles);
  const pairs = all.filter((p) => !p.some((u) => u.at)), placedPairs = all.filter((p) => p.some((u) => u.at));

  type Scored = { h: Hypothesis; hits: boolean[]; stage: number };
  const wrong = figures.map((_, i) => i).filter((i) => !truth[i]);
  /** Takes, among the hypotheses, the best while any explains a figure still unexplained. */
  const choose = (pool: Scored[]): { explanations: Explanation[]; remaining: Set<number> } => {
    let remaining = new Set(wrong);
    const explanations: Explanation[] = [];
    while (remaining.size) {
      let best: { s: Scored; gain: number; keeps: number; cost: number; off: number } | undefined;
      for (const s of pool) {
        let gain = 0, keeps = 0, most = 0;
        s.hits.forEach((hit, i) => {
          if (!hit) return;
          if (remaining.has(i)) {
            gain++;
            most = Math.max(most, decimalsOf(figures[i].text));
          } else if (truth[i]) keeps++;
        });
        if (!gain) continue;
        const cost = complexity(s.h), off = s.h.carry ? Math.abs(s.h.carry.decimals - most) : 0;
        if (!best || gain > best.gain || (gain === best.gain && (keeps > best.keeps || (keeps === best.keeps && (cost < best.cost || (cost === best.cost && off < best.off)))))) best = { s, gain, keeps, cost, off };
      }
      if (!best) break;
      const { h, hits, stage } = best.s;
      const left = remaining;
      explanations.push({ hypothesis: h, figures: figures.filter((_, i) => left.has(i) && hits[i]), breaks: figures.filter((_, i) => truth[i] && !hits[i]), stage });
      remaining = new Set([...left].filter((i) => !hits[i]));
    }
    return { explanations, remaining };
  };

  const carries = DECIMALS.flatMap((decimals) => (['round', 'truncate'] as const).map((r) => ({ decimals, rounding: r })));
  const stagesOf: (() => Hypothesis[])[] = [
    () => singles.map((u) => ({ uses: [u] })),
    () => pairs.map((uses) => ({ uses })),
    () => placedPairs.map((uses) => ({ uses })),
    () => carries.flatMap((carry) => [{ uses: [], carry }, ...singles.map((u) => ({ uses: [u], carry })), ...[...pairs, ...placedPairs].map((uses) => ({ uses, carry }))]),
  ];
  /** The causes chosen so far, several at once (and one more), with a shortening chosen or none. */
  const together = (chosen: Explanation[]): Hypothesis[] => {
    const found: Use[] = [];
    for (const e of chosen) for (const u of e.hypothesis.uses) if (!found.some((f) => f.mistake === u.mistake && f.at === u.at)) found.push(u);
    const shortenings = [undefined, ...new Map(chosen.filter((e) => e.hypothesis.carry).map((e) => [hypothesisText({ uses: [], carry: e.hypothesis.carry }), e.hypothesis.carry])).values()];
    const subsets: Use[][] = [[]];
    for (const u of found) for (const s of [...subsets]) if (s.length < MAX_TOGETHER && !s.some((x) => x.mistake === u.mistake)) subsets.push([...s, u]);
    const out: Hypothesis[] = [];
    for (const s of subsets.filter((x) => x.length >= 2)) {
      for (const carry of shortenings) {
        out.push({ uses: s, carry });
        for (const u of singles) if (!s.some((x) => x.mistake === u.mistake)) out.push({ uses: [...s, u], carry });
      }
    }
    return out;
  };
  // Each stage widens the search; the figures are then explained from everything tried.
  const pool: Scored[] = [];
  const score = (hs: Hypothesis[], stage: number) => {
    for (const h of hs) pool.push({ h, hits: reproduced(h), stage });
  };
  // Wide enough once one hypothesis reproduces every figure, those that agree with it: one cause before several.
  const covered = () => pool.some((p) => p.hits.every(Boolean));
  for (let stage = 1; stage <= Math.min(stages, 4) && wrong.length; stage++) {
    score(stagesOf[stage - 1](), stage);
    if (covered()) break;
  }
  let { explanations, remaining } = choose(pool);
  if (remaining.size && stages >= 5) {
    score(together(explanations), 5);
    ({ explanations, remaining } = choose(pool));
  }
  return { agreeing, explanations, unexplained: [...remaining].map((i) => figures[i]), tried };
}

/** The step a lesson's model takes, as a case the catalogue transforms. */
export function caseOfModel(model: EvaluatedModel): StepCase {
  const samples = model.trace.samples.map((s) => ({ x: s.inputs.map((n) => n.value), t: s.targets.map((n) => n.value) }));
  return { net: model.net, samples, lr: model.lr };
}

/** A lesson's quoted figures of one model's step (a replayed check's figure is the stated model's), and those diagnose cannot read. */
export function lessonFigures(lesson: EvaluatedLesson): { byModel: Map<string, { figures: Figure[]; checks: CheckResult[] }>; other: CheckResult[] } {
  const byModel = new Map<string, { figures: Figure[]; checks: CheckResult[] }>();
  const other: CheckResult[] = [];
  for (const c of lesson.checks) {
    const model = c.ref.replay ? 'main' : c.ref.model;
    const trace = lesson.models.get(model)?.trace;
    if (!STEP_KINDS.includes(c.ref.kind) || !trace?.tape.nodes.some((n) => n.name === c.ref.name)) {
      other.push(c);
      continue;
    }
    const entry = byModel.get(model) ?? { figures: [], checks: [] };
    entry.figures.push({ label: `${c.quantity} (${c.at.line}:${c.at.col})`, ref: { kind: c.ref.kind as StepRef['kind'], name: c.ref.name, of: c.ref.of }, text: c.quotedText });
    entry.checks.push(c);
    byModel.set(model, entry);
  }
  return { byModel, other };
}
