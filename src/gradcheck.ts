// Two references the traced gradients are checked against: central finite differences of the
// loss, and for small models the derivative of the whole loss expression taken symbolically
// by mathjs. Neither shares code with the backward passes it checks.
import { derivative, parse, type EvalFunction } from 'mathjs';
import { ELEMENTWISE } from './activations.ts';
import { isSquared, squaredCoefficient } from './losses.ts';
import type { Network } from './network.ts';
import { Trainer } from './trainer.ts';

export interface Dataset {
  /** row-major n × n0 */
  X: Float64Array;
  /** row-major n × nL */
  T: Float64Array;
  n: number;
}

/**
 * Central differences (E(p+h) - E(p-h)) / 2h with h = 1e-5·max(1, |p|): the truncation error
 * (~h²) and the rounding error (~ε·E/h) are then both near 1e-10 of the gradient's scale.
 */
export function finiteDifferences(net: Network, data: Dataset): Float64Array {
  const probe = net.clone();
  const trainer = new Trainer(probe, data.n);
  const values = probe.flat();
  const grads = new Float64Array(values.length);
  probe.params.forEach((p, i) => {
    const h = 1e-5 * Math.max(1, Math.abs(values[i]));
    probe.set(p, values[i] + h);
    const up = trainer.loss(data.X, data.T, 0, data.n);
    probe.set(p, values[i] - h);
    const down = trainer.loss(data.X, data.T, 0, data.n);
    probe.set(p, values[i]);
    grads[i] = (up - down) / (2 * h);
  });
  return grads;
}

/** The loss over the data as one mathjs expression in the parameter names. */
export function lossExpression(net: Network, data: Dataset): string {
  const { sizes, config } = net;
  const L = sizes.length - 1, K = sizes[L];
  const num = (v: number) => `(${v})`;
  const sampleTerms: string[] = [];
  // Numeric values alongside, only to resolve relu's branch at this point.
  const probe = new Trainer(net.clone(), 1);
  for (let s = 0; s < data.n; s++) {
    let below = Array.from(data.X.subarray(s * sizes[0], (s + 1) * sizes[0]), num);
    const z = [] as string[][];
    for (let l = 1; l <= L; l++) {
      const zl: string[] = [];
      for (let j = 1; j <= sizes[l]; j++) {
        const parts = below.map((x, k) => `${net.names.weight(l, j, k + 1).name} * ${x}`);
        if (config.bias !== 'none') parts.push(net.names.bias(l, config.bias === 'shared' ? 0 : j).name);
        zl.push(`(${parts.join(' + ')})`);
      }
      z.push(zl);
      const act = config.activations[l - 1];
      if (act === 'softmax') {
        const denominator = zl.map((q) => `exp(${q})`).join(' + ');
        below = zl.map((q) => `(exp(${q}) / (${denominator}))`);
      } else if (act === 'relu') {
        probe.forward(data.X, s, 1);
        const active = probe.preactivations(l);
        below = zl.map((q, j) => (active[j] > 0 ? q : '0'));
      } else {
        below = zl.map((q) => `(${ELEMENTWISE[act].mathjs.replaceAll('#', q)})`);
      }
    }
    const t = Array.from(data.T.subarray(s * K, (s + 1) * K), num);
    let e: string;
    if (config.loss === 'softmax_ce') e = t.map((tk, k) => `${tk} * log(${below[k]})`).join(' + ').replace(/^/, '-(') + ')';
    else if (config.loss === 'bce') e = below.map((a, k) => `-(${t[k]} * log(${a}) + (1 - ${t[k]}) * log(1 - ${a}))`).join(' + ');
    else {
      const c = squaredCoefficient(config.loss, K);
      if (!isSquared(config.loss)) throw new Error(`no expression for ${config.loss}`);
      e = below.map((a, k) => `${c} * (${a} - ${t[k]})^2`).join(' + ');
    }
    sampleTerms.push(`(${e})`);
  }
  let total = sampleTerms.join(' + ');
  if (config.reduction === 'mean' && data.n > 1) total = `(${total}) / ${data.n}`;
  if (config.l2 > 0) total += ` + ${config.l2 / 2} * (${net.params.filter((p) => p.kind === 'weight').map((p) => `${p.name}^2`).join(' + ')})`;
  return total;
}

/** ∂E/∂p for every parameter from mathjs's symbolic derivative of the loss expression. */
export function symbolicGradients(net: Network, data: Dataset): Float64Array {
  const expr = parse(lossExpression(net, data));
  const scope: Record<string, number> = {};
  for (const p of net.params) scope[p.name] = net.get(p);
  return Float64Array.from(net.params, (p) => {
    const d: EvalFunction = derivative(expr, p.name, { simplify: false }).compile();
    return d.evaluate(scope) as number;
  });
}
