// Helpers shared by tests: a comparison that names the parameter that disagreed, and the build's run cache.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { packageRoot, sourceTreeHash } from '../cli/commands.ts';
import { net2Compiled } from '../src/kernels/net2.ts';
import type { LessonEffects } from '../src/lesson/directive.ts';
import type { TrainResult } from '../src/lesson/train-run.ts';
import type { StepCase } from '../src/lesson/mistakes.ts';
import { Network } from '../src/network.ts';
import { RandomState } from '../src/random.ts';

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

/**
 * The build's run cache (.cache/runs), read-only, in front of an in-memory one: a test that
 * evaluates a lesson the build has trained reuses its runs instead of training them again.
 * Entries are served only as the CLI serves them (the key they were written for, an intact
 * checksum); anything else trains here. Nothing is written, so a test never leaves entries the
 * build would have to judge.
 */
export function buildRunCache(): NonNullable<LessonEffects['cache']> {
  const dir = resolve('.cache', 'runs', `${sourceTreeHash(packageRoot)}-${net2Compiled ? 'wasm' : 'js'}`);
  const mine = new Map<string, TrainResult>();
  return {
    get(key) {
      if (mine.has(key)) return mine.get(key);
      const file = join(dir, `${createHash('sha256').update(key).digest('hex')}.json`);
      if (!existsSync(file)) return undefined;
      try {
        const entry = JSON.parse(readFileSync(file, 'utf8')) as { key?: unknown; check?: unknown; result?: TrainResult };
        const body = JSON.stringify(entry.result);
        if (entry.key !== key || entry.check !== createHash('sha256').update(key).update('\0').update(body).digest('hex')) return undefined;
        const result = entry.result!;
        if (result.finalLoss === null) result.finalLoss = NaN; // JSON has no NaN
        return result;
      } catch {
        return undefined;
      }
    },
    set(key, value) {
      mine.set(key, value);
    },
  };
}

/** A network with every bias drawn too (init leaves them 0), and two samples. */
export function randomStep(layers: number[], activation: string, loss: string, seed: number): StepCase {
  const net = Network.fromSpec({ layers, activation, loss, init: { seed } });
  const rng = new RandomState(seed + 1);
  for (const b of net.b) for (let j = 0; j < b.length; j++) b[j] = rng.uniform(-0.5, 0.5);
  const sample = () => ({ x: Array.from({ length: layers[0] }, () => rng.uniform(-1, 1)), t: Array.from({ length: layers[layers.length - 1] }, () => rng.uniform(0.1, 0.9)) });
  return { net, samples: [sample(), sample()], lr: 0.5 };
}

