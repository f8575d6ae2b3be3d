// Seed 003's worked example (2-2-2 sigmoid, ½ squared error, lr 0.5), computed from its stated
// values, and the same network with one shared bias per layer, checked against the figures
// of the example the tutorial follows (Matt Mazur, "A Step by Step Backpropagation Example").
import { describe, expect, it } from 'vitest';
import { gLabels } from '../render/steps.ts';
import { explainGradient } from '../src/chain.ts';
import { Network } from '../src/network.ts';
import { traceNetwork, tracedStep } from '../src/trace.ts';
import { Trainer } from '../src/trainer.ts';

const σ = (x: number) => 1 / (1 + Math.exp(-x));

describe('seed 003: the 2-2-2 worked example from its stated values', () => {
  const spec = {
    layers: [2, 2, 2],
    activation: 'sigmoid',
    loss: 'half_squared',
    params: { w1: 0.1, w2: 0.2, w3: 0.3, w4: 0.4, w5: 0.5, w6: 0.6, w7: 0.7, w8: 0.8, b1: 0.55, b2: 0.56, b3: 0.66, b4: 0.67 },
  };
  const sample = { x: [0.1, 0.2], t: [0.01, 0.99] };
  // The same numbers by hand, one formula per line of the tutorial.
  const in_h1 = 0.1 * 0.1 + 0.2 * 0.2 + 0.55; // (5.1)
  const in_h2 = 0.3 * 0.1 + 0.4 * 0.2 + 0.56;
  const out_h1 = σ(in_h1), out_h2 = σ(in_h2); // (5.2)
  const in_o1 = 0.5 * out_h1 + 0.6 * out_h2 + 0.66; // (5.3)
  const in_o2 = 0.7 * out_h1 + 0.8 * out_h2 + 0.67;
  const out_o1 = σ(in_o1), out_o2 = σ(in_o2); // (5.4)
  const E_total = 0.5 * (0.01 - out_o1) ** 2 + 0.5 * (0.99 - out_o2) ** 2; // (5.5)
  const δ_o1 = (out_o1 - 0.01) * out_o1 * (1 - out_o1); // (5.13)
  const δ_o2 = (out_o2 - 0.99) * out_o2 * (1 - out_o2);
  const δ_h1 = (δ_o1 * 0.5 + δ_o2 * 0.7) * out_h1 * (1 - out_h1);

  it('computes every forward value', () => {
    const trace = traceNetwork(Network.fromSpec(spec), [sample]);
    expect(trace.node('in_h1').value).toBeCloseTo(0.6, 15);
    expect(trace.node('in_h2').value).toBeCloseTo(0.67, 15);
    for (const [name, v] of Object.entries({ in_h1, in_h2, out_h1, out_h2, in_o1, in_o2, out_o1, out_o2, E_total })) {
      expect(trace.node(name).value, name).toBeCloseTo(v, 14);
    }
    // The tutorial prints out_h2 = 0.6592603884, which is σ(0.66): it added b3 where b2 belongs.
    expect(σ(0.66)).toBeCloseTo(0.6592603884, 9);
    expect(trace.node('out_h2').value).toBeCloseTo(0.6615031592, 10);
  });

  it('computes all 8 weight and 4 bias gradients', () => {
    const trace = traceNetwork(Network.fromSpec(spec), [sample]);
    const expected: Record<string, number> = {
      w5: δ_o1 * out_h1, w6: δ_o1 * out_h2, w7: δ_o2 * out_h1, w8: δ_o2 * out_h2, b3: δ_o1, b4: δ_o2,
      w1: δ_h1 * 0.1, w2: δ_h1 * 0.2, b1: δ_h1,
    };
    for (const [name, g] of Object.entries(expected)) expect(trace.node(name).grad, name).toBeCloseTo(g, 15);
    expect(trace.node('w5').grad).toBeCloseTo(0.0818233150, 10);
  });

  it('explains ∂E/∂w1 as (∂E_o1/∂out_h1 + ∂E_o2/∂out_h1) · ∂out_h1/∂in_h1 · ∂in_h1/∂w1, exactly', () => {
    const trace = traceNetwork(Network.fromSpec(spec), [sample]);
    const chain = explainGradient(trace.tape, trace.loss, trace.node('w1'));
    expect(chain.branchNode.name).toBe('out_h1');
    expect(chain.tail.map((f) => `${f.of.name}/${f.wrt.name}`)).toEqual(['out_h1/in_h1', 'in_h1/w1']);
    expect(chain.branches.map((b) => b.factors[1].of.name).sort()).toEqual(['E_o1', 'E_o2']);
    expect(chain.tail[0].value).toBe(out_h1 * (1 - out_h1));
    expect(chain.tail[1].value).toBe(0.1);
    expect(chain.value).toBe(trace.node('w1').grad); // bit for bit: same order of operations as backward
    const o1 = chain.paths.find((p) => p.factors[1].of.name === 'E_o1')!;
    expect(gLabels(o1.factors)).toEqual([undefined, 'g1', 'g2', 'g3', 'g4', 'g5']);
    expect(o1.factors.map((f) => f.rule)).toEqual(['sum', 'squared_error', 'sigmoid', 'linear_input', 'sigmoid', 'linear_weight']);
  });

  it('updates every parameter simultaneously with lr 0.5, and the error falls', () => {
    const net = Network.fromSpec(spec);
    tracedStep(net, [sample], 0.5);
    expect(net.get('w5')).toBeCloseTo(0.5 - 0.5 * δ_o1 * out_h1, 15);
    expect(net.get('w1')).toBeCloseTo(0.1 - 0.5 * δ_h1 * 0.1, 15);
    expect(net.get('b3')).toBeCloseTo(0.66 - 0.5 * δ_o1, 15);
    const after = traceNetwork(net, [sample]).loss.value;
    expect(after).toBeLessThan(E_total);
    const trainer = new Trainer(net, 1);
    expect(trainer.loss(Float64Array.from(sample.x), Float64Array.from(sample.t), 0, 1)).toBeCloseTo(after, 15);
  });

  it('sequential order passes the hidden error back through the updated w5 and w7', () => {
    const net = Network.fromSpec({ ...spec, update: 'sequential' });
    const step = tracedStep(net, [sample], 0.5);
    const w5new = 0.5 - 0.5 * δ_o1 * out_h1, w7new = 0.7 - 0.5 * δ_o2 * out_h1;
    const δ_h1_seq = (δ_o1 * w5new + δ_o2 * w7new) * out_h1 * (1 - out_h1);
    expect(net.get('w1')).toBeCloseTo(0.1 - 0.5 * δ_h1_seq * 0.1, 15);
    expect(net.get('w1')).not.toBeCloseTo(0.1 - 0.5 * δ_h1 * 0.1, 8);
    const chain = explainGradient(step.trace.tape, step.trace.loss, step.trace.node('w1'));
    expect(chain.paths.flatMap((p) => p.factors.filter((f) => f.rule === 'linear_input').map((f) => f.via!.name)).sort()).toEqual(['w5+', 'w7+']);
  });
});

