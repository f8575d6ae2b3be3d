// Screenshots of built pages in headless Chromium, to look at what a reader sees:
//   npx tsx scripts/screenshot.ts site/01-worked-example.html out.png [--dark] [--width 1100]
import { chromium } from 'playwright-core';
import { resolve } from 'node:path';

const [page, out = 'screenshot.png'] = process.argv.slice(2).filter((a) => !a.startsWith('--') && !/^\d+$/.test(a));
const dark = process.argv.includes('--dark');
const wi = process.argv.indexOf('--width');
const width = wi > 0 ? Number(process.argv[wi + 1]) : 1100;
if (!page) {
  console.error('usage: npx tsx scripts/screenshot.ts PAGE.html OUT.png [--dark] [--width N]');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: dark ? 'dark' : 'light' });
  const tab = await context.newPage();
  await tab.goto(`file://${resolve(page)}`);
  await tab.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
