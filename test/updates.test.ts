// A step that moves only some parameters (the weights, or the ones named), as worked examples
// that keep their biases fixed do: the tracer's step, the trainer's runs and the lesson follow it,
// in either update order.
import { describe, expect, it } from 'vitest';
import { DIRECTIVES } from '../directives/registry.ts';
import { renderArticle } from '../render/lesson.ts';
import { evaluateLesson } from '../src/lesson/evaluate.ts';
import { parseLesson } from '../src/lesson/parse.ts';
import { Network } from '../src/network.ts';
import type { ModelSpec, Updates, UpdateOrder } from '../src/spec.ts';
import { traceNetwork, tracedStep } from '../src/trace.ts';
import { Trainer } from '../src/trainer.ts';

// Seed 003's 2-2-2 network and sample.
const spec = (updates: Updates, update: UpdateOrder = 'simultaneous'): ModelSpec => ({
  layers: [2, 2, 2], activation: 'sigmoid', loss: 'half_squared', update, updates,
  params: { w1: 0.1, w2: 0.2, w3: 0.3, w4: 0.4, w5: 0.5, w6: 0.6, w7: 0.7, w8: 0.8, b1: 0.55, b2: 0.56, b3: 0.66, b4: 0.67 },
});
const sample = { x: [0.1, 0.2], t: [0.01, 0.99] };
const X = Float64Array.of(0.1, 0.2), T = Float64Array.of(0.01, 0.99);

describe('updates', () => {
  it.each(['simultaneous', 'sequential'] as const)('weights only (%s): the biases keep their values, the weights move as the full step moves them', (order) => {
    const all = Network.fromSpec(spec('all', order)), weights = Network.fromSpec(spec('weights', order));
    const full = tracedStep(all, [sample], 0.5), partial = tracedStep(weights, [sample], 0.5);
    weights.params.forEach((p, i) => {
      if (p.kind === 'bias') {
        expect(partial.after[i], p.name).toBe(partial.before[i]);
        expect(partial.applied[i], p.name).toBe(0);
      } else expect(partial.after[i], p.name).toBe(full.after[i]); // a bias moving does not change this step's weight gradients
    });
    // The error after the step is the network's with those parameters.
    const after = traceNetwork(weights, [sample]).loss.value;
    const check = Network.fromSpec(spec('all'));
    check.setFlat(partial.after);
    expect(after).toBe(traceNetwork(check, [sample]).loss.value);
  });

  it('a named list moves only those', () => {
    const net = Network.fromSpec(spec(['w5', 'b1']));
    const step = tracedStep(net, [sample], 0.5);
    net.params.forEach((p, i) => expect(step.after[i] !== step.before[i], p.name).toBe(p.name === 'w5' || p.name === 'b1'));
    expect(() => Network.fromSpec(spec(['w9']))).toThrow(/model\.updates\[0\]: no parameter is called w9/);
    expect(() => Network.fromSpec({ ...spec('all'), updates: 'biases' })).toThrow(/model\.updates: expected all, weights, or a list/);
  });

  it('the trainer follows it on every backend that can, and the kernel says it cannot', () => {
    const traced = Network.fromSpec(spec('weights'));
    for (let i = 0; i < 3; i++) tracedStep(traced, [sample], 0.5);
    const trained = Network.fromSpec(spec('weights'));
    const trainer = new Trainer(trained, 1);
    expect(trainer.backend).toBe('js');
    trainer.trainFullBatch(X, T, 1, { iterations: 3, lr: 0.5 });
    trained.params.forEach((p, i) => expect(trained.flat()[i], p.name).toBeCloseTo(traced.flat()[i], 14));
    expect(trained.b.map((b) => Array.from(b))).toEqual([[0.55, 0.56], [0.66, 0.67]]);
    expect(() => new Trainer(Network.fromSpec(spec('weights')), 1, { backend: 'wasm' })).toThrow(/keeps some fixed/);
  });

  it('a lesson shows which parameters the step keeps fixed', () => {
    const lesson = evaluateLesson(parseLesson('l.md', `---
title: fixed biases
model: { layers: [2, 2, 2], activation: sigmoid, loss: half_squared, updates: weights, params: { w1: 0.1, w2: 0.2, w3: 0.3, w4: 0.4, w5: 0.5, w6: 0.6, w7: 0.7, w8: 0.8, b1: 0.55, b2: 0.56, b3: 0.66, b4: 0.67 } }
data:
  - { x: [0.1, 0.2], t: [0.01, 0.99] }
lr: 0.5
---
::update b1

::gradients

{{new b1}} {{new w1}}
`), DIRECTIVES);
    const html = renderArticle(lesson);
    expect(html).toContain('this step keeps it fixed');
    expect(html).toMatch(/0\.55[\u2007\u2008]* \(kept fixed\)/);
    expect([...lesson.values.values()].map((v) => v.value)).toEqual([0.55, lesson.main.step.after[0]]);
    expect(lesson.main.step.after[0]).not.toBe(0.1);
  });
});
