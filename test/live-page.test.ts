// The live notebook in Chromium, on the built site's lesson 2: the reader's numbers change the
// page to what the build computes for them, the address carries them, the backward stepper
// walks the tape, and the page without JavaScript is the build's. The engine's numbers here
// come from the build's own path (parse and evaluate the edited lesson), not the page's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIRECTIVES } from '../directives/registry.ts';
import { formatNumber } from '../render/format.ts';
import { evaluateLesson } from '../src/lesson/evaluate.ts';
import type { EvaluatedModel } from '../src/lesson/models.ts';
import { parseLesson } from '../src/lesson/parse.ts';
import { renderLesson } from '../render/lesson.ts';
import { launchChromium } from './browser/audit.ts';
import { builtSite } from './browser/site.ts';

const FILE = 'lessons/02-worked-example.md';
const source = readFileSync(FILE, 'utf8');

/** Lesson 2's main model as the build evaluates it, with its sample's first input and its learning rate changed in the lesson's text. */
const evaluated = new Map<string, EvaluatedModel>();
function engine(i1: number, lr: number): EvaluatedModel {
  const known = evaluated.get(`${i1} ${lr}`);
  if (known) return known;
  const text = source.replace('- { x: [0.1, 0.2], t: [0.01, 0.99] }', `- { x: [${i1}, 0.2], t: [0.01, 0.99] }`).replace(/^lr: 0\.5$/m, `lr: ${lr}`);
  if (i1 !== 0.1 || lr !== 0.5) expect(text).not.toBe(source);
  const model = evaluateLesson(parseLesson(FILE, text), DIRECTIVES, { perturb: false }).main;
  evaluated.set(`${i1} ${lr}`, model);
  return model;
}

/** The numbers of lesson 2's ::train table as the build prints them (its reruns perturbed), for a lesson text with these numbers. */
function runTableNumbers(i1: number, lr: number): string[] {
  const text = source.replace('- { x: [0.1, 0.2], t: [0.01, 0.99] }', `- { x: [${i1}, 0.2], t: [0.01, 0.99] }`).replace(/^lr: 0\.5$/m, `lr: ${lr}`);
  const { html } = renderLesson(evaluateLesson(parseLesson(FILE, text), DIRECTIVES, {}));
  return numbersIn(/<table class="numbers run">[\s\S]*?<\/table>/.exec(html)![0].replace(/<[^>]+>/g, ' '));
}
/** Its numbers, digit groups joined. */
const numbersIn = (text: string) => text.replace(/(\d)[\s\u202f\u00a0](?=\d{3}\b)/g, '$1').match(/\d+(?:\.\d+)?/g) ?? [];

/** A number as KaTeX shows it: the lesson's 10 decimals, a true minus sign. */
const shown = (v: number) => formatNumber(v, 10).replace('-', '−');

let browser: Browser, context: BrowserContext, url: string;
beforeAll(async () => {
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  url = pathToFileURL(join(await builtSite(), '02-worked-example.html')).href;
}, 200_000);
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

async function open(address = url): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(address);
  await page.waitForFunction(() => document.documentElement.dataset.chainbookLive === 'ready');
  expect(errors).toEqual([]);
  return page;
}

const settled = (page: Page) => page.waitForFunction(() => document.documentElement.dataset.chainbookState === 'done');
const text = (page: Page, selector: string) => page.locator(selector).innerText();

/** What the page shows for the quantities the issue names: out_h1, ∂E/∂w1, w1⁺, the error after the step. */
async function quantities(page: Page) {
  return { outH1: await text(page, '#forward-out_h1'), derive: await text(page, '#derive-w1'), update: await text(page, '#update-w1'), after: await text(page, '#after') };
}

/** The numbers of the page's words and math, as the reader reads them (the notebook's own controls left out). */
async function pageNumbers(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const ui = [...document.querySelectorAll<HTMLElement>('[data-live-ui]')];
    for (const el of ui) el.style.display = 'none';
    const words = document.querySelector<HTMLElement>('main')!.innerText;
    for (const el of ui) el.style.display = '';
    return words.match(/[−-]?\d+\.\d+/g) ?? [];
  });
}

