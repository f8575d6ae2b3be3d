// The catalogue of mistakes holds each entry to its claim: applied to a step of the 2-2-2, 3-5-1
// and 4-6-3 networks, alone and after any other entry, it changes the parts of the step it says
// it changes (somewhere) and leaves every other number of the step as it was, bit for bit.
import { describe, expect, it } from 'vitest';
import { MISTAKES, type Part, type StepCase } from '../src/lesson/mistakes.ts';
import { Network } from '../src/network.ts';
import { RandomState } from '../src/random.ts';
import { stepTraced } from '../src/trace.ts';

/** A network with every bias drawn too (init leaves them 0), and two samples. */
function step(layers: number[], activation: string, loss: string, seed: number): StepCase {
  const net = Network.fromSpec({ layers, activation, loss, init: { seed } });
  const rng = new RandomState(seed + 1);
  for (const b of net.b) for (let j = 0; j < b.length; j++) b[j] = rng.uniform(-0.5, 0.5);
  const sample = () => ({ x: Array.from({ length: layers[0] }, () => rng.uniform(-1, 1)), t: Array.from({ length: layers[layers.length - 1] }, () => rng.uniform(0.1, 0.9)) });
  return { net, samples: [sample(), sample()], lr: 0.5 };
}

const CASES: [string, StepCase][] = [
  ['2-2-2', step([2, 2, 2], 'sigmoid', 'half_squared', 3)],
  ['3-5-1', step([3, 5, 1], 'tanh', 'squared', 5)],
  ['4-6-3', step([4, 6, 3], 'sigmoid', 'half_squared', 7)],
];

/** The step's numbers, part by part. */
function parts(c: StepCase): Record<Part, number[]> {
  const { trace, step: s } = stepTraced(c.net, c.samples, c.lr);
  return {
    forward: trace.tape.nodes.filter((n) => n.op !== 'param' && n !== trace.loss).map((n) => n.value),
    loss: [trace.loss.value],
    gradients: trace.params.map((p) => p.grad),
    updates: Array.from(s.after),
  };
}

function holdsItsClaim(before: StepCase, id: string): void {
  const m = MISTAKES.find((e) => e.id === id)!;
  const was = parts(before), now = parts(m.apply(before));
  for (const part of ['forward', 'loss', 'gradients', 'updates'] as const) {
    if (m.changes.includes(part)) expect(now[part], `${id} changes the ${part}`).not.toEqual(was[part]);
    else expect(now[part], `${id} leaves the ${part}`).toEqual(was[part]);
  }
}

describe('the catalogue of mistakes', () => {
  it('has one entry for each id, each with words and math', () => {
    expect(new Set(MISTAKES.map((m) => m.id)).size).toBe(MISTAKES.length);
    for (const m of MISTAKES) expect(m.sentence.length * m.tex.length * m.changes.length, m.id).toBeGreaterThan(0);
  });

  for (const [name, c] of CASES) {
    it(`on the ${name} network, each entry changes what it claims and nothing else`, () => {
      for (const m of MISTAKES) {
        expect(m.applies(c), `${m.id} applies`).toBe(true);
        holdsItsClaim(c, m.id);
      }
    });

    it(`on the ${name} network, each entry holds its claim after any other (two at once)`, () => {
      for (const first of MISTAKES) {
        const once = first.apply(c);
        for (const m of MISTAKES) if (m !== first && m.applies(once)) holdsItsClaim(once, m.id);
      }
    });
  }
});
