// Three-way gradient agreement on random models: tracer = vectorised trainer (1e-10 relative,
// 1e-14 absolute near zero) = central finite differences (1e-6 relative), and for models of
// at most 30 parameters = mathjs's symbolic derivative of the whole loss expression. The
// trainer runs on its js backend, and on its wasm backend where the kernel serves the model;
// the two backends agree with each other on training runs too.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ActivationName } from '../src/activations.ts';
import { finiteDifferences, symbolicGradients, type Dataset } from '../src/gradcheck.ts';
import type { LossName } from '../src/losses.ts';
import { makeMoons } from '../src/moons.ts';
import { Network } from '../src/network.ts';
import { RandomState } from '../src/random.ts';
import type { ModelSpec, UpdateOrder } from '../src/spec.ts';
import { traceNetwork, tracedStep } from '../src/trace.ts';
import { type BackendName, DivergenceError, type History, Trainer } from '../src/trainer.ts';
import { expectAgree } from './helpers.ts';

const hidden: ActivationName[] = ['sigmoid', 'tanh', 'relu', 'identity'];

const modelArb = fc.record({
  sizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 5 }),
  hidden: fc.constantFrom(...hidden),
  loss: fc.constantFrom<LossName>('squared', 'half_squared', 'mean_squared', 'half_mean_squared', 'bce', 'softmax_ce'),
  squaredOutput: fc.constantFrom<ActivationName>('sigmoid', 'tanh', 'identity', 'softmax', 'relu'),
  bias: fc.constantFrom('none', 'per_neuron', 'shared' as const),
  reduction: fc.constantFrom('sum', 'mean' as const),
  l2: fc.constantFrom(0, 0.01, 0.3),
  samples: fc.integer({ min: 1, max: 4 }),
  seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
});

type Drawn = typeof modelArb extends fc.Arbitrary<infer T> ? T : never;

function build(m: Drawn): { net: Network; data: Dataset } {
  const output: ActivationName = m.loss === 'bce' ? 'sigmoid' : m.loss === 'softmax_ce' ? 'softmax' : m.squaredOutput;
  const sizes = m.sizes.slice();
  if (output === 'softmax' && sizes[sizes.length - 1] < 2) sizes[sizes.length - 1] = 2;
  const spec: ModelSpec = {
    layers: sizes,
    activation: m.hidden,
    output,
    loss: m.loss,
    bias: m.bias,
    reduction: m.reduction,
    l2: m.l2,
    init: { seed: m.seed, distribution: 'randn', biases: 'draw' },
  };
  const net = Network.fromSpec(spec);
  const rng = new RandomState(m.seed);
  const n0 = sizes[0], K = sizes[sizes.length - 1];
  const X = rng.randn(m.samples * n0);
  // Targets a model of this kind can meet: probabilities for the cross-entropies and sigmoid.
  const T = new Float64Array(m.samples * K);
  for (let s = 0; s < m.samples; s++) {
    if (m.loss === 'softmax_ce') T[s * K + Math.floor(rng.rand() * K)] = 1;
    else for (let k = 0; k < K; k++) T[s * K + k] = rng.rand();
  }
  return { net, data: { X, T, n: m.samples } };
}

function samplesOf(data: Dataset, net: Network) {
  const n0 = net.sizes[0], K = net.sizes[net.sizes.length - 1];
  return Array.from({ length: data.n }, (_, s) => ({ x: data.X.subarray(s * n0, (s + 1) * n0), t: data.T.subarray(s * K, (s + 1) * K) }));
}

const traced = (net: Network, data: Dataset) => {
  const trace = traceNetwork(net, samplesOf(data, net));
  return { loss: trace.loss.value, grads: Float64Array.from(trace.params, (p) => p.grad) };
};

const vectorised = (net: Network, data: Dataset, backend: BackendName) => {
  const trainer = new Trainer(net.clone(), data.n, { backend });
  const loss = trainer.step(data.X, data.T, 0, data.n);
  return { loss, grads: trainer.flatGradients() };
};

/** The backends that can train `net` in `order`: the kernel serves one hidden layer updated simultaneously. */
const backendsFor = (net: Network, order: UpdateOrder = net.config.update): ('js' | 'wasm')[] =>
  net.sizes.length === 3 && order === 'simultaneous' ? ['js', 'wasm'] : ['js'];

// one hidden layer: odd widths use the kernel's padding lanes, and several samples its accumulation
const oneHidden = fc.tuple(modelArb, fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 6 }))
  .map(([m, width, samples]) => ({ ...m, sizes: [m.sizes[0], width, m.sizes[m.sizes.length - 1]], samples }));