describe('one shared bias per layer: the published step-by-step example', () => {
  const net = () =>
    Network.fromSpec({
      layers: [2, 2, 2],
      activation: 'sigmoid',
      loss: 'half_squared',
      bias: 'shared',
      params: { w1: 0.15, w2: 0.2, w3: 0.25, w4: 0.3, w5: 0.4, w6: 0.45, w7: 0.5, w8: 0.55, b1: 0.35, b2: 0.6 },
    });
  const sample = { x: [0.05, 0.1], t: [0.01, 0.99] };

  it('reproduces the published forward values and gradients (9 digits)', () => {
    const trace = traceNetwork(net(), [sample]);
    expect(trace.node('out_h1').value).toBeCloseTo(0.593269992, 9);
    expect(trace.node('out_h2').value).toBeCloseTo(0.596884378, 9);
    expect(trace.node('out_o1').value).toBeCloseTo(0.75136507, 8);
    expect(trace.node('out_o2').value).toBeCloseTo(0.772928465, 9);
    expect(trace.loss.value).toBeCloseTo(0.298371109, 9);
    expect(trace.node('w5').grad).toBeCloseTo(0.082167041, 9);
    // A shared bias collects the gradient of both neurons of its layer.
    expect(trace.node('b2').grad).toBeCloseTo(trace.samples[0].z[1][0].grad + trace.samples[0].z[1][1].grad, 15);
  });

  it('reproduces the published updated weights (the example leaves biases alone)', () => {
    const n = net();
    tracedStep(n, [sample], 0.5);
    const published = { w1: 0.149780716, w2: 0.19956143, w3: 0.24975114, w4: 0.29950229, w5: 0.35891648, w6: 0.408666186, w7: 0.511301270, w8: 0.561370121 };
    for (const [name, v] of Object.entries(published)) expect(n.get(name), name).toBeCloseTo(v, 8);
  });
});
