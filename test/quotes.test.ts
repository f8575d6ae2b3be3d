// chainbook quotes on seed 003's worked example: a check for nine in ten of the decimals it
// prints at least, each of which holds when pasted into the lesson (it agrees, or its
// catalogued mistake reproduces the figure).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIRECTIVES } from '../directives/registry.ts';
import { caseOfModel } from '../src/lesson/diagnose.ts';
import { evaluateLesson } from '../src/lesson/evaluate.ts';
import { parseLesson } from '../src/lesson/parse.ts';
import { printedFigures, proposeChecks } from '../src/lesson/quotes.ts';

const SOURCE = readFileSync('test/fixtures/seed-003.txt', 'utf8') // a copy of ../shared/seeds/003_4b4d0c1a48528471.txt: the tests run from a clone of this repository alone;
const lessonText = readFileSync('lessons/02-worked-example.md', 'utf8');
const front = lessonText.slice(0, lessonText.indexOf('\n---', 4) + 4);
// The worked example: from its inputs (5.0) to w1⁺ (5.29).
const FROM = 185, TO = 445;

describe('chainbook quotes', () => {
  it('finds the decimals a text prints, not its equation numbers, sections or dates', () => {
    const text = '#### 3.1 now\n$$in_{h_1} = 0.6 \\quad (5.1)$$ see (5.24) and 公式（4.5）, dated 2018.06.08\n$$out = \\frac{1}{e^{-0.6} + 1} = 0.6456563062$$';
    expect(printedFigures(text).map((f) => [f.text, f.exponent, f.result])).toEqual([['0.6', false, true], ['0.6', true, false], ['0.6456563062', false, true]]);
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

  it('proposes only checks that hold in the lesson', () => {
    const checks = [...new Set(r.proposals.map((p) => p.check))];
    const pasted = evaluateLesson(parseLesson('lessons/02-proposed.md', `${front}\n\n${checks.join('\n\n')}\n`), DIRECTIVES);
    expect(pasted.checks).toHaveLength(checks.length);
    for (const c of pasted.checks) expect([c.quantity, c.verdict]).toEqual([c.quantity, c.erratum ? 'erratum' : 'agrees']);
  });
});
