// chainbook quotes on seed 003's worked example: a check for nine in ten of the decimals it
// prints at least, each of which holds when pasted into the lesson (it agrees, or its
// catalogued mistake reproduces the figure).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { quotesCommand } from '../cli/diagnose.ts';
import { DIRECTIVES } from '../directives/registry.ts';
import { caseOfModel } from '../src/lesson/diagnose.ts';
import { evaluateLesson } from '../src/lesson/evaluate.ts';
import { parseLesson } from '../src/lesson/parse.ts';
import { padsPast } from '../src/lesson/quoted.ts';
import { printedFigures, proposeChecks } from '../src/lesson/quotes.ts';

const SOURCE = readFileSync('test/fixtures/seed-003.txt', 'utf8') // a copy of ../shared/seeds/003_4b4d0c1a48528471.txt: the tests run from a clone of this repository alone;
const lessonText = readFileSync('lessons/02-worked-example.md', 'utf8');
const front = lessonText.slice(0, lessonText.indexOf('\n---', 4) + 4);
// The worked example: from its inputs (5.0) to w1⁺ (5.29).
const FROM = 185, TO = 445;

describe('chainbook quotes', () => {
  it('finds the decimals a text prints, not its equation numbers, sections or dates', () => {
    const text = '#### 3.1 now\n$$in_{h_1} = 0.6 \\quad (5.1)$$ see (5.24) and 公式（4.5）, dated 2018.06.08, version 1.2.3\n$$out = \\frac{1}{e^{-0.6} + 1} = 0.6456563062$$\nso σ(0.3775) is 0.5932699921. (It was 0.75136507.) Rate (0.5), error −0.1510';
    expect(printedFigures(text).map((f) => [f.text, f.exponent, f.result])).toEqual([['0.6', false, true], ['0.6', true, false], ['0.6456563062', false, true], ['0.3775', false, false], ['0.5932699921', false, false], ['0.75136507', false, false], ['0.5', false, false], ['-0.1510', false, false]]);
  });

  const lesson = evaluateLesson(parseLesson('lessons/02-worked-example.md', `${front}\n\nThe model alone.\n`), DIRECTIVES);
  const r = proposeChecks(caseOfModel(lesson.main), SOURCE, { from: FROM, to: TO, rounding: lesson.parsed.meta.rounding });

  it('proposes checks for at least 90% of the decimals seed 003 prints in its worked example', () => {
    expect(r.figures.length).toBeGreaterThan(80);
    expect(r.proposals.length / r.figures.length).toBeGreaterThanOrEqual(0.9);
    const byLine = (line: number, text: string) => r.proposals.find((p) => p.figure.line === line && p.figure.text === text)?.check.replace(/ erratum="[^"]*"/, '');
    expect(byLine(204, '0.6')).toBe('::check in_h1 quoted=0.6');
    expect(byLine(212, '0.6592603884')).toBe('::check out_h2 quoted=0.6592603884 explain="mistakes: shared-bias + cut to 10"');
    expect(byLine(294, '0.1607595505')).toBe('::check partial out_o1 in_o1 quoted=0.1607595505 explain="mistakes: shared-bias"');
    expect(byLine(376, '0.1284037009')).toMatch(/^::check partial E_o1 in_o1 quoted=0.1284037009 explain="mistakes: shared-bias \+ output-for-error/);
  });

  it('differentiates with respect to what the step trains and computes, not its inputs and targets', () => {
    const quantities = r.proposals.flatMap((p) => [p.quantity, ...p.alternatives]);
    expect(quantities).toContain('grad w1');
    expect(quantities.filter((q) => /^grad (i|t_o)\d$|^partial \S+ (i|t_o)\d$/.test(q))).toEqual([]);
  });

  it('does not read zeros a source padded as digits its shortened intermediates gave', () => {
    // The tutorial's out_o1 (one bias a layer) is 0.7987314002; with every intermediate rounded to 7 decimals it is 0.7987314, never printed so.
    // Nor is 0.64570000 the printed 0.6457 carried on with and read back (as ∂in_o1/∂w5 = out_h1, "rounded to 10").
    const padded = proposeChecks(caseOfModel(lesson.main), '$$out_{O_1} = 0.7987314000$$\n$$out_{O_1} = 0.7987314$$\n$$out_{h_1} = 0.6457$$\n$$out_{h_1} = 0.64570000$$\n');
    expect(padded.proposals.map((p) => p.check.replace(/ erratum="[^"]*"/, ''))).toEqual(['::check out_o1 quoted=0.7987314 explain="mistakes: shared-bias"', '::check out_h1 quoted=0.6457']);
    expect(padded.unmatched.map((f) => f.text)).toEqual(['0.7987314000', '0.64570000']);
    expect([padsPast('0.7987314000', 7), padsPast('0.7987314000', 10), padsPast('0.7987314', 7), padsPast('0.45906664745', 10)]).toEqual([true, false, false, false]);
    // Arithmetic on 10-decimal intermediates prints 11: w5⁺ = 0.5 − 0.5 × 0.0818667051.
    expect(r.proposals.find((p) => p.figure.text === '0.45906664745')?.check).toMatch(/^::check new w5 quoted=0\.45906664745 .*explain="mistakes: shared-bias \+ rounded to 10"$/);
  });

  it('says what is wrong with a range of lines', () => {
    const quotes = (lines: string) => () => quotesCommand('test/fixtures/seed-003.txt', 'lessons/02-worked-example.md', lines, { console: { out: () => {}, err: () => {}, errIsTTY: false } });
    expect(quotes('445-185')).toThrow('--lines 445-185: the first line, 445, comes after the last, 185');
    expect(quotes('0-3')).toThrow('--lines 0-3: lines count from 1');
    expect(quotes('185-9999')).toThrow(`--lines 185-9999: test/fixtures/seed-003.txt has 1056 lines`);
    expect(quotes('185')).toThrow('--lines: expected FROM-TO, like 185-445, got 185');
    expect(() => quotesCommand('test/fixtures', 'lessons/02-worked-example.md', undefined)).toThrow('test/fixtures is not a file');
  });

  it('proposes only checks that hold in the lesson, where a value is quoted twice with other digits', () => {
    // The lesson carries on with the first out_h2 (the tutorial's, one bias a layer); in_o1 = 1.3798 is the second's.
    const twice = proposeChecks(caseOfModel(lesson.main), 'The tutorial first: out_h2 = 0.6593\nThen correctly out_h1 = 0.6457 and out_h2 = 0.6615\nSo in_o1 = 1.3798\n');
    const checks = twice.proposals.map((p) => p.check);
    expect(twice.unmatched.map((f) => f.text)).toEqual(['1.3798']);
    const pasted = evaluateLesson(parseLesson('lessons/02-twice.md', `${front}\n\n${checks.join('\n\n')}\n`), DIRECTIVES);
    for (const c of pasted.checks) expect([c.quantity, c.verdict, c.explain?.reproduces ?? true]).toEqual([c.quantity, c.erratum ? 'erratum' : 'agrees', true]);
  });

  it('proposes only checks that hold in the lesson', () => {
    const checks = [...new Set(r.proposals.map((p) => p.check))];
    const pasted = evaluateLesson(parseLesson('lessons/02-proposed.md', `${front}\n\n${checks.join('\n\n')}\n`), DIRECTIVES);
    expect(pasted.checks).toHaveLength(checks.length);
    for (const c of pasted.checks) expect([c.quantity, c.verdict]).toEqual([c.quantity, c.erratum ? 'erratum' : 'agrees']);
  });
});
