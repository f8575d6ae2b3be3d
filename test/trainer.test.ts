// The vectorised trainer's runs: history, snapshots, SGD order, and divergence reports.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedModule, kernelsDir } from '../scripts/build-wasm.ts';
import { Net2Kernel } from '../src/kernels/net2.ts';
import { Network } from '../src/network.ts';
import { DivergenceError, Trainer } from '../src/trainer.ts';
import { traceNetwork, tracedStep } from '../src/trace.ts';

const xor = {
  X: Float64Array.from([0, 0, 0, 1, 1, 0, 1, 1]),
  T: Float64Array.from([0, 1, 1, 0]),
  n: 4,
};
const spec = { layers: [2, 3, 1], activation: 'tanh', output: 'sigmoid', loss: 'bce', init: { seed: 3, distribution: 'randn', biases: 'draw' } } as const;

describe('Trainer', () => {
  it('full-batch descent: loss[i] is the loss step i descended on, equal to the tracer step by step', () => {
    const a = Network.fromSpec(spec), b = Network.fromSpec(spec);
    const history = new Trainer(a, 4).trainFullBatch(xor.X, xor.T, 4, { iterations: 5, lr: 0.5, snapshotEvery: 2 });
    const samples = [0, 1, 2, 3].map((s) => ({ x: xor.X.subarray(2 * s, 2 * s + 2), t: xor.T.subarray(s, s + 1) }));
    for (let i = 0; i < 5; i++) expect(history.loss[i]).toBeCloseTo(tracedStep(b, samples, 0.5).trace.loss.value, 13);
    expect(a.flat()).toEqual(b.flat().map((v, i) => (Math.abs(v - a.flat()[i]) < 1e-13 ? a.flat()[i] : v)));
    expect(history.snapshots.map((s) => s.iteration)).toEqual([0, 2, 4]);
    expect(history.snapshots[0].params).toEqual(Network.fromSpec(spec).flat());
    expect(history.loss[4]).toBeLessThan(history.loss[0]);
    expect(history.predictions[3]).toBeCloseTo(traceNetwork(a, [samples[3]]).samples[0].a[1][0].value, 14);
  });

  it('per-sample SGD visits samples in the given order', () => {
    const inOrder = Network.fromSpec(spec), reversed = Network.fromSpec(spec), byHand = Network.fromSpec(spec);
    new Trainer(inOrder, 1).trainSGD(xor.X, xor.T, 4, { epochs: 1, lr: 0.1 });
    new Trainer(reversed, 1).trainSGD(xor.X, xor.T, 4, { epochs: 1, lr: 0.1, sampleOrder: () => [3, 2, 1, 0] });
    for (const s of [3, 2, 1, 0]) tracedStep(byHand, [{ x: xor.X.subarray(2 * s, 2 * s + 2), t: xor.T.subarray(s, s + 1) }], 0.1);
    const r = reversed.flat(), h = byHand.flat();
    r.forEach((v, i) => expect(v).toBeCloseTo(h[i], 14));
    expect(inOrder.flat()[0]).not.toBeCloseTo(r[0], 10);
  });

  it('reports divergence with the iteration and the layer where it appeared', () => {
    const net = Network.fromSpec({ layers: [1, 1, 1], activation: 'identity', loss: 'squared', params: { w1: 1, b1: 0, w2: 1, b2: 0 } });
    const trainer = new Trainer(net, 1);
    let caught: unknown;
    try {
      trainer.trainFullBatch(Float64Array.of(10), Float64Array.of(0), 1, { iterations: 1000, lr: 1 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DivergenceError);
    const d = caught as DivergenceError;
    expect(d.iteration).toBeGreaterThan(3);
    expect(d.iteration).toBeLessThan(20);
    expect(d.message).toMatch(/^training diverged at iteration \d+: (the (weighted sums|gradients) of layer [12]|the loss \(from the outputs of layer 2\)) became NaN or infinite/);
  });
});

describe('the WebAssembly kernel', () => {
  it('is the one scripts/build-wasm.ts assembles from net2.wat', async () => {
    const committed = readFileSync(join(kernelsDir, 'net2.wasm.ts'), 'utf8');
    expect(committed).toBe(await generatedModule(join(kernelsDir, 'net2.wat')));
  });

  it('runs here, so the agreement tests exercise it', () => {
    expect(Net2Kernel.for(Network.fromSpec(spec), 4)).toBeDefined();
  });
});