describe('lesson 2, live', () => {
  // One load of the page for the tests on the lesson's own numbers, in this order, then the edits.
  let lesson2: Promise<Page> | undefined;
  const shared = () => (lesson2 ??= open());

  it('shows, for the lesson\'s own numbers, exactly what the build wrote', async () => {
    const page = await shared();
    expect(await page.evaluate(() => (window as any).chainbookLive.selfCheck())).toEqual([]);
  });

  it('steps through the backward pass: the node accumulated into and its running gradient', async () => {
    const page = await shared();
    const model = engine(0.1, 0.5);
    const steps = model.trace.tape.backwardSteps(model.trace.loss);
    const status = page.locator('.stepper-status');
    const at = async (k: number) => {
      expect(await page.locator('.stepper').getAttribute('data-step')).toBe(String(k));
      const wrt = steps[k].factor.wrt;
      expect(await page.locator('svg.graph g.node.step-wrt').getAttribute('data-node')).toBe(wrt.name);
      expect(await page.locator('svg.graph g.node.step-of').getAttribute('data-node')).toBe(steps[k].factor.of.name);
      expect(await status.locator('[data-running]').innerText()).toBe(formatNumber(steps[k].after, 6).replace('-', '−'));
    };
    await page.locator('.stepper [data-go=next]').click();
    await at(0);
    for (let k = 0; k < 9; k++) await page.locator('.stepper [data-go=next]').click();
    await at(9);
    // The keyboard: the arrow keys step back and forth from the focused button.
    await page.keyboard.press('ArrowLeft');
    await at(8);
    await page.locator('.stepper [data-go=last]').click();
    await at(steps.length - 1);
    // The last += into each parameter leaves its gradient: the one the page derives.
    const w1 = model.trace.params.find((p) => p.name === 'w1')!;
    const last = steps.filter((s) => s.factor.wrt === w1).pop()!;
    expect(last.after).toBe(w1.grad);
  });

  it('follows i1 from 0.1 to 0.05: out_h1, ∂E/∂w1, w1⁺ and the error after the step are the engine\'s', async () => {
    const page = await shared();
    const before = await quantities(page);
    const model = engine(0.05, 0.5), lesson = engine(0.1, 0.5);
    const w1 = model.net.params.findIndex((p) => p.name === 'w1');
    await page.locator('.live-panel > summary').click();
    await page.fill('#live-i1', '0.05');
    await settled(page);
    const after = await quantities(page);
    const expected = {
      outH1: shown(model.trace.node('out_h1').value),
      derive: shown(model.trace.params[w1].grad),
      update: shown(model.step.after[w1]),
      after: shown(model.after.loss.value),
    };
    for (const [k, v] of Object.entries(expected)) {
      expect(after[k as keyof typeof after], k).toContain(v);
      expect(before[k as keyof typeof before], `${k} before the change`).not.toContain(v);
    }
    expect(before.outH1).toContain(shown(lesson.trace.node('out_h1').value));
    // A source's figure is of the lesson's own numbers: the page says so instead of a verdict on these.
    expect(await page.locator('.is-stale .stale-note').count()).toBeGreaterThan(0);
    expect(await page.locator('.stale-note').first().innerText()).toContain('The source used other values than yours: its figure for');
    expect(page.url()).toMatch(/\?i1=0\.05$/);
    // The reader's gradients cross-checked in the page; the change, and what it means for the lesson's words, above the lesson.
    expect(await text(page, '#live-status')).toContain('Their 12 gradients agree with the vectorised trainer and with finite differences');
    expect(await text(page, '.live-changes')).toContain("i1 = 0.05 (the lesson's: 0.1)");
    // The page as patched in place is what the engine renders afresh for these numbers, block by block.
    expect(await page.evaluate(() => (window as any).chainbookLive.selfCheck())).toEqual([]);

    // The learning rate: every update is w − α·∂E/∂w with the new α.
    await page.fill('#live-lr', '0.8');
    await settled(page);
    const moved = engine(0.05, 0.8);
    for (const name of ['w1', 'w5']) {
      const i = moved.net.params.findIndex((p) => p.name === name);
      const update = await text(page, `#update-${name}`);
      expect(update).toContain(shown(moved.step.after[i]));
      expect(update).toContain('0.8');
    }
    // The run is trained again in a worker with the reader's numbers: its table is the build's for them, digit for digit.
    await page.waitForFunction(() => document.documentElement.dataset.chainbookTraining === 'done', null, { timeout: 30_000 });
    const retrained = numbersIn(await text(page, '[data-live] table.run'));
    expect(retrained).toEqual(runTableNumbers(0.05, 0.8));
    expect(retrained).not.toEqual(runTableNumbers(0.1, 0.5));
    expect(await text(page, '[data-live]:has(table.run) .stale-note.retrained')).toContain('at your learning rate, 0.8');
    const address = page.url();
    expect(address).toMatch(/\?i1=0\.05&lr=0\.8$/);
    const numbers = await pageNumbers(page);

    // The address opens the same page: the panel shows the reader's numbers, the page follows them.
    const reopened = await open(address);
    await settled(reopened);
    await reopened.waitForFunction(() => document.documentElement.dataset.chainbookTraining === 'done', null, { timeout: 30_000 });
    expect(await reopened.inputValue('#live-i1')).toBe('0.05');
    expect(await reopened.inputValue('#live-lr')).toBe('0.8');
    expect(await pageNumbers(reopened)).toEqual(numbers);

    // Reset: the lesson's own numbers, the same numbers as the page without JavaScript, one by one.
    await reopened.locator('.live-reset').click();
    await settled(reopened);
    expect(reopened.url()).not.toContain('?');
    const noJs = await browser.newContext({ javaScriptEnabled: false });
    const staticPage = await noJs.newPage();
    await staticPage.goto(url);
    const built = await pageNumbers(staticPage);
    expect(built.length).toBeGreaterThan(500);
    expect(await pageNumbers(reopened)).toEqual(built);
    expect(await reopened.evaluate(() => (window as any).chainbookLive.selfCheck())).toEqual([]);
    // Without JavaScript: the build's numbers, and no notebook.
    expect(await text(staticPage, '#forward-out_h1')).toContain(shown(lesson.trace.node('out_h1').value));
    expect(await staticPage.locator('.live-panel').count()).toBe(0);
    await noJs.close();
    await reopened.close();
  }, 60_000);

  it('scrubs a training curve: the step marked on each line, its values as the figure\'s table gives them', async () => {
    const page = await open(url.replace('02-worked-example', '01-one-neuron'));
    const scrubber = page.locator('.scrubber').first();
    const figure = page.locator('[data-live] figure:has(svg.curve)').first();
    const lines = await figure.locator('polyline[data-x]').evaluateAll((ps) => ps.map((p) => ({ label: (p as SVGElement).dataset.label!, x: (p as SVGElement).dataset.x!.split(' '), y: (p as SVGElement).dataset.y!.split(' ') })));
    expect(lines.map((l) => l.label)).toEqual(['slow', 'fast']);
    // What the scrubber reads is what the figure's table prints, row for row where both have the step.
    const table = await figure.locator('table.figure-table tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent!)));
    let compared = 0;
    for (const [x, ...ys] of table) {
      lines.forEach((l, i) => {
        const j = l.x.indexOf(x.replace(/\s/g, ''));
        if (j >= 0 && ys[i] !== '—') expect(l.y[j], `${l.label} at ${x}`).toBe(ys[i].replace(/\s/g, '')), compared++;
      });
    }
    expect(compared).toBeGreaterThan(20);
    await scrubber.locator('input').fill('10');
    const slow = lines[0], at = slow.x[10], fast = lines[1].x.indexOf(at);
    expect(await scrubber.locator('output').innerText()).toBe(`iteration ${at}: slow ${slow.y[10]}, fast ${lines[1].y[fast]} (as drawn)`);
    expect(await figure.locator('svg .scrub-dot').count()).toBe(2);
    await page.close();
  });
});
