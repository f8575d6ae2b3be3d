// The catalogue of mistakes holds each entry to its claim: applied to a step of the 2-2-2, 3-5-1
// and 4-6-3 networks, alone and after any other entry, it changes the parts of the step it says
// it changes (somewhere) and leaves every other number of the step as it was, bit for bit.
import { describe, expect, it } from 'vitest';
import { MISTAKES, stepOf, type Part, type Place, type StepCase } from '../src/lesson/mistakes.ts';
import { randomStep as step } from './helpers.ts';

const CASES: [string, StepCase][] = [
  ['2-2-2', step([2, 2, 2], 'sigmoid', 'half_squared', 3)],
  ['3-5-1', step([3, 5, 1], 'tanh', 'squared', 5)],
  ['4-6-3', step([4, 6, 3], 'sigmoid', 'half_squared', 7)],
];

/** The step's numbers, part by part. */
function parts(c: StepCase): Record<Part, number[]> {
  const { trace, step: s } = stepOf(c);
  return {
    forward: trace.tape.nodes.filter((n) => n.op !== 'param' && n !== trace.loss).map((n) => n.value),
    loss: [trace.loss.value],
    gradients: trace.params.map((p) => p.grad),
    updates: Array.from(s.after),
  };
}

/** Everywhere, the entry changes each part it claims and no other; in one place alone, some of them and no other. */
function holdsItsClaim(before: StepCase, id: string, at?: Place, after?: string): void {
  const m = MISTAKES.find((e) => e.id === id)!;
  const was = parts(before), now = parts(m.apply(before, at));
  const where = `${id}${at ? ` at ${at.name}` : ''}${after ? ` after ${after}` : ''}`;
  for (const part of ['forward', 'loss', 'gradients', 'updates'] as const) {
    if (!m.changes.includes(part)) expect(now[part], `${where} leaves the ${part}`).toEqual(was[part]);
    else if (!at) expect(now[part], `${where} changes the ${part}`).not.toEqual(was[part]);
  }
  if (at) expect(m.changes.some((part) => JSON.stringify(now[part]) !== JSON.stringify(was[part])), `${where} changes something`).toBe(true);
}

describe('the catalogue of mistakes', () => {
  it('applies each entry to one of the networks at least', () => {
    for (const m of MISTAKES) expect(CASES.some(([, c]) => m.applies(c)), m.id).toBe(true);
  });

  it('has one entry for each id, each with words and math', () => {
    expect(new Set(MISTAKES.map((m) => m.id)).size).toBe(MISTAKES.length);
    for (const m of MISTAKES) expect(m.sentence.length * m.tex.length * m.changes.length, m.id).toBeGreaterThan(0);
  });

  for (const [name, c] of CASES) {
    it(`on the ${name} network, each entry changes what it claims and nothing else`, () => {
      for (const m of MISTAKES.filter((e) => e.applies(c))) {
        holdsItsClaim(c, m.id);
        for (const at of m.places?.(c) ?? []) holdsItsClaim(c, m.id, at);
      }
    });

    it(`on the ${name} network, each entry holds its claim after any other (two at once)`, () => {
      for (const first of MISTAKES.filter((e) => e.applies(c))) {
        const once = first.apply(c);
        for (const m of MISTAKES) if (m !== first && m.applies(once)) holdsItsClaim(once, `${m.id}`, undefined, first.id);
      }
    });
  }
});
