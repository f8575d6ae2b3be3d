// ::exercise, judged as the page judges it (src/lesson/exercise.ts): right within the digits
// typed, a wrong answer named by the learner's slip that gives it, and the answer nowhere in
// the built page. test/exercise-page.test.ts does the same in Chromium.
import { describe, expect, it } from 'vitest';
import { renderSite } from '../render/site.ts';
import { shortened } from '../src/decimal.ts';
import { judgeAnswer } from '../src/lesson/exercise.ts';
import { MISTAKES, type StepRef } from '../src/lesson/mistakes.ts';

import { ASKED, c, lesson, slipAnswers, truth } from './exercise-cases.ts';

describe('an exercise answer', () => {
  it('asks what the lesson asks', () => {
    expect(lesson.checks).toHaveLength(0);
    expect([...lesson.directives.values()].filter((d) => d.directive.name === 'exercise').map((d) => (d.data as { ref: StepRef }).ref)).toEqual(ASKED.map((r) => ({ ...r, of: r.of })));
  });

  it('is right to the digits typed, rounded or cut off, and as arithmetic over the names', () => {
    const g = truth(ASKED[1]);
    expect(g).toBeCloseTo(0.0818233150, 10);
    for (const typed of ['0.0818', '0.08182', '0.081823315', '0.0818233150', '(out_o1 - t_o1)*out_o1*(1 - out_o1)*out_h1', '0.7889476414*0.1606303077*0.6456563062', '0.7889*0.1606*0.6457', '0.789*0.161*0.646']) expect(judgeAnswer(c, ASKED[1], typed).verdict, typed).toBe('right');
    for (const typed of ['0.0819', '0.08183', '0.0818233151', 'out_o1*(1 - out_o1)', '0.789*0.171*0.646']) expect(judgeAnswer(c, ASKED[1], typed).verdict, typed).toBe('wrong');
    // Arithmetic with the slip in it: out where out − t belongs, each number to four decimals.
    const slip = judgeAnswer(c, ASKED[1], '0.7989*0.1606*0.6457');
    expect(slip.verdict === 'wrong' && slip.mistake?.text).toBe('output-for-error');
    expect(judgeAnswer(c, ASKED[1], '0.08').verdict).toBe('few-digits');
    expect(judgeAnswer(c, ASKED[1], '0.08 +').verdict).toBe('unreadable');
    expect(judgeAnswer(c, ASKED[1], 'w9 * 2').verdict).toBe('unreadable');
    expect(judgeAnswer(c, ASKED[1], '0.5*alpha').verdict).toBe('wrong'); // α, as the worked step writes it, is lr
    for (const typed of ['160', '-1606', '1234567890123456']) expect(judgeAnswer(c, ASKED[0], typed).verdict, typed).toBe('wrong');
    expect(judgeAnswer(c, ASKED[0], '0.1606303077000001').verdict).toBe('wrong');
    // Numbers of fewer than three significant digits are exact (0.1 is i1, not anything from 0.05 to 0.15); an exponent counts its places.
    for (const typed of ['1.e-9', '0.1*0.1*0.1', '(0.2)', '0.2*1', '1.6e-1', '0.1606 + 0.1*0.001']) expect(judgeAnswer(c, ASKED[0], typed).verdict, typed).toBe('wrong');
    for (const typed of ['1606e-4', '16063e-5', '1.606e-1', '0.7989*(1 - 0.7989)']) expect(judgeAnswer(c, ASKED[0], typed).verdict, typed).toBe('right');
    for (const typed of ['1.0e-3', '8.0e-3']) expect(judgeAnswer(c, ASKED[2], typed).verdict, typed).toBe('wrong');
    // Only the reader's functions: valueOf( is no function of the answer's.
    for (const typed of ['valueOf(1)', '__proto__(1)', 'constructor(0.16063)', 'toString(2)']) expect(judgeAnswer(c, ASKED[0], typed).verdict, typed).toBe('unreadable');
  });

  it('points only at the factors the named slip writes otherwise', () => {
    // σ′ left out at h1 alone, every value rounded to 4: the one factor the slip changes is h1's (the outputs' are only rounded).
    const j = judgeAnswer(c, ASKED[2], '0.004900');
    expect(j.verdict === 'wrong' && [j.mistake?.text, j.mistake?.factors.map((f) => `${f.factor.of.name} ${f.yours}`)]).toEqual(['missing-derivative at out_h1 + rounded to 4', ['out_h1 1']]);
  });

  it('names the forward values rounded before they were used, and every value rounded on the way', () => {
    const named = (k: number, typed: string) => {
      const j = judgeAnswer(c, ASKED[k], typed);
      return j.verdict === 'wrong' ? j.mistake?.text : j.verdict;
    };
    // out_o1 = 0.7989 as four decimals give it: 0.7989 (1 − 0.7989) = 0.16065879, written as 0.16066 or 0.1607.
    expect([named(0, '0.16066'), named(0, '0.1607'), named(0, '0.160599')]).toEqual(['forward rounded to 4', 'forward rounded to 4', 'forward rounded to 3']);
    // Two decimals: (0.80 − 0.01) · 0.80 · 0.20 · 0.65 = 0.08216.
    expect(named(1, '0.08216')).toBe('forward rounded to 2');
    // Every value rounded to four decimals as it is written down: 0.7889 · 0.1607 = 0.1268, · 0.6457 = 0.0819 (0.08184 from the forward values alone).
    expect([named(1, '0.08190'), named(1, '0.08184')]).toEqual(['rounded to 4', 'forward rounded to 4']);
  });

  it('made with each slip a learner makes, is named by it, with the factor it changes', () => {
    const slips = slipAnswers();
    expect(slips.map((s) => s.id)).toEqual(['biases-not-updated', 'missing-derivative', 'derivative-of-output', 'input-in-derivative', 'output-for-error', 'sign-flipped', 'branch-forgotten', 'input-for-output']);
    for (const { id, exercise, answer } of slips) {
      const j = judgeAnswer(c, ASKED[exercise], answer);
      expect(j.verdict, id).toBe('wrong');
      if (j.verdict !== 'wrong') continue;
      expect(j.mistake?.text, `${answer} for exercise ${exercise + 1}`).toBe(id);
      // A slip inside a formula points at the factor it writes otherwise.
      if (MISTAKES.find((m) => m.id === id)!.yours) expect(j.mistake!.factors.length, id).toBeGreaterThan(0);
    }
    const g2 = judgeAnswer(c, ASKED[0], shortened(0.21399519312250917, 10, 'round'));
    expect(g2.verdict === 'wrong' && g2.mistake?.factors[0].yours).toBe('\\sigma({\\name{out}_{o_{1}}})\\,(1-\\sigma({\\name{out}_{o_{1}}}))');
  });

  it('is nowhere in the built page, its HTML or its script\'s data, to any number of decimals from four', () => {
    const html = [...renderSite([lesson]).entries()].find(([name]) => name.startsWith('07-'))![1];
    expect(html).toContain('class="exercise"');
    for (const ref of ASKED) {
      for (const d of [4, 5, 6, 8, 10]) for (const r of ['round', 'truncate'] as const) expect(html.includes(shortened(truth(ref), d, r)), `${ref.kind} ${ref.name} to ${d}`).toBe(false);
    }
  });
});
