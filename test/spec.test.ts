// The model spec: defaults, the tutorials' naming schemes, seeded initialisers, and errors
// that name the field and what was expected.
import { describe, expect, it } from 'vitest';
import { Network } from '../src/network.ts';
import { RandomState } from '../src/random.ts';
import { SpecError } from '../src/spec.ts';

const error = (spec: unknown) => {
  try {
    Network.fromSpec(spec);
  } catch (e) {
    if (e instanceof SpecError) return e.message;
    throw e;
  }
  throw new Error('expected a SpecError');
};

describe('naming schemes', () => {
  it('sequential: w1…w8 and b1…b4 as seed 003 numbers them', () => {
    const net = Network.fromSpec({ layers: [2, 2, 2], loss: 'half_squared', init: { seed: 0, distribution: 'rand' } });
    expect(net.params.map((p) => p.name)).toEqual(['w1', 'w2', 'w3', 'w4', 'b1', 'b2', 'w5', 'w6', 'w7', 'w8', 'b3', 'b4']);
    expect(net.names.preactivation(1, 2)).toEqual({ name: 'in_h2', tex: '\\name{in}_{h_{2}}' });
    expect(net.names.activation(2, 1)).toEqual({ name: 'out_o1', tex: '\\name{out}_{o_{1}}' });
  });

  it('indexed: W11, W21, W31 into the first hidden neuron and W41…W45 into the output, as seed 000', () => {
    const net = Network.fromSpec({ layers: [3, 5, 1], loss: 'squared', bias: 'none', naming: 'indexed', init: { seed: 0, distribution: 'rand' } });
    const names = net.params.map((p) => p.name);
    expect(names.slice(0, 6)).toEqual(['W11', 'W21', 'W31', 'W12', 'W22', 'W32']);
    expect(names.slice(15)).toEqual(['W41', 'W42', 'W43', 'W44', 'W45']);
    expect(net.names.preactivation(2, 1).name).toBe('sop6');
    expect(net.names.activation(1, 5).name).toBe('Activ5');
  });

  it('matrix: W^(l)_jk and b^(l)_j as seed 004', () => {
    const net = Network.fromSpec({ layers: [4, 6, 3], loss: 'half_squared', naming: 'matrix', init: { seed: 1, distribution: 'uniform', low: -0.5, high: 0.5 } });
    expect(net.param('W2_36').tex).toBe('W^{(2)}_{36}');
    expect(net.param('b1_6').tex).toBe('b^{(1)}_{6}');
  });
});

describe('initialisers draw what numpy draws', () => {
  it('rand, target-major: w1_3…w5_3 then w6_5 as seed 000 draws them', () => {
    const net = Network.fromSpec({ layers: [3, 5, 1], loss: 'squared', bias: 'none', naming: 'indexed', init: { seed: 0, distribution: 'rand' } });
    const rng = new RandomState(0);
    const hidden = Array.from({ length: 5 }, () => rng.rand(3));
    expect(net.get('W21')).toBe(hidden[0][1]);
    expect(net.get('W35')).toBe(hidden[4][2]);
    expect(net.get('W43')).toBe(rng.rand(5)[2]);
  });

  it('randn / √fan-in, source-major, zero biases: seed 002', () => {
    const net = Network.fromSpec({ layers: [2, 3, 2], activation: 'tanh', output: 'softmax', loss: 'softmax_ce', naming: 'matrix', init: { seed: 0, distribution: 'randn', scale: 'inv_sqrt_fan_in', layout: 'source_major' } });
    const rng = new RandomState(0);
    const W1 = rng.randn(6); // numpy shape (2, 3): row = input
    expect(net.get('W1_21')).toBe(W1[0 * 3 + 1] / Math.sqrt(2)); // into hidden 2 from input 1
    expect(net.get('b1_3')).toBe(0);
  });
});

describe('spec errors name the field and what was expected', () => {
  it.each([
    [{ layers: [2], loss: 'squared' }, 'model.layers: expected a list of at least two layer sizes'],
    [{ layers: [2, 0, 1], loss: 'squared' }, 'model.layers[1]: expected a positive whole number of neurons, got 0'],
    [{ layers: [2, 1], loss: 'cubic' }, 'model.loss: expected one of squared, half_squared'],
    [{ layers: [2, 1], loss: 'bce', activation: 'tanh' }, 'model.loss: bce needs a sigmoid output layer'],
    [{ layers: [2, 2, 1], loss: 'squared', activation: ['softmax', 'sigmoid'] }, 'model.activation: softmax is only allowed on the output layer'],
    [{ layers: [2, 1], loss: 'squared', activation: ['sigmoid', 'tanh'] }, 'model.activation: expected 1 activations'],
    [{ layers: [2, 1], loss: 'squared', params: { w1: 1 } }, 'model: no value for w2, b1'],
    [{ layers: [2, 1], loss: 'squared', params: { w1: 1, w2: 2, b1: 0, w9: 3 } }, 'model.params.w9: no parameter is called w9'],
    [{ layers: [2, 1], loss: 'squared', params: { w1: 'x' } }, 'model.params.w1: expected a finite number, got "x"'],
    [{ layers: [2, 1], loss: 'squared', weights: [[[1]]] }, 'model.weights[0][0]: expected 2 weights'],
    [{ layers: [2, 1], loss: 'squared', init: { seed: -1 } }, 'model.init.seed: expected a whole number from 0 to 2^32-1'],
    [{ layers: [2, 1], loss: 'squared', update: 'random' }, 'model.update: expected one of simultaneous, sequential'],
    [{ layers: [2, 1], loss: 'squared', lr: 0.5 }, 'model.lr: unknown field'],
  ])('%j', (spec, message) => {
    expect(error(spec)).toContain(message);
  });
});
