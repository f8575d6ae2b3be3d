// Each training lesson's headline numbers against the tutorial's algorithm written out again
// here, plainly, with Math.exp and Math.tanh and no chainbook code but the data generators
// (which test/moons.test.ts and test/iris.test.ts check against numpy and the published sums).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIRECTIVES } from '../directives/registry.ts';
import { evaluateLesson, type EvaluatedLesson } from '../src/lesson/evaluate.ts';
import { loadDataset } from '../src/lesson/dataset.ts';
import { parseLesson } from '../src/lesson/parse.ts';
import { trainRun, type TrainResult } from '../src/lesson/train-run.ts';
import { makeMoons } from '../src/moons.ts';
import { Network } from '../src/network.ts';
import { RandomState } from '../src/random.ts';

const readFile = (path: string) => readFileSync(path, 'utf8');
const lesson = (name: string): EvaluatedLesson => evaluateLesson(parseLesson(`lessons/${name}.md`, readFile(`lessons/${name}.md`)), DIRECTIVES, { readFile, perturb: false });
const σ = (z: number) => 1 / (1 + Math.exp(-z));
const close = (a: number, b: number, rel: number) => expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(rel * Math.abs(b));

describe('lesson 1: one neuron (seed 001)', () => {
  // The tutorial's loop with the chain rule's g2 = p(1 - p), from w = rand() after seed(0).
  const train = (iterations: number, lr: number) => {
    let w = new RandomState(0).rand();
    for (let k = 0; k < iterations; k++) {
      const p = σ(w * 0.1);
      w -= lr * 2 * (p - 0.3) * p * (1 - p) * 0.1;
    }
    return σ(w * 0.1);
  };
  const l = lesson('01-one-neuron');

  it('the final predictions at learning rates 0.5 and 0.01', () => {
    close(l.runs.get('fast')!.result.tracked.at(-1)![0], train(10_000, 0.5), 1e-12);
    close(l.runs.get('slow')!.result.tracked.at(-1)![0], train(50_000, 0.01), 1e-12);
    expect(train(10_000, 0.5)).toBeCloseTo(0.3, 2);
    expect(train(50_000, 0.01)).toBeGreaterThan(0.4); // the tutorial's claim that it reaches 0.3 fails
  });
});

describe('lesson 3: any number of hidden neurons (seed 000)', () => {
  // The loop listing: w1_3 … w5_3 = rand(3), w6_5 = rand(5); the true gradient each step.
  const train = (hidden: number, iterations: number) => {
    const rng = new RandomState(0);
    const W = Array.from({ length: hidden }, () => Array.from(rng.rand(3)));
    let v = Array.from(rng.rand(hidden));
    const x = [0.1, 0.4, 4.1];
    let predicted = 0;
    for (let k = 0; k < iterations; k++) {
      const sig = W.map((w) => σ(w[0] * x[0] + w[1] * x[1] + w[2] * x[2]));
      predicted = σ(sig.reduce((s, a, j) => s + a * v[j], 0));
      const g12 = 2 * (predicted - 0.2) * predicted * (1 - predicted);
      const old = v;
      v = v.map((vj, j) => vj - 0.001 * g12 * sig[j]);
      W.forEach((w, j) => w.forEach((_, i) => (w[i] -= 0.001 * g12 * old[j] * sig[j] * (1 - sig[j]) * x[i])));
    }
    const sig = W.map((w) => σ(w[0] * x[0] + w[1] * x[1] + w[2] * x[2]));
    return σ(sig.reduce((s, a, j) => s + a * v[j], 0));
  };
  const l = lesson('03-hidden-neurons');

  it('the prediction after 80 000 iterations with 5 and with 8 hidden neurons', () => {
    close(l.runs.get('five')!.result.tracked.at(-1)![0], train(5, 80_000), 1e-10);
    close(l.runs.get('eight')!.result.tracked.at(-1)![0], train(8, 80_000), 1e-10);
  });

  it('the single-pass listing steps along the aliased gradient, not the true one', () => {
    const main = l.models.get('main')!, aliased = l.models.get('aliased')!;
    const w11 = main.net.params.findIndex((p) => p.name === 'W11');
    expect(aliased.step.applied[w11]).not.toBe(main.step.applied[w11]);
    close(aliased.step.applied[w11], main.step.applied[w11], 1e-2);
    // The listing itself, one step: w6_5 updated in place, then every hidden block's g3 read from it (w6_5_old is the same array).
    const rng = new RandomState(0);
    const W = Array.from({ length: 5 }, () => Array.from(rng.rand(3)));
    const w6_5 = Array.from(rng.rand(5));
    const x = [0.1, 0.4, 4.1];
    const sig = W.map((w) => σ(w[0] * x[0] + w[1] * x[1] + w[2] * x[2]));
    const predicted = σ(sig.reduce((s, a, j) => s + a * w6_5[j], 0));
    const g12 = 2 * (predicted - 0.2) * predicted * (1 - predicted);
    for (let j = 0; j < 5; j++) w6_5[j] -= 0.001 * g12 * sig[j];
    for (let j = 0; j < 5; j++) {
      for (let i = 0; i < 3; i++) {
        const k = aliased.net.params.findIndex((p) => p.name === `W${i + 1}${j + 1}`);
        close(aliased.step.applied[k], g12 * w6_5[j] * sig[j] * (1 - sig[j]) * x[i], 1e-15);
      }
    }
  });
});

