// The vectorised trainer's runs (history, SGD order, divergence reports), its backends, and the
// WebAssembly kernel's binding.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble, generatedModule, kernelsDir } from '../scripts/build-wasm.ts';
import { DIVERGENCE, GRADIENTS_1, GRADIENTS_2, KERNEL_FUNCTIONS, KERNEL_RESULTS, KERNEL_SETTINGS, LOSS, Net2Kernel, OK, WEIGHTED_SUMS_1, WEIGHTED_SUMS_1_AFTER_UPDATE, WEIGHTED_SUMS_2, WEIGHTED_SUMS_2_AFTER_UPDATE } from '../src/kernels/net2.ts';
import { NET2_WASM } from '../src/kernels/net2.wasm.ts';
import { Network } from '../src/network.ts';
import { DivergenceError, type History, Trainer } from '../src/trainer.ts';
import { traceNetwork, tracedStep } from '../src/trace.ts';

const xor = {
  X: Float64Array.from([0, 0, 0, 1, 1, 0, 1, 1]),
  T: Float64Array.from([0, 1, 1, 0]),
  n: 4,
};
const spec = { layers: [2, 3, 1], activation: 'tanh', output: 'sigmoid', loss: 'bce', init: { seed: 3, distribution: 'randn', biases: 'draw' } } as const;

describe('Trainer', () => {
  for (const backend of ['js', 'wasm'] as const) {
    it(`full-batch descent (${backend}): loss[i] is the loss step i descended on, equal to the tracer step by step`, () => {
      const a = Network.fromSpec(spec), b = Network.fromSpec(spec), whole = Network.fromSpec(spec);
      const trainer = new Trainer(a, 4, { backend });
      const samples = [0, 1, 2, 3].map((s) => ({ x: xor.X.subarray(2 * s, 2 * s + 2), t: xor.T.subarray(s, s + 1) }));
      // Trained in chunks of 2, 2 and 1 iterations: before each chunk the network holds the
      // parameters before that iteration's update, the tracer's after as many steps.
      const losses: number[] = [];
      let history: History | undefined;
      for (const chunk of [2, 2, 1]) {
        if (losses.length === 0) expect(a.flat()).toEqual(Network.fromSpec(spec).flat());
        a.flat().forEach((v, i) => expect(v).toBeCloseTo(b.flat()[i], 13));
        history = trainer.trainFullBatch(xor.X, xor.T, 4, { iterations: chunk, lr: 0.5 });
        for (let i = 0; i < chunk; i++) {
          expect(history.loss[i]).toBeCloseTo(tracedStep(b, samples, 0.5).trace.loss.value, 13);
          losses.push(history.loss[i]);
        }
      }
      a.flat().forEach((v, i) => expect(v).toBeCloseTo(b.flat()[i], 13));
      expect(losses[4]).toBeLessThan(losses[0]);
      expect(trainer.predict(xor.X, 4)[3]).toBeCloseTo(traceNetwork(a, [samples[3]]).samples[0].a[1][0].value, 14);
      // chunks change no number: the same run in one piece
      const uninterrupted = new Trainer(whole, 4, { backend }).trainFullBatch(xor.X, xor.T, 4, { iterations: 5, lr: 0.5 });
      expect(Array.from(uninterrupted.loss)).toEqual(losses);
      expect(whole.flat()).toEqual(a.flat());
    });
  }

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
    expect(new Trainer(Network.fromSpec(spec), 4).backend).toBe('wasm');
    expect(new Trainer(Network.fromSpec(spec), 4, { backend: 'wasm' }).backend).toBe('wasm');
  });

  // Every exported mutable global is a setting the binding sets or a result it reads; the
  // binding names no global the module lacks.
  it("has exactly the globals and functions src/kernels/net2.ts declares", () => {
    const wat = readFileSync(join(kernelsDir, 'net2.wat'), 'utf8');
    const exported = [...wat.matchAll(/\(global \$(\w+) \(export "(\w+)"\) \((mut )?/g)];
    for (const [, name, as, mut] of exported) expect([name, mut], `global ${name}`).toEqual([as, 'mut ']);
    const declared = [...KERNEL_SETTINGS, ...KERNEL_RESULTS];
    expect(new Set(declared).size).toBe(declared.length);
    expect(exported.map((m) => m[2]).sort()).toEqual(declared.slice().sort());
    const module = new WebAssembly.Module(Uint8Array.from(atob(NET2_WASM), (c) => c.charCodeAt(0)));
    const exports = WebAssembly.Module.exports(module);
    expect(exports.filter((e) => e.kind === 'global').map((e) => e.name).sort()).toEqual(declared.slice().sort());
    const functions = exports.filter((e) => e.kind === 'function').map((e) => e.name);
    for (const name of KERNEL_FUNCTIONS) expect(functions).toContain(name);
  });

  it('binds no global the module lacks: a missing one fails at instantiation', async () => {
    const wat = readFileSync(join(kernelsDir, 'net2.wat'), 'utf8');
    const without = (name: string) => wat.replace(`(export "${name}") `, '');
    for (const name of ['c2', 'pOrder', 'stoppedAt']) {
      const module = new WebAssembly.Module(await assemble('net2.wat', without(name)));
      expect(() => new Net2Kernel(Network.fromSpec(spec), 4, module)).toThrow(`net2.wasm exports no global ${name}`);
    }
    const intact = new WebAssembly.Module(await assemble('net2.wat', wat));
    expect(new Net2Kernel(Network.fromSpec(spec), 4, intact).A2).toHaveLength(4);
  });

  it('gives every status its own value and meaning', () => {
    const statuses = [OK, WEIGHTED_SUMS_1, WEIGHTED_SUMS_2, GRADIENTS_2, GRADIENTS_1, WEIGHTED_SUMS_1_AFTER_UPDATE, WEIGHTED_SUMS_2_AFTER_UPDATE, LOSS];
    expect(new Set(statuses).size).toBe(statuses.length);
    expect(Object.keys(DIVERGENCE).map(Number).sort()).toEqual(statuses.filter((s) => s !== OK).sort());
  });
});

