// Audits every page of a built site in Chromium, in each configuration a reader meets it in
// (390 and 1100 px, print; light and dark): overflow, equations past the edge, overlapping or
// cut SVG labels, text and line contrast, and the same text without JavaScript.
//   node bin/chainbook.js build --out /tmp/audit-site && npx tsx scripts/audit-pages.ts /tmp/audit-site [PAGE.html …]
// Prints the violations by page and configuration, then a count per kind; exits 1 if any.
// The checks are test/browser/audit.ts's, the same the browser test asserts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Auditor, CONFIGS, countByKind, formatViolations, launchChromium, pool, sitePages, type Config, type Violation } from '../test/browser/audit.ts';

const [dir, ...only] = process.argv.slice(2);
if (!dir || !existsSync(join(dir, 'index.html'))) {
  console.error('usage: npx tsx scripts/audit-pages.ts SITE_DIR [PAGE.html …]   (SITE_DIR: a built site, e.g. node bin/chainbook.js build --out /tmp/audit-site)');
  process.exit(2);
}
const pages = only.length ? only : sitePages(dir);
const t0 = Date.now();
const browser = await launchChromium();
const auditor = new Auditor(browser);
let results: { page: string; config: Config; violations: Violation[] }[];
try {
  // Two pages at a time: these machines have two cores.
  const byPage = await pool(pages, 2, async (page) => ({ page, all: await auditor.audit(join(dir, page)) }));
  results = byPage.flatMap(({ page, all }) => CONFIGS.map((config) => ({ page, config, violations: all.get(config.name)! })));
} finally {
  await auditor.close();
  await browser.close();
}

const total = new Map<string, number>();
for (const page of pages) {
  const mine = results.filter((r) => r.page === page);
  const n = mine.reduce((s, r) => s + r.violations.length, 0);
  console.log(`\n${page}: ${n ? `${n} violation${n === 1 ? '' : 's'}` : 'ok'}`);
  for (const r of mine) {
    if (!r.violations.length) continue;
    const counts = [...countByKind(r.violations)].map(([k, c]) => `${k} ${c}`).join(', ');
    console.log(`  ${r.config.name}: ${counts}`);
    for (const line of formatViolations(r.violations, 25)) console.log(`    ${line}`);
    for (const [k, c] of countByKind(r.violations)) total.set(k, (total.get(k) ?? 0) + c);
  }
}
const sum = [...total.values()].reduce((a, b) => a + b, 0);
console.log(`\n${sum} violation${sum === 1 ? '' : 's'} in ${pages.length} pages × ${CONFIGS.length} configurations (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
for (const [k, c] of [...total].sort((a, b) => b[1] - a[1])) console.log(`  ${k}: ${c}`);
process.exit(sum ? 1 : 0);
