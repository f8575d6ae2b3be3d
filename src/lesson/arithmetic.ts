// A reader's answer to an exercise, read: a number, or arithmetic over the lesson's names
// (out_o1*(1 - out_o1), 0.7989*0.2011). The page has no mathjs (its bundle would triple), so
// this is a small recursive-descent reader of + − · / ^, parentheses, numbers, names and a
// few functions, which refuses everything else with the place it stopped.

// Own properties only: a Map, so that valueOf( or __proto__( is no function.
const FUNCTIONS = new Map<string, (x: number) => number>([
  ['exp', Math.exp],
  ['log', Math.log],
  ['sqrt', Math.sqrt],
  ['tanh', Math.tanh],
  ['sigmoid', (x) => 1 / (1 + Math.exp(-x))],
]);

export interface Reading {
  value: number;
  /** the fewest decimals of a number with a decimal point typed in it (Infinity: none) */
  decimals: number;
  /**
   * How far the value may be from the exact arithmetic the reader meant, from the typed numbers
   * that stand for rounded ones (0.7989: anything in ±0.00005), carried through the arithmetic
   * to first order; 0 for names and exact numbers (1, 0.5: fewer than three significant digits).
   */
  error: number;
  /** whether it is one number, as typed */
  plain: boolean;
}

export class ArithmeticError extends Error {}

/** A value and the bound of its error. */
interface Bounded {
  v: number;
  e: number;
}

/** Reads `text` with the names' values in `scope`; throws ArithmeticError saying what it expected where. */
export function readArithmetic(text: string, scope: ReadonlyMap<string, number>): Reading {
  // One character for one: a place in src is the same place in the text the reader typed.
  const src = text.replace(/[−–]/g, '-').replace(/[×·]/g, '*');
  let i = 0;
  let decimals = Infinity;
  const fail = (what: string): never => {
    throw new ArithmeticError(`${what} ${i < src.trimEnd().length ? `at “${text.slice(i, i + 12)}”` : 'at the end of your answer'}`);
  };
  const space = () => {
    while (/\s/.test(src[i] ?? '')) i++;
  };
  const peek = () => {
    space();
    return src[i];
  };
  let depth = 0;
  const primary = (): Bounded => {
    const c = peek();
    if (c === '(') {
      i++;
      if (++depth > 40) fail('too deeply nested');
      const v = sum();
      if (peek() !== ')') fail('expected )');
      i++;
      depth--;
      return v;
    }
    const number = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i.exec(src.slice(i));
    if (number) {
      i += number[0].length;
      const [, mantissa, exponent = 'e0'] = number;
      const dot = mantissa.indexOf('.');
      const places = (dot < 0 ? 0 : mantissa.length - dot - 1) - Number(exponent.slice(1));
      if (dot >= 0) decimals = Math.min(decimals, places);
      const significant = mantissa.replace('.', '').replace(/^0+/, '').length;
      // 1 in (1 - out_o1), 0.5 and 160 are exact; 0.7989 and 1606e-4 stand for anything that rounds to them.
      const rounded = (dot >= 0 || number[2] !== undefined) && significant >= 3;
      return { v: Number(number[0]), e: rounded ? 0.5 * 10 ** -places : 0 };
    }
    const name = /^[A-Za-z_α][\w@]*/.exec(src.slice(i));
    if (!name) return fail('expected a number, a name or (');
    i += name[0].length;
    const f = FUNCTIONS.get(name[0]);
    if (f && peek() === '(') {
      const x = primary();
      const v = f(x.v);
      return { v, e: Math.max(Math.abs(f(x.v + x.e) - v), Math.abs(f(x.v - x.e) - v)) };
    }
    const v = scope.get(name[0]);
    if (v === undefined) throw new ArithmeticError(`no number of this lesson is called ${name[0]}`);
    return { v, e: 0 };
  };
  const unary = (): Bounded => {
    const c = peek();
    if (c === '-' || c === '+') {
      i++;
      const x = unary();
      return c === '-' ? { v: -x.v, e: x.e } : x;
    }
    return power();
  };
  const power = (): Bounded => {
    const base = primary();
    if (peek() === '^') {
      i++;
      const p = unary();
      const v = base.v ** p.v;
      const corners = [base.v - base.e, base.v + base.e].flatMap((b) => [p.v - p.e, p.v + p.e].map((q) => Math.abs(b ** q - v)));
      return { v, e: Math.max(...corners.map((x) => (Number.isNaN(x) ? Infinity : x))) };
    }
    return base;
  };
  const product = (): Bounded => {
    let x = unary();
    for (let c = peek(); c === '*' || c === '/'; c = peek()) {
      i++;
      const y = unary();
      if (c === '*') x = { v: x.v * y.v, e: Math.abs(x.v) * y.e + Math.abs(y.v) * x.e + x.e * y.e };
      else {
        const v = x.v / y.v;
        // |a/b − (a±ea)/(b±eb)| ≤ (ea + |a/b|·eb) / (|b| − eb), while the divisor's bound keeps it from 0.
        x = { v, e: Math.abs(y.v) > y.e ? (x.e + Math.abs(v) * y.e) / (Math.abs(y.v) - y.e) : Infinity };
      }
    }
    return x;
  };
  const sum = (): Bounded => {
    let x = product();
    for (let c = peek(); c === '+' || c === '-'; c = peek()) {
      i++;
      const y = product();
      x = { v: c === '+' ? x.v + y.v : x.v - y.v, e: x.e + y.e };
    }
    return x;
  };
  if (!src.trim()) throw new ArithmeticError('expected a number or an expression');
  if (src.length > 400) throw new ArithmeticError('expected at most 400 characters');
  const { v: value, e: error } = sum();
  if (peek() !== undefined) fail('expected an operator (+ - * / ^)');
  const plain = /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(src);
  return { value, decimals, error, plain };
}
