// The element-wise activations, each defined once: value, local derivative, and how the
// lessons write both. The tracer, the vectorised trainer and the symbolic check all read
// these definitions, so a rule cannot drift between them.
import { fastTanh, sigmoid } from './numerics.ts';

export type ElementwiseActivation = 'sigmoid' | 'tanh' | 'relu' | 'identity';
export type ActivationName = ElementwiseActivation | 'softmax';
export const ACTIVATIONS: readonly ActivationName[] = ['sigmoid', 'tanh', 'relu', 'identity', 'softmax'];

export interface ActivationRule {
  name: ElementwiseActivation;
  /** f(z) */
  value(z: number): number;
  /** f'(z) written in terms of the output a = f(z), which is how the tutorials write it. */
  derivFromOutput(a: number, z: number): number;
  /** LaTeX of f(z), with `#` standing for the argument. */
  tex: string;
  /** LaTeX of f'(z) in terms of the output (`@`) or the input (`#`). */
  derivTex: string;
  /** mathjs source of f(z), with `#` standing for the argument (relu is resolved per point). */
  mathjs: string;
}

export const ELEMENTWISE: Record<ElementwiseActivation, ActivationRule> = {
  sigmoid: {
    name: 'sigmoid',
    value: sigmoid,
    derivFromOutput: (a) => a * (1 - a),
    tex: '\\frac{1}{1+e^{-#}}',
    derivTex: '@(1-@)',
    mathjs: '1 / (1 + exp(-(#)))',
  },
  tanh: {
    name: 'tanh',
    value: fastTanh,
    derivFromOutput: (a) => 1 - a * a,
    tex: '\\tanh(#)',
    derivTex: '1-{@}^2',
    mathjs: 'tanh(#)',
  },
  relu: {
    name: 'relu',
    value: (z) => (z > 0 ? z : 0),
    // The numpy code the tutorials run uses (z > 0): the derivative at exactly 0 is 0.
    derivFromOutput: (_a, z) => (z > 0 ? 1 : 0),
    tex: '\\max(0,#)',
    derivTex: '[#>0]',
    mathjs: 'relu',
  },
  identity: {
    name: 'identity',
    value: (z) => z,
    derivFromOutput: () => 1,
    tex: '#',
    derivTex: '1',
    mathjs: '#',
  },
};

export function isActivation(name: unknown): name is ActivationName {
  return typeof name === 'string' && (ACTIVATIONS as readonly string[]).includes(name);
}

/** An activation and its derivative on n evenly spaced points from lo to hi, as the engine computes them. */
export function activationCurve(rule: ActivationRule, lo: number, hi: number, n = 241): { x: number[]; f: number[]; df: number[] } {
  const x = Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
  const f = x.map((z) => rule.value(z));
  return { x, f, df: f.map((a, i) => rule.derivFromOutput(a, x[i])) };
}
