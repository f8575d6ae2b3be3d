// One comparison helper for the agreement tests: it names the parameter that disagreed.
import { expect } from 'vitest';
import type { Network } from '../src/network.ts';

export interface Tolerance {
  rel: number;
  abs: number;
}

/** Asserts |a - b| ≤ rel·max(|a|, |b|) + abs for every parameter, naming the first that fails. */
export function expectAgree(net: Network, what: string, a: ArrayLike<number>, b: ArrayLike<number>, tol: Tolerance): void {
  expect(a.length).toBe(net.params.length);
  expect(b.length).toBe(net.params.length);
  for (let i = 0; i < a.length; i++) {
    const bound = tol.rel * Math.max(Math.abs(a[i]), Math.abs(b[i])) + tol.abs;
    const diff = Math.abs(a[i] - b[i]);
    if (!(diff <= bound)) {
      expect.fail(`${what}: ∂E/∂${net.params[i].name} disagrees: ${a[i]} vs ${b[i]} (|Δ| ${diff.toExponential(2)} > ${bound.toExponential(2)}) in a [${net.sizes.join('-')}] ${net.config.activations.join('/')} ${net.config.loss} net`);
    }
  }
}
