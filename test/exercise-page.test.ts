// Lesson 7's exercises in Chromium, on the built site: for each slip a learner makes, the answer
// it gives, typed into the page, is named as that slip, and the factor it writes otherwise is
// shown; a right answer is taken; new numbers judge an answer again on them.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shortened } from '../src/decimal.ts';
import { MISTAKES } from '../src/lesson/mistakes.ts';
import { launchChromium } from './browser/audit.ts';
import { builtSite } from './browser/site.ts';
import { ASKED, slipAnswers, truth } from './exercise-cases.ts';

let browser: Browser, page: Page;
beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(pathToFileURL(join(await builtSite(), '07-your-turn.html')).href);
  await page.waitForFunction(() => document.documentElement.dataset.chainbookLive === 'ready');
}, 180_000);
afterAll(async () => {
  await browser?.close();
});

/** Types an answer into exercise k and checks it: the page's verdict, the slip it names and what it says. */
async function answer(k: number, text: string): Promise<{ verdict: string; mistake: string; said: string }> {
  const form = page.locator('form.exercise-answer').nth(k);
  await form.locator('input').fill(text);
  await form.locator('button[type=submit]').click();
  return { verdict: (await form.getAttribute('data-verdict'))!, mistake: (await form.getAttribute('data-mistake'))!, said: await form.locator('.exercise-verdict').innerText() };
}

describe('lesson 7, exercises in the page', () => {
  it('has an answer box after each exercise, and no answer in the page', async () => {
    expect(await page.locator('form.exercise-answer').count()).toBe(ASKED.length);
    const html = await page.content();
    for (const ref of ASKED) expect(html.includes(shortened(truth(ref), 6, 'round')), `${ref.kind} ${ref.name}`).toBe(false);
  });

  it('names each slip a learner makes from the answer it gives', async () => {
    for (const { id, exercise, answer: typed } of slipAnswers()) {
      const r = await answer(exercise, typed);
      expect([id, r.verdict, r.mistake]).toEqual([id, 'wrong', id]);
      expect(r.said).toContain(MISTAKES.find((m) => m.id === id)!.sentence);
      // What the page says of a slip does not give the answer away (the reader's own digits aside).
      const said = r.said.replace(typed.replace(/^-/, '−'), '');
      for (const ref of ASKED) for (const d of [6, 10]) expect(said.includes(shortened(truth(ref), d, 'round')), `${id}: ${ref.kind} ${ref.name} to ${d} decimals`).toBe(false);
    }
  });

  it('reads a whole number, and says what it cannot read', async () => {
    expect((await answer(0, '160')).verdict).toBe('wrong');
    expect(await answer(0, 'abc')).toEqual({ verdict: 'unreadable', mistake: '', said: expect.stringContaining('no number of this lesson is called abc: write a number') });
    expect((await answer(0, '(1')).said).toContain('expected ) at the end of your answer');
  });

  it('takes a right answer, and judges it again when the numbers change', async () => {
    const right = shortened(truth(ASKED[1]), 6, 'round');
    expect((await answer(1, right)).verdict).toBe('right');
    await page.evaluate(() => (window as unknown as { chainbookLive: { change(v: Record<string, number>): Promise<unknown> } }).chainbookLive.change({ i1: 0.3 }));
    const form = page.locator('form.exercise-answer').nth(1);
    expect(await form.getAttribute('data-verdict')).toBe('wrong'); // ∂E/∂w5 moves with i1
    await page.evaluate(() => (window as unknown as { chainbookLive: { change(v: Record<string, number>): Promise<unknown> } }).chainbookLive.change({}));
    expect(await form.getAttribute('data-verdict')).toBe('right');
  });
});