describe('lesson 4: deeper networks (seed 003, code)', () => {
  // The tutorial's NeuralNetwork([2, h, 2]) with the output layer outside the loop: tanh hidden,
  // two sigmoid outputs, cross-entropy averaged over the 60 points, lr 0.1, seed(3) weights.
  const train = (h: number, iterations: number) => {
    const m = makeMoons(60, { noise: 1.0, rng: new RandomState(1) });
    const rng = new RandomState(3);
    const W1 = Array.from({ length: h }, () => Array.from(rng.randn(2), (v) => v / Math.sqrt(2)));
    const W2 = Array.from({ length: 2 }, () => Array.from(rng.randn(h), (v) => v / Math.sqrt(h)));
    const b1 = new Array(h).fill(0), b2 = [0, 0];
    const forward = (i: number) => {
      const a = W1.map((w, j) => Math.tanh(w[0] * m.X[2 * i] + w[1] * m.X[2 * i + 1] + b1[j]));
      const o = W2.map((w, k) => σ(w.reduce((s2, wj, j) => s2 + wj * a[j], b2[k])));
      return { a, o };
    };
    for (let it = 0; it < iterations; it++) {
      const gW1 = W1.map((w) => w.map(() => 0)), gW2 = W2.map((w) => w.map(() => 0)), gb1 = b1.map(() => 0), gb2 = [0, 0];
      for (let i = 0; i < 60; i++) {
        const { a, o } = forward(i);
        const d2 = o.map((ok, k) => (ok - (m.y[i] === k ? 1 : 0)) / 60); // -(t/o - (1-t)/(1-o)) · o(1-o) / m
        const d1 = a.map((aj, j) => (1 - aj * aj) * d2.reduce((s2, d, k) => s2 + d * W2[k][j], 0));
        d2.forEach((d, k) => { gb2[k] += d; a.forEach((aj, j) => (gW2[k][j] += d * aj)); });
        d1.forEach((d, j) => { gb1[j] += d; gW1[j][0] += d * m.X[2 * i]; gW1[j][1] += d * m.X[2 * i + 1]; });
      }
      W1.forEach((w, j) => { w[0] -= 0.1 * gW1[j][0]; w[1] -= 0.1 * gW1[j][1]; b1[j] -= 0.1 * gb1[j]; });
      W2.forEach((w, k) => { w.forEach((_, j) => (w[j] -= 0.1 * gW2[k][j])); b2[k] -= 0.1 * gb2[k]; });
    }
    let loss = 0, right = 0;
    for (let i = 0; i < 60; i++) {
      const { o } = forward(i);
      o.forEach((ok, k) => { const t = m.y[i] === k ? 1 : 0; loss -= t * Math.log(ok) + (1 - t) * Math.log(1 - ok); });
      if ((o[1] > o[0] ? 1 : 0) === m.y[i]) right++;
    }
    return { loss: loss / 60, accuracy: right / 60 };
  };
  const l = lesson('04-deeper-networks');

  it('the final loss and accuracy of the 1- and 4-neuron runs after 30 000 iterations', () => {
    for (const h of [1, 4]) {
      const expected = train(h, 30_000);
      const run = l.runs.get(`hidden-${h}`)!.result;
      close(run.finalLoss, expected.loss, 1e-8);
      expect(run.accuracy).toBe(expected.accuracy);
    }
  });
});

