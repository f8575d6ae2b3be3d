// The live page's arithmetic (src/live.ts) against the build's: the page steps the lesson's
// models again with the reader's numbers, and must get what the build gets from a lesson that
// declares those numbers. The page itself is test/live-page.test.ts's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIRECTIVES } from '../directives/registry.ts';
import { renderSite } from '../render/site.ts';
import { evaluateLesson, type EvaluatedLesson } from '../src/lesson/evaluate.ts';
import type { EvaluatedModel } from '../src/lesson/models.ts';
import { parseLesson } from '../src/lesson/parse.ts';
import { editables, liveModels, type LivePayload } from '../src/live.ts';
import { Network } from '../src/network.ts';
import { traceNetwork } from '../src/trace.ts';

const FILE = 'lessons/02-worked-example.md';
const source = readFileSync(FILE, 'utf8');
const evaluate = (text: string) => evaluateLesson(parseLesson(FILE, text), DIRECTIVES, { perturb: false });
const lesson = evaluate(source);

function payloadOf(l: EvaluatedLesson): LivePayload {
  const page = renderSite([l]).get('02-worked-example.html')!;
  const json = /<script type="application\/json" id="chainbook-live">([^<]*)<\/script>/.exec(page);
  expect(json, 'the page carries its payload').not.toBeNull();
  return JSON.parse(json![1]) as LivePayload;
}
const payload = payloadOf(lesson);

/** Every node's value and gradient, and the step's parameters after it, by name. */
function numbersOf(m: EvaluatedModel): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of m.trace.tape.nodes) {
    out[`${n.name}`] = n.value;
    out[`∂${n.name}`] = n.grad;
  }
  m.net.params.forEach((p, i) => (out[`${p.name}⁺`] = m.step.after[i]));
  out['E⁺'] = m.after.loss.value;
  return out;
}

describe('the live page\'s models', () => {
  it('are the build\'s for the lesson\'s own numbers, model by model', () => {
    const { models } = liveModels(payload, new Map());
    expect([...models.keys()]).toEqual([...lesson.models.keys()]);
    for (const [name, m] of models) expect(numbersOf(m), name).toEqual(numbersOf(lesson.models.get(name)!));
  });

  it('are the build\'s for a lesson that declares the reader\'s numbers', () => {
    const edits = new Map([['i1', 0.05], ['w1', 0.25], ['t_o2', 0.9], ['lr', 0.8]]);
    const declared = evaluate(
      source
        .replace('- { x: [0.1, 0.2], t: [0.01, 0.99] }', '- { x: [0.05, 0.2], t: [0.01, 0.9] }')
        .replace(/^lr: 0\.5$/m, 'lr: 0.8')
        .replace('params: { w1: 0.1, w2: 0.2, w3: 0.3, w4: 0.4, w5: 0.5, w6: 0.6, w7: 0.7, w8: 0.8, b1: 0.55, b2: 0.56,', 'params: { w1: 0.25, w2: 0.2, w3: 0.3, w4: 0.4, w5: 0.5, w6: 0.6, w7: 0.7, w8: 0.8, b1: 0.55, b2: 0.56,'),
    );
    const { models, lr } = liveModels(payload, edits);
    expect(lr).toBe(0.8);
    // main, and ce (which only changes the loss); tutorial declares its own parameters and keeps them.
    for (const name of ['main', 'ce']) expect(numbersOf(models.get(name)!), name).toEqual(numbersOf(declared.models.get(name)!));
    expect(models.get('main')!.trace.node('out_h1').value).not.toBe(lesson.main.trace.node('out_h1').value);
    const tutorial = models.get('tutorial')!;
    expect(tutorial.net.get('w1')).toBe(0.1);
    expect(tutorial.trace.node('i1').value).toBe(0.05);
  });

  it('list what a reader may change, with the lesson\'s values', () => {
    const list = editables(payload);
    expect(list.map((e) => e.key)).toEqual(['i1', 'i2', 't_o1', 't_o2', 'w1', 'w2', 'w3', 'w4', 'b1', 'b2', 'w5', 'w6', 'w7', 'w8', 'b3', 'b4', 'lr']);
    expect(Object.fromEntries(list.map((e) => [e.key, e.value]))).toMatchObject({ i1: 0.1, t_o2: 0.99, w8: 0.8, b4: 0.67, lr: 0.5 });
  });

  it('carry every live directive and {{…}} of the page, and nothing a lesson could make markup of', () => {
    const page = renderSite([lesson]).get('02-worked-example.html')!;
    expect(payload.blocks.length).toBe((page.match(/<div class="live" data-live="\d+">/g) ?? []).length);
    expect(payload.values.length).toBe((page.match(/ data-value="\d+"/g) ?? []).length);
    expect(payload.blocks.filter((b) => b.stale).map((b) => b.name)).toContain('check');
    const json = /<script type="application\/json" id="chainbook-live">([^<]*)<\/script>/.exec(page)![1];
    expect(json).not.toMatch(/[<>]/);
  });
});

describe('what the page may train again', () => {
  it('marks the short run and its curve, ships the samples, and keeps a run named with $ patterns whole', () => {
    // A string replacement would read $& in the payload as the text matched, and $$ as one $.
    const named = evaluate(source.replace('::train steps iterations=2000 every=10', () => '::train a$&b$$c iterations=2000 every=10').replace('::curve steps', () => '::curve a$&b$$c'));
    const p = payloadOf(named);
    const trains = p.blocks.filter((b) => b.name === 'train');
    expect(trains.map((b) => [b.args[0].value, b.retrain])).toEqual([['a$&b$$c', true]]);
    expect(p.blocks.find((b) => b.name === 'curve')?.retrain).toBe(true);
    expect(p.blocks.find((b) => b.name === 'check')?.retrain).toBeUndefined();
    expect(p.dataset).toBe('samples');
  });
});

describe('the backward stepper\'s sweep', () => {
  it('accumulates, factor by factor, the gradients backward leaves', () => {
    const net = Network.fromSpec({ layers: [2, 3, 2], activation: 'tanh', output: 'softmax', loss: 'softmax_ce', init: { seed: 3 } });
    const trace = traceNetwork(net, [{ x: [0.3, -0.7], t: [0, 1] }, { x: [0.1, 0.4], t: [1, 0] }]);
    const steps = trace.tape.backwardSteps(trace.loss);
    expect(steps.length).toBe(trace.tape.nodes.reduce((k, n) => k + n.inputs.length, 0));
    const last = new Map<number, number>();
    for (const s of steps) {
      expect(s.after).toBe(s.before + s.upstream * s.factor.value);
      last.set(s.factor.wrt.id, s.after);
    }
    for (const n of trace.tape.nodes) if (last.has(n.id)) expect(last.get(n.id), n.name).toBe(n.grad);
  });
});
