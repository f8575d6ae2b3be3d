// A reader's answer to an exercise, read: a number, or arithmetic over the lesson's names
// (out_o1*(1 - out_o1), 0.7989*0.2011). The page has no mathjs (its bundle would triple), so
// this is a small recursive-descent reader of + − · / ^, parentheses, numbers, names and a
// few functions, which refuses everything else with the place it stopped.

const FUNCTIONS: Record<string, (x: number) => number> = {
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
};

export interface Reading {
  value: number;
  /** the fewest decimals of a number with a decimal point typed in it (Infinity: none) */
  decimals: number;
  /** how far, relatively, the typed numbers' last places let the value be off: Σ ½·10^−d / |x| over them (0: exact numbers and names only) */
  slack: number;
  /** whether it is one number, as typed */
  plain: boolean;
}

export class ArithmeticError extends Error {}

/** Reads `text` with the names' values in `scope`; throws ArithmeticError saying what it expected where. */
export function readArithmetic(text: string, scope: ReadonlyMap<string, number>): Reading {
  const src = text.replace(/[−–]/g, '-').replace(/[×·]/g, '*').replace(/α/g, 'alpha');
  let i = 0;
  let decimals = Infinity, slack = 0;
  const fail = (what: string): never => {
    throw new ArithmeticError(`${what} ${i < src.trimEnd().length ? `at “${src.slice(i, i + 12)}”` : 'at the end of your answer'}`);
  };
  const space = () => {
    while (src[i] === ' ') i++;
  };
  const peek = () => {
    space();
    return src[i];
  };
  let depth = 0;
  const primary = (): number => {
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
      const dot = number[1].indexOf('.');
      const x = Number(number[0]);
      // 1 in (1 - out_o1) is exact; 0.7989 stands for anything that rounds to it.
      if (dot >= 0) {
        const d = number[1].length - dot - 1;
        decimals = Math.min(decimals, d);
        if (x !== 0) slack += (0.5 * 10 ** -d) / Math.abs(x);
      }
      return x;
    }
    const name = /^[A-Za-z_][\w@]*/.exec(src.slice(i));
    if (!name) return fail('expected a number, a name or (');
    i += name[0].length;
    const f = FUNCTIONS[name[0]];
    if (f && peek() === '(') return f(primary());
    const v = scope.get(name[0]);
    if (v === undefined) throw new ArithmeticError(`no number of this lesson is called ${name[0]}`);
    return v!;
  };
  const unary = (): number => {
    const c = peek();
    if (c === '-' || c === '+') {
      i++;
      return c === '-' ? -unary() : unary();
    }
    return power();
  };
  const power = (): number => {
    const base = primary();
    if (peek() === '^') {
      i++;
      return base ** unary();
    }
    return base;
  };
  const product = (): number => {
    let v = unary();
    for (let c = peek(); c === '*' || c === '/'; c = peek()) {
      i++;
      v = c === '*' ? v * unary() : v / unary();
    }
    return v;
  };
  const sum = (): number => {
    let v = product();
    for (let c = peek(); c === '+' || c === '-'; c = peek()) {
      i++;
      v = c === '+' ? v + product() : v - product();
    }
    return v;
  };
  if (!src.trim()) throw new ArithmeticError('expected a number or an expression');
  if (src.length > 400) throw new ArithmeticError('expected at most 400 characters');
  const value = sum();
  if (peek() !== undefined) fail('expected an operator (+ - * / ^)');
  const plain = /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(src);
  return { value, decimals, slack, plain };
}