describe('three-way gradient agreement', () => {
  it('tracer = trainer = finite differences on random architectures, activations, losses and bias modes', () => {
    fc.assert(
      fc.property(modelArb, (m) => {
        const { net, data } = build(m);
        const t = traced(net, data);
        for (const backend of backendsFor(net)) {
          const v = vectorised(net, data, backend);
          expect(Math.abs(t.loss - v.loss), backend).toBeLessThanOrEqual(1e-12 * Math.abs(t.loss) + 1e-15);
          expectAgree(net, `tracer vs trainer (${backend})`, t.grads, v.grads, { rel: 1e-10, abs: 1e-14 });
        }
        // relu kinks and saturated units make differences meaningless within h of a kink: skip those points.
        const fd = finiteDifferences(net, data);
        expectAgree(net, 'tracer vs finite differences', t.grads, fd, { rel: 1e-6, abs: 1e-8 });
      }),
      { numRuns: 300, seed: 20261123 },
    );
  });

  it('equals the symbolic derivative of the loss for models of at most 30 parameters', () => {
    const small = modelArb.filter((m) => {
      const { net } = build(m);
      return net.params.length <= 30;
    });
    fc.assert(
      fc.property(small, (m) => {
        const { net, data } = build(m);
        const t = traced(net, data);
        const s = symbolicGradients(net, data);
        expectAgree(net, 'tracer vs mathjs', t.grads, s, { rel: 1e-9, abs: 1e-13 });
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  it('sequential and simultaneous updates agree between the tracer and the trainer', () => {
    fc.assert(
      fc.property(modelArb, fc.constantFrom('simultaneous', 'sequential' as const), (m, order) => {
        const { net, data } = build(m);
        const viaTracer = net.clone();
        const step = tracedStep(viaTracer, samplesOf(data, net), 0.3, order);
        for (const backend of backendsFor(net, order)) {
          const viaTrainer = net.clone();
          const trainer = new Trainer(viaTrainer, data.n, { backend });
          trainer.step(data.X, data.T, 0, data.n, 0.3, order);
          expectAgree(net, `${order} gradients applied (${backend})`, step.applied, trainer.flatGradients(), { rel: 1e-10, abs: 1e-14 });
          expectAgree(net, `${order} updated parameters (${backend})`, step.after, viaTrainer.flat(), { rel: 1e-12, abs: 1e-14 });
        }
      }),
      { numRuns: 150, seed: 99 },
    );
  });

  it('one hidden layer on both backends: tracer = trainer on wide and odd hidden layers, gradients and update', () => {
    fc.assert(
      fc.property(oneHidden, (m) => {
        const { net, data } = build(m);
        const t = traced(net, data);
        const step = tracedStep(net.clone(), samplesOf(data, net), 0.3);
        for (const backend of ['js', 'wasm'] as const) {
          const v = vectorised(net, data, backend);
          expect(Math.abs(t.loss - v.loss), backend).toBeLessThanOrEqual(1e-12 * Math.abs(t.loss) + 1e-15);
          expectAgree(net, `tracer vs ${backend}`, t.grads, v.grads, { rel: 1e-10, abs: 1e-14 });
          const viaTrainer = net.clone();
          new Trainer(viaTrainer, data.n, { backend }).step(data.X, data.T, 0, data.n, 0.3, 'simultaneous', false);
          expectAgree(net, `${backend} update`, step.after, viaTrainer.flat(), { rel: 1e-12, abs: 1e-14 });
        }
      }),
      { numRuns: 200, seed: 2026 },
    );
  });

  it("seed 002's 2-50-2 tanh/softmax net on 300 moons: tracer = trainer at the start and after 200 passes, on both backends", () => {
    const { net: start, data } = seed002();
    for (const backend of ['js', 'wasm'] as const) {
      const net = start.clone();
      for (const passes of [0, 200]) {
        new Trainer(net, 300, { backend }).trainFullBatch(data.X, data.T, 300, { iterations: passes, lr: 0.01 });
        const t = traced(net, data);
        const v = vectorised(net, data, backend);
        expect(Math.abs(t.loss - v.loss)).toBeLessThanOrEqual(1e-12 * Math.abs(t.loss));
        expectAgree(net, `2-50-2 after ${passes} passes (${backend})`, t.grads, v.grads, { rel: 1e-10, abs: 1e-14 });
      }
    }
  });
});

function seed002(): { net: Network; data: Dataset } {
  const moons = makeMoons(300, { noise: 0.2, rng: new RandomState(0) });
  const T = new Float64Array(600);
  moons.y.forEach((c, i) => (T[i * 2 + c] = 1));
  const net = Network.fromSpec({ layers: [2, 50, 2], activation: 'tanh', output: 'softmax', loss: 'softmax_ce', reduction: 'sum', l2: 0.01, init: { seed: 0, distribution: 'randn', scale: 'inv_sqrt_fan_in', layout: 'source_major' } });
  return { net, data: { X: moons.X, T, n: 300 } };
}

// The kernel and the loops do the same arithmetic in different orders (the kernel adds in pairs
// of lanes and has its own exp): within rounding of each other, not bit for bit.
describe('the js and wasm backends', () => {
  const close = { rel: 1e-10, abs: 1e-14 };

  /** A run's parameters and numbers on each backend, or where it diverged; the backends must agree on which. */
  const onBoth = (what: string, start: Network, run: (net: Network, backend: 'js' | 'wasm') => ArrayLike<number>) => {
    const outcomes = (['js', 'wasm'] as const).map((backend) => {
      const net = start.clone();
      try {
        return { values: Float64Array.from(run(net, backend)), params: net.flat() };
      } catch (e) {
        if (!(e instanceof DivergenceError)) throw e;
        return { diverged: [e.iteration, e.layer, e.quantity] };
      }
    });
    const [js, wasm] = outcomes;
    if (js.diverged || wasm.diverged) return expect(wasm.diverged, `${what}: where each diverged`).toEqual(js.diverged);
    expectAgree(start, `${what}: parameters`, js.params!, wasm.params!, close);
    expectAllClose(`${what}: numbers`, js.values!, wasm.values!, close);
  };

  // Short runs at a small rate: rounding differences grow with every step of a run near divergence.
  it('agree on one-hidden-layer networks: step gradients, full-batch training and per-sample SGD', () => {
    fc.assert(
      fc.property(oneHidden, fc.constantFrom('before_step', 'after_step' as const), fc.boolean(), (m, epochLoss, shuffled) => {
        const { net, data } = build(m);
        onBoth('step: loss and gradients', net, (trained, backend) => {
          const trainer = new Trainer(trained, data.n, { backend });
          return [trainer.step(data.X, data.T, 0, data.n, 0.1), ...trainer.flatGradients()];
        });
        onBoth('full batch: losses and predictions', net, (trained, backend) => {
          const trainer = new Trainer(trained, data.n, { backend });
          const history = trainer.trainFullBatch(data.X, data.T, data.n, { iterations: 6, lr: 0.01, lossEvery: 4 });
          return [...history.loss, ...trainer.predict(data.X, data.n)];
        });
        const sampleOrder = shuffled ? (e: number) => new RandomState(e).permutation(data.n) : undefined;
        onBoth(`SGD (${epochLoss}): losses and predictions`, net, (trained, backend) => {
          const trainer = new Trainer(trained, 1, { backend });
          const history = trainer.trainSGD(data.X, data.T, data.n, { epochs: 2, lr: 0.01, epochLoss, sampleOrder });
          return [...history.loss, ...trainer.predict(data.X, data.n)];
        });
      }),
      { numRuns: 150, seed: 4242 },
    );
  });

  // Before the backends, one-hidden-layer networks never ran on the loops. Here they do, on the
  // lessons' kinds of run: within rounding of the kernel, and with other bits than its.
  it('the js backend really runs one-hidden-layer networks', () => {
    const moons = seed002();
    const iris = build({ sizes: [4, 6, 3], hidden: 'sigmoid', loss: 'half_squared', squaredOutput: 'sigmoid', bias: 'per_neuron', reduction: 'sum', l2: 0, samples: 30, seed: 4 });
    const seed000 = Network.fromSpec({ layers: [3, 5, 1], activation: 'sigmoid', loss: 'squared', bias: 'none', init: { seed: 0, distribution: 'rand' } });
    const cases: { what: string; start: Network; run: (net: Network, backend: 'js' | 'wasm') => History }[] = [
      { what: '2-50-2 moons, full batch', start: moons.net, run: (net, backend) => new Trainer(net, 300, { backend }).trainFullBatch(moons.data.X, moons.data.T, 300, { iterations: 100, lr: 0.01 }) },
      { what: '4-6-3, per-sample SGD', start: iris.net, run: (net, backend) => new Trainer(net, 1, { backend }).trainSGD(iris.data.X, iris.data.T, iris.data.n, { epochs: 20, lr: 0.05, epochLoss: 'after_step' }) },
      { what: '3-5-1, one sample', start: seed000, run: (net, backend) => new Trainer(net, 1, { backend }).trainFullBatch(Float64Array.of(0.1, 0.4, 4.1), Float64Array.of(0.2), 1, { iterations: 2000, lr: 0.001 }) },
    ];
    for (const { what, start, run } of cases) {
      const [js, wasm] = (['js', 'wasm'] as const).map((backend) => {
        const net = start.clone();
        const { loss } = run(net, backend);
        return { loss, params: net.flat() };
      });
      expectAgree(start, what, js.params, wasm.params, close);
      expectAllClose(`${what}: losses`, js.loss, wasm.loss, close);
      expect(js.params, `${what}: the loops' own rounding`).not.toEqual(wasm.params);
    }
  });
});

function expectAllClose(what: string, a: Float64Array, b: Float64Array, tol: { rel: number; abs: number }): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(a[i] - b[i]) <= tol.rel * Math.max(Math.abs(a[i]), Math.abs(b[i])) + tol.abs)) expect.fail(`${what}: [${i}] ${a[i]} vs ${b[i]}`);
  }
}
