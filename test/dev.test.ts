// chainbook dev: this machine only, nothing outside the site, a save rebuilds that lesson and
// reloads the page, and a mistake shows located above the last good page (in Chromium).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../cli/commands.ts';
import { dev, sitePath, type DevServer } from '../cli/dev.ts';
import { launchChromium } from './browser/audit.ts';

const LESSON = `---
title: A dev lesson
model: { layers: [1, 1], activation: sigmoid, loss: squared, bias: none, params: { w1: 0.5 } }
data:
  - { x: [0.1], t: [0.3] }
lr: 0.5
---

The output is {{out_o1}}.

::forward in_o1
`;

const quiet = { out: () => {}, err: () => {}, errIsTTY: false };

describe('which requests are the site', () => {
  it('maps site paths and refuses climbing, hidden, encoded and absolute ones', () => {
    expect(sitePath('/')).toBe('index.html');
    expect(sitePath('/01-one.html?x=1#top')).toBe('01-one.html');
    expect(sitePath('/assets/katex/fonts/KaTeX_Main-Regular.woff2')).toBe('assets/katex/fonts/KaTeX_Main-Regular.woff2');
    for (const bad of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/assets/%2E%2E/%2E%2E/cli/main.ts', '//etc/passwd', '/%2F%2Fetc/passwd', '/a%5c..%5cb', '/%00', '/.cache/runs', '/%E0%A4%A']) expect(sitePath(bad), bad).toBeUndefined();
  });

  it('listens on this machine only', async () => {
    await expect(dev([], { host: '0.0.0.0', console: quiet })).rejects.toThrow(UsageError);
    await expect(dev([], { host: '192.168.1.2', console: quiet })).rejects.toThrow(/serves this machine only/);
  });
});

describe('the dev server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chainbook-dev-'));
  const file = join(dir, 'dev-lesson.md');
  let server: DevServer;
  let browser: Browser;
  const log: string[] = [];
  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: string }>((ok, fail) => {
      const url = new URL(server.url);
      // A raw request: the path goes as written, not normalised by a URL parser first.
      const r = request({ host: url.hostname, port: url.port, path, method: 'GET', headers }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => ok({ status: res.statusCode!, body }));
      });
      r.on('error', fail);
      r.end();
    });

  beforeAll(async () => {
    writeFileSync(file, LESSON);
    server = await dev([file], { port: 0, console: { out: (t) => log.push(t), err: (t) => log.push(t), errIsTTY: false } });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the site from 127.0.0.1, and 404 for anything outside it', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await get('/')).status).toBe(200);
    expect((await get('/dev-lesson.html')).body).toContain('The output is');
    expect((await get('/assets/chainbook.css')).status).toBe(200);
    // A page elsewhere that rebinds its name to 127.0.0.1 still sends that name.
    expect((await get('/dev-lesson.html', { host: 'attacker.example' })).status).toBe(421);
    // A page elsewhere that rebinds its name to 127.0.0.1 still sends that name.
    expect((await get('/dev-lesson.html', { host: 'attacker.example' })).status).toBe(421);
    for (const bad of ['/../package.json', '/%2e%2e/%2e%2e/package.json', '/assets/../../package.json', '/..%2f..%2fpackage.json', '//etc/passwd', '/dev-lesson.md', `/${encodeURIComponent(file)}`]) expect((await get(bad)).status, bad).toBe(404);
  });

  it('reloads the page after a save, shows a located mistake above the last good page, and clears it when fixed', async () => {
    const tab = await browser.newPage();
    await tab.goto(`${server.url}dev-lesson.html`);
    await expect.poll(() => tab.evaluate(() => document.body.innerText)).toContain('The output is');
    // The event stream is open before the first save.
    await tab.waitForSelector('html[data-chainbook-dev="connected"]');
    writeFileSync(file, LESSON.replace('The output is', 'After the edit the output is'));
    await tab.waitForFunction(() => document.body.innerText.includes('After the edit'), undefined, { timeout: 15_000 });
    expect(log.join('')).toMatch(/rebuilt .*dev-lesson\.md in \d+ ms/);

    writeFileSync(file, LESSON.replace('::forward in_o1', '::forward in_o9'));
    await tab.waitForSelector('.dev-error', { timeout: 15_000 });
    await tab.waitForSelector('html[data-chainbook-dev="connected"]');
    const banner = await tab.locator('.dev-error pre').innerText();
    expect(banner).toMatch(/dev-lesson\.md:11:11: /);
    expect(banner).toContain('in_o9');
    expect(await tab.evaluate(() => document.body.innerText)).toContain('After the edit the output is');
    expect(log.join('')).toContain('dev-lesson.md:11:11:');

    // The mistake as written, even where it holds what a string replacement would read as a pattern.
    writeFileSync(file, LESSON.replace('::forward in_o1', () => "::forward a$`b$&c").replace('The output is', 'After the edit the output is'));
    await expect.poll(() => tab.locator('.dev-error pre').innerText().catch(() => ''), { timeout: 15_000 }).toContain('a$`b$&c');
    expect(await tab.locator('.dev-error pre').innerText()).not.toContain('<!doctype');

    writeFileSync(file, readFileSync(file, 'utf8').replace("a$`b$&c", () => 'in_o1'));
    // (the banner goes with the reload that follows the fix)
    await tab.waitForFunction(() => !document.querySelector('.dev-error'), undefined, { timeout: 15_000 });
    await tab.close();
  }, 60_000);

  it('keeps serving when a lesson file goes away, and takes it back when it returns', async () => {
    const text = readFileSync(file, 'utf8');
    rmSync(file);
    server.rebuild(file);
    expect((await get('/dev-lesson.html')).status).toBe(404);
    expect(log.join('')).toContain('dev-lesson.md: gone; it leaves the site until it is back');
    writeFileSync(file, text);
    server.rebuild(file);
    expect((await get('/dev-lesson.html')).status).toBe(200);
  });
});
