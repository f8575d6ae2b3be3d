// npm run bench: the seeds' own workloads on chainbook's vectorised trainer, each next to the
// seed's numpy program (bench/py) run on the same data and initial weights in the same run,
// and printed as ratios. Where python3 with numpy is missing, the numpy column says so.
// The tracer step is compared with the trainer's step on the same net in this process.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseIris } from '../src/iris.ts';
import { makeMoons } from '../src/moons.ts';
import { Network } from '../src/network.ts';
import { RandomState } from '../src/random.ts';
import type { ModelSpec } from '../src/spec.ts';
import { tracedStep } from '../src/trace.ts';
import { Trainer } from '../src/trainer.ts';
import { liveBench } from './live.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = mkdtempSync(join(tmpdir(), 'chainbook-bench-'));
const quick = process.argv.includes('--quick'); // a smoke run: a tenth of the work

interface PeerResult {
  seconds: number;
  final_loss: number;
  checksum: number;
}

interface Row {
  workload: string;
  chainbook: number;
  numpy?: number;
  target: string;
  /** chainbook's speed-up over numpy that the target asks for */
  need: number;
  agreement: string;
}

function hasNumpy(): boolean {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const numpyPresent = hasNumpy();

function runPeer(script: string, input: unknown): PeerResult | undefined {
  if (!numpyPresent) return undefined;
  const file = join(scratch, `${script}.json`);
  writeFileSync(file, JSON.stringify(input));
  const out = execFileSync('python3', [join(root, 'bench', 'py', script), file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out.trim().split('\n').pop()!) as PeerResult;
}

/** Best of `repeats` timings, in seconds; `run` gets the repetition's number. */
function time(repeats: number, run: (r: number) => void): number {
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    run(r);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

const sumAll = (net: Network) => net.flat().reduce((a, b) => a + b, 0);
const rows2d = (a: Float64Array, rows: number, cols: number) => Array.from({ length: rows }, (_, r) => Array.from(a.subarray(r * cols, (r + 1) * cols)));
const agree = (ours: number, theirs: number | undefined) =>
  theirs === undefined ? 'numpy absent' : `Δ ${Math.abs(ours - theirs).toExponential(1)}`;

function log(msg: string) {
  process.stderr.write(`${msg}\n`);
}

// Seed 000: 3-5-1 sigmoid, no biases, x = [0.1, 0.4, 4.1], target 0.2, lr 0.001, 80 000 steps.
function seed000(): Row {
  const iterations = quick ? 8000 : 80_000;
  const spec: ModelSpec = { layers: [3, 5, 1], activation: 'sigmoid', loss: 'squared', bias: 'none', naming: 'indexed', init: { seed: 0, distribution: 'rand' } };
  const X = Float64Array.of(0.1, 0.4, 4.1), T = Float64Array.of(0.2);
  // Networks are built before the clock starts, as the peers build their arrays; the short runs
  // are repeated five times, so that a busy machine or the JIT's warm-up weighs less.
  const nets = Array.from({ length: 5 }, () => Network.fromSpec(spec));
  const start = nets[0].flat();
  const seconds = time(5, (r) => new Trainer(nets[r], 1).trainFullBatch(X, T, 1, { iterations, lr: 0.001 }));
  const net = nets[0];
  log(`seed 000 3-5-1: chainbook ${seconds.toFixed(3)} s; running numpy …`);
  const peer = runPeer('seed000_351.py', { iterations, w_hidden: rows2d(start.subarray(0, 15), 5, 3), w_out: Array.from(start.subarray(15)) });
  return { workload: `seed 000: 3-5-1, ${iterations} steps`, chainbook: seconds, numpy: peer?.seconds, target: '≥100×', need: 100, agreement: agree(sumAll(net), peer?.checksum) };
}

// Seed 004: 4-6-3 sigmoid on Iris, ½ squared error, per-sample SGD, 400 epochs, lr 0.05.
function seed004(): Row {
  const epochs = quick ? 40 : 400;
  const iris = parseIris(readFileSync(join(root, 'data', 'iris.csv'), 'utf8'));
  const T = new Float64Array(iris.n * 3);
  iris.y.forEach((c, i) => (T[i * 3 + c] = 1));
  const spec: ModelSpec = { layers: [4, 6, 3], activation: 'sigmoid', loss: 'half_squared', naming: 'matrix', init: { seed: 0, distribution: 'uniform', low: -0.5, high: 0.5 } };
  const nets = Array.from({ length: 5 }, () => Network.fromSpec(spec));
  const W1 = rows2d(nets[0].W[0], 6, 4), W2 = rows2d(nets[0].W[1], 3, 6);
  const seconds = time(5, (r) => new Trainer(nets[r], 1).trainSGD(iris.X, T, iris.n, { epochs, lr: 0.05, epochLoss: 'after_step' }));
  const net = nets[0];
  log(`seed 004 4-6-3 Iris: chainbook ${seconds.toFixed(3)} s; running numpy …`);
  const peer = runPeer('seed004_iris.py', { X: rows2d(iris.X, 150, 4), T: rows2d(T, 150, 3), W1, b1: new Array(6).fill(0), W2, b2: new Array(3).fill(0), epochs, lr: 0.05, shuffle: false });
  return { workload: `seed 004: 4-6-3 Iris, ${epochs} epochs SGD`, chainbook: seconds, numpy: peer?.seconds, target: '≥100×', need: 100, agreement: agree(sumAll(net), peer?.checksum) };
}

// Seed 002: 2-h-2 tanh/softmax, cross-entropy, L2 0.01, lr 0.01, 300 two-moons points, full batch.
// The tutorial's code descends on the summed loss (its dW are not divided by N): reduction 'sum'.
function seed002(hidden: number, need: number): Row {
  const passes = quick ? 2000 : 20_000;
  const moons = makeMoons(300, { noise: 0.2, rng: new RandomState(0) });
  const T = new Float64Array(600);
  moons.y.forEach((c, i) => (T[i * 2 + c] = 1));
  const spec: ModelSpec = { layers: [2, hidden, 2], activation: 'tanh', output: 'softmax', loss: 'softmax_ce', reduction: 'sum', l2: 0.01, naming: 'matrix', init: { seed: 0, distribution: 'randn', scale: 'inv_sqrt_fan_in', layout: 'source_major' } };
  const nets = [Network.fromSpec(spec), Network.fromSpec(spec)];
  const net = nets[0];
  const transpose = (W: Float64Array, rows: number, cols: number) => Array.from({ length: cols }, (_, k) => Array.from({ length: rows }, (_, j) => W[j * cols + k]));
  const input = { X: rows2d(moons.X, 300, 2), y: Array.from(moons.y), W1: transpose(net.W[0], hidden, 2), b1: new Array(hidden).fill(0), W2: transpose(net.W[1], 2, hidden), b2: [0, 0], passes, print_loss: false };
  // the tutorial prints the loss every 1000 passes
  const seconds = time(2, (r) => new Trainer(nets[r], 300).trainFullBatch(moons.X, T, 300, { iterations: passes, lr: 0.01, lossEvery: 1000 }));
  log(`seed 002 2-${hidden}-2: chainbook ${seconds.toFixed(3)} s; running numpy …`);
  const peer = runPeer('seed002_moons.py', input);
  const loss = new Trainer(net, 300).loss(moons.X, T, 0, 300) / 300; // the tutorial reports the loss per sample
  return { workload: `seed 002: 2-${hidden}-2 moons, ${passes} passes`, chainbook: seconds, numpy: peer?.seconds, target: need === 1 ? '≥ numpy' : `≥${need}×`, need, agreement: agree(loss, peer?.final_loss) + ' (loss)' };
}

// One traced step of the 2-2-2 net (forward, backward, every factor recorded, update).
function tracerStep(): { row: Row; micros: number } {
  const spec: ModelSpec = { layers: [2, 2, 2], activation: 'sigmoid', loss: 'half_squared', params: { w1: 0.1, w2: 0.2, w3: 0.3, w4: 0.4, w5: 0.5, w6: 0.6, w7: 0.7, w8: 0.8, b1: 0.55, b2: 0.56, b3: 0.66, b4: 0.67 } };
  const sample = [{ x: [0.1, 0.2], t: [0.01, 0.99] }];
  const steps = quick ? 20_000 : 200_000;
  const net = Network.fromSpec(spec);
  const traced = time(3, () => {
    for (let i = 0; i < steps; i++) tracedStep(net, sample, 0.5);
  });
  const vec = Network.fromSpec(spec);
  const trainer = new Trainer(vec, 1);
  const X = Float64Array.of(0.1, 0.2), T = Float64Array.of(0.01, 0.99);
  const vectorised = time(3, () => {
    for (let i = 0; i < steps; i++) trainer.step(X, T, 0, 1, 0.5);
  });
  const micros = (traced / steps) * 1e6;
  return {
    micros,
    row: { workload: `tracer step, 2-2-2 (${micros.toFixed(2)} µs)`, chainbook: traced / steps, numpy: vectorised / steps, target: '< 5 µs', need: 0, agreement: 'peer: vectorised step' },
  };
}

const results: Row[] = [];
try {
  results.push(seed000(), seed004(), seed002(3, 2), seed002(50, 1));
  const t = tracerStep();
  results.push(t.row);
  console.log(`\nchainbook benchmark${quick ? ' (--quick: a tenth of each workload)' : ''}; numpy ${numpyPresent ? 'present' : 'absent'}; node ${process.version}\n`);
  console.log('| workload | chainbook | peer | speed-up | target | met | agreement |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of results) {
    const speedup = r.numpy === undefined ? undefined : r.numpy / r.chainbook;
    const met = r.need === 0 ? t.micros < 5 : speedup === undefined ? 'n/a' : speedup >= r.need;
    const fmt = (s: number | undefined) => (s === undefined ? '—' : s < 1e-3 ? `${(s * 1e6).toFixed(2)} µs` : `${s.toFixed(3)} s`);
    console.log(`| ${r.workload} | ${fmt(r.chainbook)} | ${fmt(r.numpy)} | ${speedup === undefined ? '—' : `${speedup.toFixed(speedup < 10 ? 2 : 0)}×`} | ${r.target} | ${met === true ? 'yes' : met === false ? 'NO' : met} | ${r.agreement} |`);
  }
  console.log('\n| the live page | chainbook | peer | ratio | budget | met | note |');
  console.log('|---|---|---|---|---|---|---|');
  for (const line of await liveBench(root)) console.log(line);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
