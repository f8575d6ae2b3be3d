// A mathjs expression over the lesson's node names (grad_NAME for ∂E/∂NAME, sigmoid, lr, and
// printed(x): x as the replayed source writes it down): what a source computes instead,
// evaluated on a trace (or its replay). Only arithmetic is allowed: numbers, names,
// operators and a list of functions — no assignment, units, matrices or mathjs's own parser,
// so an expression can neither change mathjs for the next lesson nor build a huge matrix.
import { parse, type MathNode } from 'mathjs';
import { sigmoid } from '../numerics.ts';
import { shorten, type Carry } from '../tape.ts';
import type { NetworkTrace } from '../trace.ts';
import type { DirectiveCall } from './directive.ts';
import type { Arg } from './syntax.ts';

/** The functions an expression may call, besides the lesson's sigmoid and printed. */
const FUNCTIONS = ['exp', 'log', 'sqrt', 'abs', 'tanh', 'min', 'max', 'pow', 'round', 'floor', 'ceil', 'sign'];
const OPERATORS = ['add', 'subtract', 'multiply', 'divide', 'pow', 'unaryMinus', 'unaryPlus'];

/** Why a parsed expression is not plain arithmetic over known names, or undefined when it is. */
function notArithmetic(node: MathNode, known: (name: string) => boolean): string | undefined {
  let problem: string | undefined;
  node.traverse((n: MathNode, _path: string, parent: MathNode | null) => {
    if (problem) return;
    const t = n.type;
    if (t === 'ConstantNode') {
      if (typeof (n as unknown as { value: unknown }).value !== 'number') problem = 'only numbers are allowed as constants';
    } else if (t === 'SymbolNode') {
      const name = (n as unknown as { name: string }).name;
      const called = parent?.type === 'FunctionNode' && (parent as unknown as { fn: MathNode }).fn === n;
      if (called ? !FUNCTIONS.includes(name) && name !== 'sigmoid' && name !== 'printed' : !known(name) && name !== 'pi' && name !== 'e') problem = called ? `${name}() is not one of the functions allowed (${['sigmoid', 'printed', ...FUNCTIONS].join(', ')})` : `no node is called ${name}`;
    } else if (t === 'OperatorNode') {
      if (!OPERATORS.includes((n as unknown as { fn: string }).fn)) problem = `the operator ${(n as unknown as { op: string }).op} is not arithmetic`;
    } else if (t !== 'ParenthesisNode' && t !== 'FunctionNode') problem = `${t.replace(/Node$/, '').toLowerCase()}s are not allowed: only arithmetic on the lesson's numbers`;
  });
  return problem;
}

const MAX_DEPTH = 60;

/** How deep a parsed expression nests. */
function depthOf(node: MathNode): number {
  let most = 0;
  node.forEach((child: MathNode) => {
    most = Math.max(most, depthOf(child));
  });
  return most + 1;
}

export function expressionValue(arg: Arg, trace: NetworkTrace, lr: number, call: DirectiveCall, printedAs: Carry | undefined): number {
  const expr = arg.value;
  const what = arg.key ?? 'expr';
  const scope = new Map<string, unknown>();
  for (const n of trace.tape.nodes) {
    if (!/^[A-Za-z_]\w*$/.test(n.name)) continue;
    scope.set(n.name, n.value);
    scope.set(`grad_${n.name}`, n.grad);
  }
  scope.set('sigmoid', sigmoid);
  scope.set('lr', lr);
  // printed(x) or printed(x, decimals): x as the source writes it down, rounded its way
  scope.set('printed', (x: number, decimals?: number) => {
    if (printedAs?.decimals === undefined) throw new Error('printed() shortens as the source does: the front matter needs carry: { decimals, rounding }');
    if (decimals !== undefined && !(Number.isInteger(decimals) && decimals >= 0 && decimals <= 17)) throw new Error(`printed(x, decimals) takes a whole number of decimals from 0 to 17, not ${decimals}`);
    return shorten(x, decimals ?? printedAs.decimals, printedAs.rounding);
  });
  if (expr.length > 2000) throw call.error(arg, `${what}: an expression of at most 2000 characters, got ${expr.length}`);
  let v: unknown;
  try {
    const node = parse(expr);
    // Typesetting recurses once a level too: a formula a page can show is not hundreds deep.
    if (depthOf(node) > MAX_DEPTH) throw new Error(`nested more than ${MAX_DEPTH} levels deep (parentheses, powers, signs), more than a page can typeset`);
    const problem = notArithmetic(node, (name) => scope.has(name));
    if (problem) throw new Error(problem);
    v = node.compile().evaluate(scope);
  } catch (e) {
    const message = e instanceof RangeError ? `nested too deeply to read (at most ${MAX_DEPTH} levels)` : (e as Error).message;
    throw call.error(arg, `${what}: ${message} in "${expr.length > 80 ? `${expr.slice(0, 80)}…` : expr}" (names are the lesson's nodes, grad_NAME, sigmoid, printed and lr)`);
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw call.error(arg, `${what}: expected "${expr}" to give a finite number`);
  return v;
}

/**
 * An expression as the page typesets it: node names as their symbols, grad_NAME as a partial
 * derivative, lr as α, printed(x, d) as [x] with the decimals the source writes it to.
 */
export function expressionTex(expr: string, trace: NetworkTrace, decimals: number | undefined): string {
  const nodes = new Map(trace.tape.nodes.map((n) => [n.name, n]));
  const handler = (node: MathNode, options: object): string | undefined => {
    if (node.type === 'SymbolNode') {
      const name = (node as unknown as { name: string }).name;
      const n = nodes.get(name);
      if (n) return `{${n.tex}}`;
      const g = /^grad_(.+)$/.exec(name);
      if (g && nodes.has(g[1])) return `{\\frac{\\partial ${trace.loss.tex}}{\\partial ${nodes.get(g[1])!.tex}}}`;
      if (name === 'lr') return '{\\alpha}';
    }
    // Plain parentheses are atoms of their own, so the browser can break a long line between them.
    if (node.type === 'ParenthesisNode') return `(${(node as unknown as { content: MathNode }).content.toTex(options)})`;
    if (node.type === 'FunctionNode') {
      const f = node as unknown as { fn: { name: string }; args: MathNode[] };
      if (f.fn.name === 'printed') {
        const d = f.args[1] ? f.args[1].toString() : decimals;
        return `[${f.args[0].toTex(options)}]_{${d}}`;
      }
      if (f.fn.name === 'sigmoid') return `\\sigma(${f.args[0].toTex(options)})`;
    }
    return undefined;
  };
  return parse(expr).toTex({ handler, parenthesis: 'keep', implicit: 'hide' });
}
