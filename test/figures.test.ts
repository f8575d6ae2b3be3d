// A quoted figure agrees only when the computed value, shortened as the source shortens to the
// figure's printed decimals, is the figure: moved by one unit of its last digit, every checked
// figure of every lesson fails verify, and every replay reproduces its figure digit for digit.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIRECTIVES } from '../directives/registry.ts';
import { plainDecimal, shortened } from '../src/decimal.ts';
import { evaluateLesson, type EvaluatedLesson } from '../src/lesson/evaluate.ts';
import { parseLesson } from '../src/lesson/parse.ts';
import { figureMatches } from '../src/lesson/quoted.ts';
import type { TrainResult } from '../src/lesson/train-run.ts';

describe('shortening a number as a source prints it', () => {
  it('rounds half-up (away from zero) or cuts off, from the digits JavaScript prints', () => {
    expect(shortened(0.6456563062258, 10, 'round')).toBe('0.6456563062');
    expect(shortened(0.659260388451385, 10, 'round')).toBe('0.6592603885');
    expect(shortened(0.659260388451385, 10, 'truncate')).toBe('0.6592603884');
    expect(shortened(0.125, 2, 'round')).toBe('0.13'); // a tie goes up
    expect(shortened(-0.125, 2, 'round')).toBe('-0.13');
    expect(shortened(0.3, 1, 'truncate')).toBe('0.3'); // not the 0.2999… of its binary expansion
    expect(shortened(9.9999, 3, 'round')).toBe('10.000');
    expect(shortened(-0.00004, 4, 'round')).toBe('-0.0000'); // the sign stays, as numpy prints -0.0
    expect(plainDecimal(1.5e-7)).toBe('0.00000015');
    expect(plainDecimal(-2e21)).toBe('-2000000000000000000000');
  });

  it('agrees with a figure only digit for digit', () => {
    const value = 0.6456563062258;
    expect(figureMatches(value, '0.6456563062', 'round')).toBe(true);
    expect(figureMatches(value, '0.6456563063', 'round')).toBe(false); // within a unit, and wrong
    expect(figureMatches(value, '0.6456563061', 'round')).toBe(false);
    expect(figureMatches(0.96, '0.97', 'round')).toBe(false);
    expect(figureMatches(0.965, '0.97', 'round')).toBe(true);
    expect(figureMatches(0.969, '0.96', 'truncate')).toBe(true);
    expect(figureMatches(-0.5, '-.5', 'round')).toBe(false); // the figure is printed as the source prints it
    expect(figureMatches(0.5, '+0.5', 'round')).toBe(true);
  });
});

// Training runs once, remembered across the lesson copies below.
const runs = new Map<string, TrainResult>();
const effects = { readFile: (p: string) => readFileSync(p, 'utf8'), cache: { get: (k: string) => runs.get(k), set: (k: string, v: TrainResult) => void runs.set(k, v) } };
const evaluate = (file: string, text: string): EvaluatedLesson => evaluateLesson(parseLesson(file, text), DIRECTIVES, effects);

/** The figure one unit of its last printed digit up or down: 0.6456563062 → 0.6456563063. */
function moved(figure: string, by: 1 | -1): string {
  const negative = figure.startsWith('-');
  const digits = figure.replace(/^[+-]/, '');
  const decimals = digits.includes('.') ? digits.length - digits.indexOf('.') - 1 : 0;
  const units = BigInt(digits.replace('.', '')) + BigInt(negative ? -by : by);
  const abs = (units < 0n ? -units : units).toString().padStart(decimals + 1, '0');
  const text = decimals ? `${abs.slice(0, abs.length - decimals)}.${abs.slice(abs.length - decimals)}` : abs;
  return (negative !== units < 0n) && units !== 0n ? `-${text}` : text;
}

describe.each(['01-one-neuron', '02-worked-example', '06-delta-iris'])('lesson %s', (name) => {
  const file = `lessons/${name}.md`;
  const text = readFileSync(file, 'utf8');
  const lesson = evaluate(file, text);

  it('verifies as it is, and every replay reproduces its figure exactly', () => {
    expect(lesson.checks.length).toBeGreaterThan(0);
    for (const c of lesson.checks) {
      expect(c.ok, `${c.quantity} (line ${c.at.line}): ${c.verdict}`).toBe(true);
      if (c.explain) expect(c.explain.shown, `${c.quantity}: ${c.explain.text}`).toBe(c.quotedText.replace(/^\+/, ''));
    }
  });

  it('fails on every checked figure moved by one unit of its last digit, either way', () => {
    const lines = text.split('\n');
    for (const c of lesson.checks) {
      for (const by of [1, -1] as const) {
        const line = lines[c.at.line - 1];
        const planted = lines.map((l, i) => (i === c.at.line - 1 ? line.replace(`quoted=${c.quotedText}`, `quoted=${moved(c.quotedText, by)}`) : l)).join('\n');
        expect(planted, `line ${c.at.line}`).not.toBe(text);
        const check = evaluate(file, planted).checks.find((x) => x.at.line === c.at.line)!;
        expect(check.ok, `${c.quantity} quoted as ${moved(c.quotedText, by)}: ${check.verdict}`).toBe(false);
      }
    }
  });
});