describe('the backends', () => {
  const deeper = { ...spec, layers: [2, 3, 3, 1] } as const;

  it("'auto' takes the kernel for one hidden layer, the loops else; 'js' takes the loops everywhere", () => {
    expect(new Trainer(Network.fromSpec(deeper), 4).backend).toBe('js');
    expect(new Trainer(Network.fromSpec({ ...spec, update: 'sequential' }), 4).backend).toBe('wasm');
    expect(new Trainer(Network.fromSpec(spec), 4, { backend: 'js' }).backend).toBe('js');
    expect(new Trainer(Network.fromSpec(deeper), 4, { backend: 'js' }).backend).toBe('js');
  });

  it("'wasm' where the kernel cannot serve throws a RangeError saying why", () => {
    expect(() => new Trainer(Network.fromSpec(deeper), 4, { backend: 'wasm' })).toThrow(new RangeError("backend 'wasm' cannot train this network: the one-hidden-layer kernel serves networks with one hidden layer, and this one has 2"));
    expect(() => new Trainer(Network.fromSpec({ ...spec, update: 'sequential' }), 4, { backend: 'wasm' })).toThrow(/updates simultaneously, and this network updates sequentially/);
    const trainer = new Trainer(Network.fromSpec(spec), 4, { backend: 'wasm' });
    expect(() => trainer.step(xor.X, xor.T, 0, 4, 0.5, 'sequential')).toThrow(RangeError);
    expect(() => trainer.trainFullBatch(xor.X, xor.T, 4, { iterations: 1, lr: 0.5, order: 'sequential' })).toThrow(RangeError);
    expect(() => trainer.trainSGD(xor.X, xor.T, 4, { epochs: 1, lr: 0.5, order: 'sequential' })).toThrow(RangeError);
  });

  it("'auto' runs sequential calls on a one-hidden-layer network with the loops, in the kernel's rows and gradients", () => {
    const model = { ...spec, layers: [2, 5, 2], loss: 'half_squared', output: 'sigmoid', l2: 0.01 } as const;
    const X = Float64Array.from([0.5, -1, 1, 2, -0.3, 0.8]), T = Float64Array.from([1, 0, 0, 1, 0, 1]);
    for (const update of ['simultaneous', 'sequential'] as const) {
      const viaAuto = Network.fromSpec({ ...model, update }), viaJs = Network.fromSpec({ ...model, update });
      const auto = new Trainer(viaAuto, 3), js = new Trainer(viaJs, 3, { backend: 'js' });
      expect(auto.step(X, T, 0, 3, 0.3, 'sequential')).toBe(js.step(X, T, 0, 3, 0.3, 'sequential'));
      expect(auto.flatGradients()).toEqual(js.flatGradients());
      expect(auto.preactivations(1).subarray(0, 15)).toEqual(js.preactivations(1).subarray(0, 15));
      expect(viaAuto.flat()).toEqual(viaJs.flat());
      const order = 'sequential';
      expect(auto.trainFullBatch(X, T, 3, { iterations: 20, lr: 0.3, order }).loss).toEqual(js.trainFullBatch(X, T, 3, { iterations: 20, lr: 0.3, order }).loss);
      expect(auto.trainSGD(X, T, 3, { epochs: 5, lr: 0.3, order }).loss).toEqual(js.trainSGD(X, T, 3, { epochs: 5, lr: 0.3, order }).loss);
      expect(viaAuto.flat()).toEqual(viaJs.flat());
    }
  });

  it('refuses a batch larger than the trainer was made for, on either backend', () => {
    for (const backend of ['js', 'wasm'] as const) {
      const trainer = new Trainer(Network.fromSpec(spec), 2, { backend });
      expect(() => trainer.forward(xor.X, 0, 3)).toThrow(RangeError);
      expect(() => trainer.step(xor.X, xor.T, 0, 3)).toThrow(RangeError);
      expect(() => trainer.trainFullBatch(xor.X, xor.T, 4, { iterations: 1, lr: 0.5 })).toThrow(RangeError);
      expect(trainer.predict(xor.X, 4)).toHaveLength(4);
    }
  });
});

