// How each traced quantity is written: a node's defining expression and a factor's local
// derivative as a list of parts, LaTeX text and nodes. Rendered once with symbols
// (out_{o_1}(1-out_{o_1})) and once with each node's number (0.7989(1-0.7989)), the two
// lines of a worked step come from one definition and cannot disagree.
import { ELEMENTWISE, type ElementwiseActivation } from '../src/activations.ts';
import type { Factor, Node } from '../src/tape.ts';

/** A coefficient as LaTeX: 0.5 → \tfrac{1}{2}, 2/3 → \tfrac{2}{3}, 2 → 2. */
function coefficient(c: number): string {
  if (Number.isInteger(c)) return String(c);
  for (let d = 2; d <= 64; d++) {
    const n = Math.round(c * d);
    if (Math.abs(n / d - c) < 1e-15) return `\\tfrac{${n}}{${d}}`;
  }
  return String(c);
}

/** A product sign: a space between symbols, a \cdot between numbers. */
export const TIMES = { times: true } as const;
export type Part = string | Node | typeof TIMES;

/** An activation's LaTeX template (activations.ts) with `#` for the input and `@` for the output. */
function fill(template: string, input: Node, output: Node): Part[] {
  return template.split(/([#@])/).filter((p) => p !== '').map((p) => (p === '#' ? input : p === '@' ? output : p));
}

function joinParts(items: Part[][], sep: string): Part[] {
  return items.flatMap((p, i) => (i === 0 ? p : [sep, ...p]));
}

/** The expression that defines a node's value in terms of the nodes it was computed from. */
export function definition(node: Node): Part[] | undefined {
  const f = node.inputs;
  switch (node.op) {
    case 'linear': {
      const terms: Part[][] = [];
      for (const x of f) {
        // Each product braced: a long sum then breaks at its + signs, not inside a term.
        if (x.rule === 'linear_weight') terms.push(['{', x.wrt, TIMES, x.via!, '}']);
        else if (x.rule === 'linear_bias') terms.push([x.wrt]);
      }
      return joinParts(terms, '+');
    }
    case 'activation':
      return fill(ELEMENTWISE[f[0].rule as ElementwiseActivation].tex, f[0].wrt, node);
    case 'softmax': {
      const self = f.find((x) => x.rule === 'softmax_same')!.wrt;
      return ['\\frac{e^{', self, '}}{', ...joinParts(f.map((x) => ['e^{', x.wrt, '}']), '+'), '}'];
    }
    case 'loss': {
      const first = f[0];
      if (first.rule === 'squared_error') {
        const c = first.coefficient!;
        const lead = c === 1 ? '' : coefficient(c);
        return [lead + '(', first.wrt, '-', first.target!, ')^2'];
      }
      if (first.rule === 'bce_logit') {
        const a = first.via!, t = first.target!;
        return ['-\\left(', t, '\\log ', a, '+(1-', t, ')\\log(1-', a, ')\\right)'];
      }
      return ['-\\left(', ...joinParts(f.map((x) => [x.target!, '\\log ', x.via!]), '+'), '\\right)'];
    }
    case 'sum':
      return joinParts(f.map((x) => [x.wrt]), '+');
    case 'mean':
      return [`\\tfrac{1}{${f.length}}\\left(`, ...joinParts(f.map((x) => [x.wrt]), '+'), '\\right)'];
    case 'l2':
      return [`\\tfrac{${f[0]?.coefficient ?? 0}}{2}\\left(`, ...joinParts(f.map((x) => [x.wrt, '^2']), '+'), '\\right)'];
    default:
      return undefined;
  }
}

/** The local derivative a factor records, written in terms of the nodes its value reads. */
export function derivative(f: Factor): Part[] {
  switch (f.rule) {
    case 'linear_weight':
    case 'linear_input':
      return [f.via!];
    case 'linear_bias':
    case 'sum':
      return ['1'];
    case 'sigmoid':
    case 'tanh':
    case 'relu':
    case 'identity':
      return fill(ELEMENTWISE[f.rule].derivTex, f.wrt, f.of);
    case 'softmax_same':
      return [f.of, '(1-', f.of, ')'];
    case 'softmax_cross':
      return ['-', f.of, TIMES, f.via!];
    case 'squared_error': {
      const c2 = 2 * f.coefficient!;
      return [c2 === 1 ? '(' : `${coefficient(c2)}(`, f.wrt, '-', f.target!, ')'];
    }
    case 'bce_logit':
      return [f.via!, '-', f.target!];
    case 'softmax_ce_logit':
      return f.coefficient === 1 ? [f.via!, '-', f.target!] : [`${f.coefficient}`, TIMES, f.via!, '-', f.target!];
    case 'mean':
      return [`\\tfrac{1}{${Math.round(1 / f.coefficient!)}}`];
    case 'l2':
      return [`${f.coefficient}`, TIMES, f.wrt];
  }
}

/** ∂of/∂wrt as LaTeX. */
export function partialTex(of: Node, wrt: Node): string {
  return `\\frac{\\partial ${of.tex}}{\\partial ${wrt.tex}}`;
}
