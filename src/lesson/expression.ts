// A mathjs expression over the lesson's node names (grad_NAME for ∂E/∂NAME, sigmoid, lr, and
// printed(x): x as the replayed source writes it down): what a source computes instead,
// evaluated on a trace (or its replay).
import { evaluate } from 'mathjs';
import { sigmoid } from '../numerics.ts';
import { shorten, type Carry } from '../tape.ts';
import type { NetworkTrace } from '../trace.ts';
import type { DirectiveCall } from './directive.ts';
import type { Arg } from './syntax.ts';

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
  let v: unknown;
  try {
    v = evaluate(expr, scope);
  } catch (e) {
    throw call.error(arg, `${what}: ${(e as Error).message} in "${expr}" (names are the lesson's nodes, grad_NAME, sigmoid, printed and lr)`);
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw call.error(arg, `${what}: expected "${expr}" to give a finite number`);
  return v;
}