describe('per-sample SGD', () => {
  // On the kernel, with a squared loss each epoch is one call, with a cross-entropy one call a
  // step (and the forward pass after it, for after_step).
  const models = {
    squared: { layers: [2, 3, 2], activation: 'sigmoid', loss: 'half_squared', l2: 0.01, bias: 'shared', init: { seed: 5, distribution: 'randn', biases: 'draw' } },
    softmax_ce: { layers: [2, 3, 2], activation: 'tanh', output: 'softmax', loss: 'softmax_ce', l2: 0.01, init: { seed: 5, distribution: 'randn', biases: 'draw' } },
  } as const;
  const data = { X: Float64Array.from([0.5, -1, 1, 2, -0.3, 0.8]), T: Float64Array.from([1, 0, 0, 1, 0, 1]), n: 3 };
  const sample = (s: number) => ({ x: data.X.subarray(2 * s, 2 * s + 2), t: data.T.subarray(2 * s, 2 * s + 2) });

  for (const [loss, model] of Object.entries(models)) {
    for (const epochLoss of ['before_step', 'after_step'] as const) {
      for (const backend of ['js', 'wasm'] as const) it(`with ${loss} equals the tracer's steps (${epochLoss}, ${backend})`, () => {
        const viaTrainer = Network.fromSpec(model), viaTracer = Network.fromSpec(model);
        const order = (e: number) => (e % 2 ? [2, 0, 1] : [1, 2, 0]);
        const history = new Trainer(viaTrainer, 1, { backend }).trainSGD(data.X, data.T, data.n, { epochs: 4, lr: 0.4, sampleOrder: order, epochLoss });
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

  it("stops the kernel's diverging epoch at the step the per-step calls stop at, with its layer and quantity", () => {
    const wild = { layers: [1, 2, 1], activation: 'identity', loss: 'squared', init: { seed: 1, distribution: 'randn', biases: 'draw' } } as const;
    const X = Float64Array.of(10, -20, 30), T = Float64Array.of(1, 2, 3);
    const stepwise = Network.fromSpec(wild), trainer = new Trainer(stepwise, 1, { backend: 'wasm' });
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
      new Trainer(epochs, 1, { backend: 'wasm' }).trainSGD(X, T, 3, { epochs: 100, lr: 0.5, epochLoss: 'after_step' });
    } catch (e) {
      caught = e as DivergenceError;
    }
    expect(caught).toBeInstanceOf(DivergenceError);
    expect(caught!.iteration).toBe(steps);
    expect([caught!.layer, caught!.quantity]).toEqual([expected!.layer, expected!.quantity]);
    expect(epochs.flat()).toEqual(stepwise.flat());
  });
});
