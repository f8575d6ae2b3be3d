// Full-page screenshots of a built site, one PNG per page per configuration the browser test
// audits (390 and 1100 px and print, light and dark: test/browser/audit.ts's CONFIGS), to look
// at what a reader sees or to compare before and after a change:
//   node bin/chainbook.js build --out /tmp/site && npx tsx scripts/screenshots.ts /tmp/site /tmp/shots [PAGE.html …]
// writes OUTDIR/PAGE.CONFIG.png, e.g. /tmp/shots/02-worked-example.390-dark.png. Chromium is
// $CHROMIUM or /usr/bin/chromium; print is emulated media at the A4 content width.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONFIGS, launchChromium, pool, sitePages } from '../test/browser/audit.ts';

const [dir, outDir, ...only] = process.argv.slice(2);
if (!dir || !outDir || !existsSync(join(dir, 'index.html'))) {
  console.error('usage: npx tsx scripts/screenshots.ts SITE_DIR OUT_DIR [PAGE.html …]');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const browser = await launchChromium();
try {
  const context = await browser.newContext({ viewport: { width: CONFIGS[0].width, height: CONFIGS[0].height } });
  await pool(only.length ? only : sitePages(dir), 2, async (name) => {
    const page = await context.newPage();
    await page.goto(pathToFileURL(resolve(dir, name)).href, { waitUntil: 'load' });
    for (const config of CONFIGS) {
      await page.setViewportSize({ width: config.width, height: config.height });
      await page.emulateMedia({ media: config.print ? 'print' : 'screen', colorScheme: config.colorScheme });
      await page.evaluate('document.fonts.ready.then(() => true)');
      const file = join(outDir, `${name.replace(/\.html$/, '')}.${config.name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`wrote ${file}`);
    }
    await page.close();
  });
} finally {
  await browser.close();
}