describe('lesson 5: tanh, softmax and two moons (seed 002)', () => {
  // build_model as printed: sums over the 300 points (not divided by N), reg λ·W.
  const buildModel = (h: number, passes: number) => {
    const m = makeMoons(300, { noise: 0.2, rng: new RandomState(0) });
    const rng = new RandomState(0);
    const W1 = Array.from(rng.randn(2 * h), (v) => v / Math.sqrt(2)); // (2, h)
    const W2 = Array.from(rng.randn(h * 2), (v) => v / Math.sqrt(h)); // (h, 2)
    const b1 = new Array(h).fill(0), b2 = [0, 0];
    const forward = (i: number) => {
      const a = Array.from({ length: h }, (_, j) => Math.tanh(m.X[2 * i] * W1[j] + m.X[2 * i + 1] * W1[h + j] + b1[j]));
      const z = [0, 1].map((k) => a.reduce((s, aj, j) => s + aj * W2[j * 2 + k], b2[k]));
      return { a, z };
    };
    for (let p = 0; p < passes; p++) {
      const dW1 = new Array(2 * h).fill(0), dW2 = new Array(2 * h).fill(0), db1 = new Array(h).fill(0), db2 = [0, 0];
      for (let i = 0; i < 300; i++) {
        const { a, z } = forward(i);
        const e = z.map((v) => Math.exp(v));
        const d3 = [0, 1].map((k) => e[k] / (e[0] + e[1]) - (m.y[i] === k ? 1 : 0));
        for (let j = 0; j < h; j++) {
          dW2[j * 2] += a[j] * d3[0];
          dW2[j * 2 + 1] += a[j] * d3[1];
          const d2 = (d3[0] * W2[j * 2] + d3[1] * W2[j * 2 + 1]) * (1 - a[j] * a[j]);
          dW1[j] += m.X[2 * i] * d2;
          dW1[h + j] += m.X[2 * i + 1] * d2;
          db1[j] += d2;
        }
        db2[0] += d3[0];
        db2[1] += d3[1];
      }
      for (let k = 0; k < 2 * h; k++) W1[k] -= 0.01 * (dW1[k] + 0.01 * W1[k]);
      for (let k = 0; k < 2 * h; k++) W2[k] -= 0.01 * (dW2[k] + 0.01 * W2[k]);
      for (let j = 0; j < h; j++) b1[j] -= 0.01 * db1[j];
      b2[0] -= 0.01 * db2[0];
      b2[1] -= 0.01 * db2[1];
    }
    let loss = 0;
    for (let i = 0; i < 300; i++) {
      const { z } = forward(i);
      loss += Math.log(Math.exp(z[0]) + Math.exp(z[1])) - z[m.y[i]];
    }
    return loss + (0.01 / 2) * [...W1, ...W2].reduce((s, w) => s + w * w, 0);
  };

  it('the summed loss after 1000 passes of the 2-3-2 network (later passes are chaotic at this step size)', () => {
    const parsed = parseLesson('lessons/05-classification.md', readFile('lessons/05-classification.md'));
    const net = Network.fromSpec(parsed.meta.model);
    const data = loadDataset(parsed.meta.dataset!, 2, readFile);
    const { result } = trainRun('test', net, data, { mode: 'full_batch', steps: 1000, lr: 0.01, every: 1000 }, {});
    close(result.finalLoss, buildModel(3, 1000), 1e-9);
  });
});

