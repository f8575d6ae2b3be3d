// The kernels stay finite and accurate at ±1000, and the fast tanh stays within a few ulp.
import { describe, expect, it } from 'vitest';
import { bceFromLogit, fastExp, fastTanh, logSumExp, sigmoid, softmaxInto, softplus } from '../src/numerics.ts';
import { NET2_WASM } from '../src/kernels/net2.wasm.ts';
import { Network } from '../src/network.ts';
import { traceNetwork } from '../src/trace.ts';
import { Trainer } from '../src/trainer.ts';

describe('numerics at ±1000', () => {
  it('sigmoid saturates to exact 0 and 1 and stays accurate in the tail', () => {
    expect(sigmoid(1000)).toBe(1);
    expect(sigmoid(-1000)).toBe(0);
    // σ(-40) = e^-40/(1+e^-40): relative accuracy, not an absolute 0.
    expect(sigmoid(-40) / Math.exp(-40)).toBeCloseTo(1, 15);
  });

  it('tanh and softmax saturate without NaN', () => {
    expect(fastTanh(1000)).toBe(1);
    expect(fastTanh(-1000)).toBe(-1);
    const out = new Float64Array(3);
    softmaxInto([1000, -1000, 999], out, 0, 3);
    expect(out[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 15);
    expect(out[1]).toBe(0);
    expect(out[0] + out[1] + out[2]).toBeCloseTo(1, 15);
  });

  it('the cross-entropy logs stay finite', () => {
    expect(softplus(1000)).toBe(1000);
    expect(softplus(-1000)).toBe(0);
    expect(bceFromLogit(1000, 0)).toBe(1000); // -log(1 - σ(1000)) = 1000, not Infinity
    expect(bceFromLogit(-1000, 1)).toBe(1000);
    expect(bceFromLogit(1000, 1)).toBe(0);
    expect(logSumExp([1000, 1000], 0, 2)).toBeCloseTo(1000 + Math.LN2, 12);
  });

  it('fastTanh agrees with Math.tanh to 4 ulp over its whole range', () => {
    let worst = 0;
    for (let i = -200_000; i <= 200_000; i++) {
      const x = i * 1e-4 + (i % 7) * 1e-9; // from -20 to 20, off the grid
      const exact = Math.tanh(x);
      const ulp = Math.abs(exact) * Number.EPSILON || Number.MIN_VALUE;
      worst = Math.max(worst, Math.abs(fastTanh(x) - exact) / ulp);
    }
    expect(worst).toBeLessThan(4);
    for (const x of [1e-300, -1e-20, 1e-8, 19.09, 19.1]) expect(fastTanh(x)).toBeCloseTo(Math.tanh(x), 16);
    expect(Object.is(fastTanh(-0), -0)).toBe(true);
    expect(fastTanh(NaN)).toBeNaN();
  });

  it('fastExp agrees with Math.exp to 2 ulp from underflow to overflow', () => {
    let worst = 0;
    for (let i = -700_000; i <= 700_000; i++) {
      const x = i * 1e-3 + (i % 11) * 1e-10;
      const exact = Math.exp(x);
      worst = Math.max(worst, Math.abs(fastExp(x) - exact) / (exact * Number.EPSILON));
    }
    expect(worst).toBeLessThan(2);
    expect(fastExp(0)).toBe(1);
    expect(fastExp(710)).toBe(Infinity);
    expect(fastExp(-746)).toBe(0);
    expect(fastExp(NaN)).toBeNaN();
  });

  it('a network fed ±1000 has finite loss and gradients on both engines', () => {
    for (const [output, loss] of [['sigmoid', 'bce'], ['softmax', 'softmax_ce']] as const) {
      const net = Network.fromSpec({ layers: [2, 3, 2], activation: 'tanh', output, loss, params: {}, weights: [[[1, 0], [0, 1], [1, 1]], [[1, 1, 1], [-1, -1, -1]]], biases: [[0, 0, 0], [0, 0]] });
      const x = [1000, -1000], t = [0, 1];
      const trace = traceNetwork(net, [{ x, t }]);
      expect(Number.isFinite(trace.loss.value)).toBe(true);
      for (const p of trace.params) expect(Number.isFinite(p.grad), p.name).toBe(true);
      const trainer = new Trainer(net, 1);
      expect(trainer.step(Float64Array.from(x), Float64Array.from(t), 0, 1)).toBeCloseTo(trace.loss.value, 12);
    }
  });
});

describe("the WebAssembly kernel's activations", () => {
  const memory = new WebAssembly.Memory({ initial: 200 });
  const kernel = new WebAssembly.Instance(new WebAssembly.Module(Uint8Array.from(atob(NET2_WASM), (c) => c.charCodeAt(0))), { env: { memory } });
  const activate = kernel.exports.activate as (act: number, pz: number, pa: number, n: number) => void;
  const mem = new Float64Array(memory.buffer);
  /** The kernel's activation `act` (0 sigmoid, 1 tanh) of xs. */
  const run = (act: number, xs: number[]) => {
    mem.set(xs);
    const out = xs.length + 2; // past the input and the element an odd count also reads
    activate(act, 0, out * 8, xs.length);
    return Array.from(mem.subarray(out, out + xs.length));
  };
  const worstUlp = (got: number[], exact: number[]) =>
    got.reduce((worst, g, i) => Math.max(worst, Math.abs(g - exact[i]) / (Math.abs(exact[i]) * Number.EPSILON || Number.MIN_VALUE)), 0);
  const grid = Array.from({ length: 400_001 }, (_, n) => (n - 200_000) * 1e-4 + ((n - 200_000) % 7) * 1e-9);

  it('tanh agrees with Math.tanh to 4 ulp and keeps the edge cases', () => {
    expect(worstUlp(run(1, grid), grid.map(Math.tanh))).toBeLessThan(4);
    const edges = [0, -0, 1e-300, -1e-20, 19.09, 19.1, 1000, -1000, Infinity, NaN];
    const got = run(1, edges);
    got.forEach((v, i) => expect(Object.is(v, Math.tanh(edges[i])), `tanh(${edges[i]})`).toBe(true));
  });

  it('sigmoid agrees with 1/(1+e^-x) to 4 ulp, in the far tail too, and saturates at ±1000', () => {
    const exact = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
    const wide = grid.map((x) => x * 37);
    expect(worstUlp(run(0, wide), wide.map(exact))).toBeLessThan(4);
    const [low, high, tail, half] = run(0, [-1000, 1000, -40, 0]);
    expect([low, high, half]).toEqual([0, 1, 0.5]);
    expect(tail / Math.exp(-40)).toBeCloseTo(1, 15);
    expect(run(0, [NaN])[0]).toBeNaN();
  });
});
