// Three-way gradient agreement on random models: tracer = vectorised trainer (1e-10 relative,
// 1e-14 absolute near zero) = central finite differences (1e-6 relative), and for models of
// at most 30 parameters = mathjs's symbolic derivative of the whole loss expression.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ActivationName } from '../src/activations.ts';
import { finiteDifferences, symbolicGradients, type Dataset } from '../src/gradcheck.ts';
import type { LossName } from '../src/losses.ts';
import { makeMoons } from '../src/moons.ts';
import { Network } from '../src/network.ts';
import { RandomState } from '../src/random.ts';
import type { ModelSpec } from '../src/spec.ts';
import { traceNetwork, tracedStep } from '../src/trace.ts';
import { Trainer } from '../src/trainer.ts';
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

const vectorised = (net: Network, data: Dataset) => {
  const trainer = new Trainer(net.clone(), data.n);
  const loss = trainer.step(data.X, data.T, 0, data.n);
  return { loss, grads: trainer.flatGradients() };
};

describe('three-way gradient agreement', () => {
  it('tracer = trainer = finite differences on random architectures, activations, losses and bias modes', () => {
    fc.assert(
      fc.property(modelArb, (m) => {
        const { net, data } = build(m);
        const t = traced(net, data);
        const v = vectorised(net, data);
        expect(Math.abs(t.loss - v.loss)).toBeLessThanOrEqual(1e-12 * Math.abs(t.loss) + 1e-15);
        expectAgree(net, 'tracer vs trainer', t.grads, v.grads, { rel: 1e-10, abs: 1e-14 });
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
        const viaTrainer = net.clone();
        const trainer = new Trainer(viaTrainer, data.n);
        trainer.step(data.X, data.T, 0, data.n, 0.3, order);
        expectAgree(net, `${order} gradients applied`, step.applied, trainer.flatGradients(), { rel: 1e-10, abs: 1e-14 });
        expectAgree(net, `${order} updated parameters`, step.after, viaTrainer.flat(), { rel: 1e-12, abs: 1e-14 });
      }),
      { numRuns: 150, seed: 99 },
    );
  });

  // Networks with one hidden layer, updated simultaneously, run on the WebAssembly kernel: odd
  // widths use its padding lanes, and several samples its accumulation.
  it('the one-hidden-layer kernel: tracer = trainer on wide and odd hidden layers, gradients and update', () => {
    const oneHidden = fc.tuple(modelArb, fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 6 }))
      .map(([m, width, samples]) => ({ ...m, sizes: [m.sizes[0], width, m.sizes[m.sizes.length - 1]], samples }));
    fc.assert(
      fc.property(oneHidden, (m) => {
        const { net, data } = build(m);
        const t = traced(net, data);
        const v = vectorised(net, data);
        expect(Math.abs(t.loss - v.loss)).toBeLessThanOrEqual(1e-12 * Math.abs(t.loss) + 1e-15);
        expectAgree(net, 'tracer vs kernel', t.grads, v.grads, { rel: 1e-10, abs: 1e-14 });
        const viaTracer = net.clone(), viaTrainer = net.clone();
        const step = tracedStep(viaTracer, samplesOf(data, net), 0.3);
        new Trainer(viaTrainer, data.n).step(data.X, data.T, 0, data.n, 0.3, 'simultaneous', false);
        expectAgree(net, 'kernel update', step.after, viaTrainer.flat(), { rel: 1e-12, abs: 1e-14 });
      }),
      { numRuns: 200, seed: 2026 },
    );
  });

  it("seed 002's 2-50-2 tanh/softmax net on 300 moons: tracer = trainer at the start and after 200 passes", () => {
    const moons = makeMoons(300, { noise: 0.2, rng: new RandomState(0) });
    const T = new Float64Array(600);
    moons.y.forEach((c, i) => (T[i * 2 + c] = 1));
    const net = Network.fromSpec({ layers: [2, 50, 2], activation: 'tanh', output: 'softmax', loss: 'softmax_ce', reduction: 'sum', l2: 0.01, init: { seed: 0, distribution: 'randn', scale: 'inv_sqrt_fan_in', layout: 'source_major' } });
    const data = { X: moons.X, T, n: 300 };
    for (const passes of [0, 200]) {
      new Trainer(net, 300).trainFullBatch(moons.X, T, 300, { iterations: passes, lr: 0.01 });
      const t = traced(net, data);
      const v = vectorised(net, data);
      expect(Math.abs(t.loss - v.loss)).toBeLessThanOrEqual(1e-12 * Math.abs(t.loss));
      expectAgree(net, `2-50-2 after ${passes} passes`, t.grads, v.grads, { rel: 1e-10, abs: 1e-14 });
    }
  });
});
