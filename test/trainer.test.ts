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

  // Per-sample SGD on the kernel: with a squared loss each epoch is one call, with a
  // cross-entropy one call a step (and the forward pass after it, for after_step).
  const models = {
    squared: { layers: [2, 3, 2], activation: 'sigmoid', loss: 'half_squared', l2: 0.01, bias: 'shared', init: { seed: 5, distribution: 'randn', biases: 'draw' } },
    softmax_ce: { layers: [2, 3, 2], activation: 'tanh', output: 'softmax', loss: 'softmax_ce', l2: 0.01, init: { seed: 5, distribution: 'randn', biases: 'draw' } },
  } as const;
  const data = { X: Float64Array.from([0.5, -1, 1, 2, -0.3, 0.8]), T: Float64Array.from([1, 0, 0, 1, 0, 1]), n: 3 };
  const sample = (s: number) => ({ x: data.X.subarray(2 * s, 2 * s + 2), t: data.T.subarray(2 * s, 2 * s + 2) });

  for (const [loss, model] of Object.entries(models)) {
    for (const epochLoss of ['before_step', 'after_step'] as const) {
      it(`per-sample SGD with ${loss} equals the tracer's steps (${epochLoss})`, () => {
        const viaTrainer = Network.fromSpec(model), viaTracer = Network.fromSpec(model);
        const order = (e: number) => (e % 2 ? [2, 0, 1] : [1, 2, 0]);
        const history = new Trainer(viaTrainer, 1).trainSGD(data.X, data.T, data.n, { epochs: 4, lr: 0.4, sampleOrder: order, epochLoss });
        for (let e = 0; e < 4; e++) {
          let sum = 0;
          for (const s of order(e)) {
            const before = tracedStep(viaTracer, [sample(s)], 0.4).trace.loss.value;
            sum += epochLoss === 'before_step' ? before : traceNetwork(viaTracer, [sample(s)]).loss.value;
          }
          expect(history.loss[e]).toBeCloseTo(sum, 13);
        }
        viaTracer.flat().forEach((v, i) => expect(viaTrainer.flat()[i]).toBeCloseTo(v, 13));
      });
    }
  }

  it('stops a diverging epoch at the step the per-step calls stop at, with its layer and quantity', () => {
    const wild = { layers: [1, 2, 1], activation: 'identity', loss: 'squared', init: { seed: 1, distribution: 'randn', biases: 'draw' } } as const;
    const X = Float64Array.of(10, -20, 30), T = Float64Array.of(1, 2, 3);
    const stepwise = Network.fromSpec(wild), trainer = new Trainer(stepwise, 1);
    let steps = 0, expected: DivergenceError | undefined;
    try {
      for (; steps < 300; steps++) {
        trainer.step(X, T, steps % 3, 1, 0.5);
        trainer.loss(X, T, steps % 3, 1);
      }
    } catch (e) {
      expected = e as DivergenceError;
    }
    expect(expected).toBeInstanceOf(DivergenceError);
    const epochs = Network.fromSpec(wild);
    let caught: DivergenceError | undefined;
    try {
      new Trainer(epochs, 1).trainSGD(X, T, 3, { epochs: 100, lr: 0.5, epochLoss: 'after_step' });
    } catch (e) {
      caught = e as DivergenceError;
    }
    expect(caught).toBeInstanceOf(DivergenceError);
    expect(caught!.iteration).toBe(steps);
    expect([caught!.layer, caught!.quantity]).toEqual([expected!.layer, expected!.quantity]);
    expect(epochs.flat()).toEqual(stepwise.flat());
  });
});