describe('lesson 6: Iris (seed 004)', () => {
  // The tutorial's classes, written out: column vectors, W ~ U(-0.5, 0.5) drawn (6,4) then (3,6).
  const train = () => {
    const text = readFile('data/iris.csv').trim().split('\n').slice(1).map((l) => l.split(','));
    const X = text.map((r) => r.slice(0, 4).map(Number));
    const y = text.map((r) => ['setosa', 'versicolor', 'virginica'].indexOf(r[4]));
    const rng = new RandomState(0);
    const W1 = Array.from({ length: 6 }, () => Array.from(rng.uniform(-0.5, 0.5, 4)));
    const W2 = Array.from({ length: 3 }, () => Array.from(rng.uniform(-0.5, 0.5, 6)));
    const b1 = new Array(6).fill(0), b2 = new Array(3).fill(0);
    const forward = (x: number[]) => {
      const a1 = W1.map((w, j) => σ(w.reduce((s, wi, i) => s + wi * x[i], b1[j])));
      const a2 = W2.map((w, j) => σ(w.reduce((s, wi, i) => s + wi * a1[i], b2[j])));
      return { a1, a2 };
    };
    let epochLoss = 0;
    for (let epoch = 0; epoch < 400; epoch++) {
      epochLoss = 0;
      for (let n = 0; n < 150; n++) {
        const t = [0, 1, 2].map((k) => (k === y[n] ? 1 : 0));
        const { a1, a2 } = forward(X[n]);
        const d2 = a2.map((a, k) => (a - t[k]) * a * (1 - a));
        const d1 = a1.map((a, j) => a * (1 - a) * d2.reduce((s, d, k) => s + W2[k][j] * d, 0));
        W2.forEach((w, k) => w.forEach((_, j) => (w[j] -= 0.05 * d2[k] * a1[j])));
        d2.forEach((d, k) => (b2[k] -= 0.05 * d));
        W1.forEach((w, j) => w.forEach((_, i) => (w[i] -= 0.05 * d1[j] * X[n][i])));
        d1.forEach((d, j) => (b1[j] -= 0.05 * d));
        const after = forward(X[n]).a2;
        epochLoss += after.reduce((s, a, k) => s + 0.5 * (a - t[k]) ** 2, 0);
      }
    }
    let right = 0;
    X.forEach((x, n) => {
      const out = forward(x).a2;
      if (out.indexOf(Math.max(...out)) === y[n]) right++;
    });
    return { accuracy: right / 150, epochLoss };
  };
  const l = lesson('06-delta-iris');

  it('the training accuracy and the last epoch\'s loss after 400 epochs', () => {
    const expected = train();
    const run = l.runs.get('iris')!.result;
    expect(run.accuracy).toBe(expected.accuracy);
    close(run.loss.at(-1)!, expected.epochLoss, 1e-9);
    expect(expected.accuracy).toBe(0.96); // what the tutorial reports
  });
});

describe('training runs are cached by content', () => {
  it('a second identical run comes from the cache without training', () => {
    const parsed = parseLesson('lessons/05-classification.md', readFile('lessons/05-classification.md'));
    const net = Network.fromSpec(parsed.meta.model);
    const data = loadDataset(parsed.meta.dataset!, 2, readFile);
    const store = new Map<string, TrainResult>();
    const cache = { get: (k: string) => store.get(k), set: (k: string, v: TrainResult) => void store.set(k, v) };
    let progress = 0;
    const spec = { mode: 'full_batch' as const, steps: 50, lr: 0.01, every: 10 };
    const first = trainRun('a', net, data, spec, { cache, progress: () => progress++ });
    expect(progress).toBe(5);
    const second = trainRun('a', net, data, spec, { cache, progress: () => progress++ });
    expect(progress).toBe(5);
    expect(second.result).toBe(first.result);
    expect(second.net.flat()).toEqual(first.net.flat());
    trainRun('a', net, data, { ...spec, lr: 0.02 }, { cache, progress: () => progress++ });
    expect(progress).toBe(10); // a changed run trains again
  });
});

describe('what lesson 1 says about the code\'s g2', () => {
  // σ(p)(1 − σ(p)) against p(1 − p): the code's factor against the chain rule's.
  const code = (p: number) => σ(p) * (1 - σ(p)), chain = (p: number) => p * (1 - p);
  const l = lesson('01-one-neuron');
  it('is larger below about 0.40 and above about 0.66, smaller between', () => {
    for (const p of [0.1, 0.3, 0.39, 0.67, 0.9]) expect(code(p), `p = ${p}`).toBeGreaterThan(chain(p));
    for (const p of [0.41, 0.5, 0.65]) expect(code(p), `p = ${p}`).toBeLessThan(chain(p));
  });
  it('the slow run stays above 0.40, where the code\'s g2 is the smaller; the fast run spends most of its steps below', () => {
    const outputs = (run: string) => l.runs.get(run)!.result.tracked.map((o) => o[0]);
    expect(Math.min(...outputs('slow'))).toBeGreaterThan(0.4);
    const fast = outputs('fast');
    expect(fast.filter((p) => p < 0.4).length / fast.length).toBeGreaterThan(0.5);
  });
});

describe('what lesson 6 says about its loss', () => {
  it('rises in every one of the last 50 epochs', () => {
    const r = lesson('06-delta-iris').runs.get('iris')!.result;
    const from = r.at.indexOf(350);
    expect(from).toBeGreaterThan(0);
    for (let i = from + 1; i < r.at.length; i++) expect(r.loss[i], `epoch ${r.at[i]}`).toBeGreaterThan(r.loss[i - 1]);
  });
});
