// The live page's budget, measured: its script's size (gzipped, KaTeX excluded: the site ships
// that beside it) next to KaTeX's own, and the time lesson 2 takes in Chromium to follow one
// changed number (on screen, and the whole page) next to the same blocks rendered in this
// process by the build's engine. Without Chromium the browser column says so.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from '../cli/commands.ts';
import { renderBlock } from '../render/live/notebook.ts';
import { liveContext, type LivePayload } from '../src/live.ts';
import { DIRECTIVES } from '../directives/registry.ts';
import { evaluateLesson } from '../src/lesson/evaluate.ts';
import { parseLesson } from '../src/lesson/parse.ts';


const EDITS = 20;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const quiet = { out: () => {}, err: () => {}, errIsTTY: false };

export async function liveBench(root: string): Promise<string[]> {
  const site = mkdtempSync(join(tmpdir(), 'chainbook-bench-site-'));
  try {
    if (build([join(root, 'lessons', '02-worked-example.md')], join(site, 'site'), { console: quiet }) !== 0) throw new Error('lesson 2 did not build');
    const dir = join(site, 'site');
    const script = readFileSync(join(dir, 'assets', 'chainbook-live.js'));
    const katex = readFileSync(join(dirname(createRequire(import.meta.url).resolve('katex/package.json')), 'dist', 'katex.min.js'));
    const gz = (b: Buffer) => gzipSync(b, { level: 9 }).length / 1024;
    const html = readFileSync(join(dir, '02-worked-example.html'), 'utf8');
    const source = readFileSync(join(root, 'lessons', '02-worked-example.md'), 'utf8');
    const lines = [
      `| the live page's script, gzipped (KaTeX excluded) | ${gz(script).toFixed(1)} KB | KaTeX ${gz(katex).toFixed(1)} KB | ${(gz(script) / gz(katex)).toFixed(2)}× KaTeX | < 120 KB | ${gz(script) < 120 ? 'yes' : 'NO'} | mathjs in it: ${/mathjs is not in the live page/.test(script.toString()) && !/function\s+typed\b|typed-function/.test(script.toString()) ? 'no' : 'YES'} |`,
    ];
    // The peer: the same blocks, the same edits, rendered by the engine in this process.
    const payload = JSON.parse(/<script type="application\/json" id="chainbook-live">(.*?)<\/script>/s.exec(html)![1]) as LivePayload;
    const node: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      const t0 = performance.now();
      const lesson = liveContext(payload, new Map([['i1', 0.05 + i / 1000]]));
      for (const b of payload.blocks) if (!b.stale) renderBlock(b, lesson);
      node.push(performance.now() - t0);
    }
    const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
    if (!existsSync(chromium)) {
      lines.push(`| lesson 2 after one edit, in Chromium | no Chromium at ${chromium} | node ${median(node).toFixed(1)} ms | — | < 50 ms | n/a | |`);
      return lines;
    }
    const { chromium: driver } = await import('playwright-core');
    const browser = await driver.launch({ executablePath: chromium, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    try {
      const page = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
      await page.goto(pathToFileURL(join(dir, '02-worked-example.html')).href);
      await page.waitForFunction(() => document.documentElement.dataset.chainbookLive === 'ready');
      // The reader at the hidden layer's derivations, the page's longest stretch of math.
      await page.evaluate(() => document.getElementById('derive-w1')!.scrollIntoView());
      await page.waitForTimeout(1500); // the baseline the first change patches is rendered in idle slices
      const runs = await page.evaluate(async (n) => {
        const live = (window as unknown as { chainbookLive: { change(v: Record<string, number>): Promise<{ visible: number; complete: number }> } }).chainbookLive;
        const out: [number, number, number][] = [];
        for (let i = 0; i < n; i++) {
          const t0 = performance.now();
          const r = await live.change({ i1: 0.05 + i / 1000 });
          // Until the frame that shows it has been laid out and painted.
          await new Promise((painted) => requestAnimationFrame(() => setTimeout(painted, 0)));
          out.push([r.visible, r.complete, performance.now() - t0]);
        }
        return out;
      }, EDITS);
      // A short run trained again on the reader's numbers, in the worker (the page waits 300 ms for the reader to pause first).
      const retrain = await page.evaluate(async () => {
        const t0 = performance.now();
        await (window as unknown as { chainbookLive: { change(v: Record<string, number>): Promise<unknown> } }).chainbookLive.change({ lr: 0.8 });
        while (document.documentElement.dataset.chainbookTraining === 'working') await new Promise((r) => setTimeout(r, 5));
        return performance.now() - t0 - 300;
      });
      const t0 = performance.now();
      evaluateLesson(parseLesson('02-worked-example.md', source.replace(/^lr: 0\.5$/m, 'lr: 0.8')), DIRECTIVES, {});
      const nodeRetrain = performance.now() - t0;
      const visible = median(runs.slice(2).map((r) => r[0])), complete = median(runs.slice(2).map((r) => r[1])), painted = median(runs.slice(2).map((r) => r[2]));
      lines.push(`| lesson 2 after one edit, in Chromium: on screen | ${visible.toFixed(1)} ms | node ${median(node).toFixed(1)} ms | ${(visible / median(node)).toFixed(2)}× | < 50 ms | ${visible < 50 ? 'yes' : 'NO'} | median of ${EDITS - 2} edits of i1 |`);
      lines.push(`| lesson 2 after one edit, in Chromium: the whole page | ${complete.toFixed(1)} ms | node ${median(node).toFixed(1)} ms | ${(complete / median(node)).toFixed(2)}× | < 50 ms | ${complete < 50 ? 'yes' : 'NO'} | up to 50 ms at once, then in slices of 16 ms |`);
      lines.push(`| lesson 2's run (2000 iterations and its 2 reruns) trained again in the page's worker | ${retrain.toFixed(0)} ms | node, the whole lesson evaluated with it: ${nodeRetrain.toFixed(0)} ms | ${(retrain / nodeRetrain).toFixed(2)}× | — | | from the change, less the 300 ms the page waits for a pause |`);
      lines.push(`| lesson 2 after one edit, in Chromium: until painted | ${painted.toFixed(1)} ms | node ${median(node).toFixed(1)} ms | ${(painted / median(node)).toFixed(2)}× | — | | the frame that shows it, laid out and painted |`);
    } finally {
      await browser.close();
    }
    return lines;
  } finally {
    rmSync(site, { recursive: true, force: true });
  }
}
