// Every ::derive of every random model renders as a worked derivation a reader can follow: no
// empty "shared" part, no operator left dangling, no label used twice, and every result line's
// operands, as printed, recombine to the result it prints within the printing's rounding.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { derivation, recombination, type Recombination } from '../render/steps.ts';
import { MathRenderer } from '../render/katex.ts';
import type { ActivationName } from '../src/activations.ts';
import { derivationOf, type Derivation } from '../src/chain.ts';
import type { LossName } from '../src/losses.ts';
import { Network } from '../src/network.ts';
import { RandomState } from '../src/random.ts';
import { traceNetwork } from '../src/trace.ts';

const modelArb = fc.record({
  sizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2, maxLength: 4 }),
  hidden: fc.constantFrom<ActivationName>('sigmoid', 'tanh', 'relu', 'identity'),
  loss: fc.constantFrom<LossName>('squared', 'half_squared', 'mean_squared', 'bce', 'softmax_ce'),
  bias: fc.constantFrom('none', 'per_neuron', 'shared' as const),
  reduction: fc.constantFrom('sum', 'mean' as const),
  l2: fc.constantFrom(0, 0.01, 0.5),
  samples: fc.integer({ min: 1, max: 3 }),
  decimals: fc.integer({ min: 2, max: 10 }),
  seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
});

/** A displayed number's value, and half a unit of its last printed digit. */
const shown = (text: string, decimals: number) => ({ v: Number(text), h: 0.5 * 10 ** -decimals });

/** How far a printed result may sit from its printed operands recombined, given the rounding of each. */
function slack(r: Recombination, decimals: number): { combined: number; bound: number } {
  const h = 0.5 * 10 ** -decimals;
  const productBound = (ps: { v: number; h: number }[]) => ps.reduce((a, p) => a * (Math.abs(p.v) + p.h), 1) - ps.reduce((a, p) => a * Math.abs(p.v), 1);
  const result = Number(r.result);
  if (r.kind === 'product') {
    const ps = r.factors.map((f) => shown(f, decimals));
    return { combined: ps.reduce((a, p) => a * p.v, 1) - result, bound: productBound(ps) + h };
  }
  if (r.kind === 'branches') {
    const sum = { v: r.branches.reduce((a, b) => a + Number(b), 0), h: r.branches.length * h };
    const ps = [sum, ...r.tail.map((f) => shown(f, decimals))];
    return { combined: ps.reduce((a, p) => a * p.v, 1) - result, bound: productBound(ps) + h };
  }
  let combined = -result, bound = h;
  for (const t of r.terms) {
    const ps = [shown(t.value, decimals), ...(t.coefficient ? [shown(t.coefficient, decimals)] : [])];
    combined += ps.reduce((a, p) => a * p.v, 1);
    bound += productBound(ps);
  }
  return { combined, bound };
}

function* parts(d: Derivation): Generator<Derivation> {
  yield d;
  if (d.kind === 'terms') for (const t of d.terms) yield* parts(t.derivation);
}

describe('derivations', () => {
  it('render every parameter of random models without gaps, dangling operators or repeated labels, and recombine', () => {
    fc.assert(
      fc.property(modelArb, (m) => {
        const output: ActivationName = m.loss === 'bce' ? 'sigmoid' : m.loss === 'softmax_ce' ? 'softmax' : 'sigmoid';
        const sizes = m.sizes.slice();
        if (output === 'softmax' && sizes[sizes.length - 1] < 2) sizes[sizes.length - 1] = 2;
        const net = Network.fromSpec({ layers: sizes, activation: m.hidden, output, loss: m.loss, bias: m.bias, reduction: m.reduction, l2: m.l2, init: { seed: m.seed, distribution: 'randn', biases: 'draw' } });
        const rng = new RandomState(m.seed);
        const K = sizes[sizes.length - 1];
        const samples = Array.from({ length: m.samples }, () => ({ x: Array.from(rng.randn(sizes[0])), t: Array.from({ length: K }, (_, k) => (m.loss === 'softmax_ce' ? (k === 0 ? 1 : 0) : rng.rand())) }));
        const trace = traceNetwork(net, samples);
        // KaTeX typesets the first parameter's derivation (so the LaTeX is valid); the rest are read as LaTeX.
        const math = new MathRenderer();
        const tex: string[] = [];
        let typeset = true;
        const page = { display: (t: string) => (tex.push(t), typeset ? math.render(t, true) : `<span class="katex-display">${t}</span>`), inline: (t: string) => t, figure: () => '', prose: (t: string) => t };
        for (const p of trace.params) {
          tex.length = 0;
          typeset = p === trace.params[0];
          const d = derivationOf(trace.tape, trace.loss, p);
          const html = derivation(d, m.decimals, page);
          const all = tex.join('\n');
          expect(all, `${p.name}: an empty block`).not.toMatch(/\\begin\{aligned\}\s*\\end\{aligned\}/);
          expect(all, `${p.name}: a dangling operator`).not.toMatch(/(\\cdot|\+|-)\s*(=|\\\\|\\end\{aligned\}|\\right\)|\)|$)/m);
          expect(html, `${p.name}: a shared part with nothing in it`).not.toMatch(/every path shares:<\/p>(?!<span class="katex-display">|<div class="eq)/);
          const labels = [...all.matchAll(/g_\{(\d+)\} &=/g)].map((x) => x[1]);
          expect(new Set(labels).size, `${p.name}: labels ${labels.join(', ')}`).toBe(labels.length);
          for (const part of parts(d)) {
            const { combined, bound } = slack(recombination(part, m.decimals), m.decimals);
            expect(Math.abs(combined), `${p.name}: ${JSON.stringify(recombination(part, m.decimals))}`).toBeLessThanOrEqual(bound * (1 + 1e-9) + 1e-15);
          }
        }
      }),
      { numRuns: 120, seed: 2026 },
    );
    // KaTeX's typesetting dominates; a loaded 2-core machine takes twice the idle ~10 s.
  }, 60_000);

  it('write an L2 weight as the data term plus the penalty, each derived on its own', () => {
    const net = Network.fromSpec({ layers: [1, 1], activation: 'sigmoid', loss: 'half_squared', bias: 'none', l2: 0.1, params: { w1: 0.5 } });
    const trace = traceNetwork(net, [{ x: [1], t: [0] }]);
    const d = derivationOf(trace.tape, trace.loss, trace.params[0]);
    expect(d.kind).toBe('terms');
    if (d.kind !== 'terms') return;
    expect(d.terms.map((t) => t.factor.wrt.name)).toEqual(['E_data', 'E_reg']);
    const out = 1 / (1 + Math.exp(-0.5));
    expect(d.terms[0].derivation.value).toBeCloseTo((out - 0) * out * (1 - out) * 1, 15); // ½(out − t)² through σ
    expect(d.terms[1].derivation.value).toBeCloseTo(0.1 * 0.5, 15); // λ·w
    expect(d.value).toBe(trace.params[0].grad);
  });
});
