// What a learner's page must be, in Chromium (playwright-core driving Debian's chromium, at
// $CHROMIUM or /usr/bin/chromium; npm's pretest installs it): for every page of the site at
// 390 and 1100 px and in print, light and dark — nothing overflows outside a declared .scroll,
// every equation ends inside the viewport, no two SVG labels meet, text and lines have their
// contrast, and the page holds the same text without JavaScript. The checks are
// test/browser/audit.ts's (scripts/audit-pages.ts prints the same list for a whole site); the
// site is the one test/browser/global-setup.ts builds with the CLI.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Auditor, CONFIGS, countByKind, fixturesDir, formatViolations, launchChromium, type Kind, type Violation } from './browser/audit.ts';
import { builtSite } from './browser/site.ts';

// The pages the site must have: one per lesson, and the index (a missing one fails its tests).
const pages = ['index.html', ...readdirSync('lessons').filter((f) => f.endsWith('.md')).sort().map((f) => f.replace(/\.md$/, '.html'))];

let browser: Browser, auditor: Auditor;
const audits = new Map<string, Promise<Map<string, Violation[]>>>();

// Two pages at a time: two cores, shared with the other test files.
let running = 0;
const waiting: (() => void)[] = [];
async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

beforeAll(async () => {
  browser = await launchChromium(); // no Chromium is a failure that names the command, never a skip
  auditor = new Auditor(browser);
}, 60_000);
afterAll(async () => {
  await Promise.allSettled(audits.values());
  await auditor?.close();
  await browser?.close();
});

/** All configurations of one page, audited once; every page's audit starts with the first test. */
function audit(page: string): Promise<Map<string, Violation[]>> {
  if (!audits.size) {
    const site = builtSite();
    for (const p of pages) {
      const a = site.then((dir) => {
        const file = join(dir, p);
        if (!existsSync(file)) throw new Error(`the site has no ${p}`);
        return limited(() => auditor.audit(file));
      });
      a.catch(() => {}); // awaited by its own tests; not an unhandled rejection meanwhile
      audits.set(p, a);
    }
  }
  return audits.get(page)!;
}

describe.each(pages)('%s', (page) => {
  it.each(CONFIGS.map((c) => [c.name, c] as const))('%s: no violation', async (name) => {
    const violations = (await audit(page)).get(name)!;
    const counts = [...countByKind(violations)].map(([k, n]) => `${k} ${n}`).join(', ');
    expect(formatViolations(violations, 40), `${page} at ${name}: ${violations.length} violations (${counts})`).toEqual([]);
  }, 200_000);
});

describe('the audit itself', () => {
  const every: Kind[] = ['document-scrolls', 'overflow', 'equation', 'svg-label-overlap', 'svg-label-clipped', 'text-contrast', 'line-contrast', 'no-js-text'];

  it('finds every kind of violation on a broken page, in every configuration', async () => {
    const results = await auditor.audit(join(fixturesDir, 'broken.html'));
    for (const config of CONFIGS) {
      const found = countByKind(results.get(config.name)!);
      expect(every.filter((k) => !found.has(k)), `${config.name}: kinds not found`).toEqual([]);
      // one of each: the checks report the innermost box, not every ancestor it pushes out
      // (on paper a scroll box does not scroll either: its two overflowing boxes count too)
      expect(found.get('overflow'), config.name).toBe(config.print ? 3 : 1);
      expect(found.get('equation'), config.name).toBe(2);
    }
  }, 60_000);

  it('finds none on a clean page: content scrolling inside a declared .scroll, an equation that fits, labels apart', async () => {
    const results = await auditor.audit(join(fixturesDir, 'clean.html'));
    for (const config of CONFIGS) expect(formatViolations(results.get(config.name)!), config.name).toEqual([]);
  }, 60_000);
});
