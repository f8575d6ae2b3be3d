// The page audit shared by scripts/audit-pages.ts and test/browser.test.ts: what a learner's page
// must satisfy in Chromium, measured in the page itself (layout, colours, glyph boxes), for each
// configuration a reader meets it in. The in-page code is one self-contained function, sent to
// the page as source, so it also runs where page scripts are disabled.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const chromiumPath = () => process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Chromium, or an error that says how to get it: a browser check never skips silently. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: run  apt-get update && apt-get install -y chromium  (or set CHROMIUM to its path)`);
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

export interface Config {
  name: string;
  width: number;
  height: number;
  colorScheme: 'light' | 'dark';
  print: boolean;
}

// Print: A4 is 794 CSS px wide; with the usual ~1 cm margins a page's content is about 718 px.
export const CONFIGS: readonly Config[] = [
  { name: '390-light', width: 390, height: 844, colorScheme: 'light', print: false },
  { name: '390-dark', width: 390, height: 844, colorScheme: 'dark', print: false },
  { name: '1100-light', width: 1100, height: 900, colorScheme: 'light', print: false },
  { name: '1100-dark', width: 1100, height: 900, colorScheme: 'dark', print: false },
  { name: 'print-light', width: 718, height: 1000, colorScheme: 'light', print: true },
  { name: 'print-dark', width: 718, height: 1000, colorScheme: 'dark', print: true },
];

export type Kind = 'document-scrolls' | 'overflow' | 'equation' | 'svg-label-overlap' | 'svg-label-clipped' | 'text-contrast' | 'line-contrast' | 'no-js-text';

export interface Violation {
  kind: Kind;
  /** a short selector path of the element */
  where: string;
  /** the element's text (or the equation's TeX), shortened */
  text: string;
  /** what was measured against what it must be */
  detail: string;
  /** the heading the element is under */
  near?: string;
}

export interface Thresholds {
  text: number;
  line: number;
  /** px an edge may pass its limit by (subpixel layout) */
  slack: number;
}

export const THRESHOLDS: Thresholds = { text: 4.5, line: 3, slack: 1 };

/** The site's pages, index first. */
export function sitePages(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.html')).sort((a, b) => (a === 'index.html' ? -1 : b === 'index.html' ? 1 : a.localeCompare(b)));
}

/**
 * Audits pages in one browser. Each page is loaded twice (scripts on, scripts off) and then
 * taken through every configuration by changing the viewport and emulated media in place:
 * a reload per configuration would cost a second of parsing and layout each for the larger
 * pages, and a page without scripts lays out the same whether it was loaded at that width or
 * resized to it. (When pages get scripts that read the width at load, load per configuration.)
 */
export class Auditor {
  private contexts = new Map<boolean, Promise<BrowserContext>>();
  constructor(readonly browser: Browser, readonly thresholds: Thresholds = THRESHOLDS) {}

  private context(js: boolean): Promise<BrowserContext> {
    let c = this.contexts.get(js);
    if (!c) {
      c = this.browser.newContext({ viewport: { width: CONFIGS[0].width, height: CONFIGS[0].height }, javaScriptEnabled: js });
      this.contexts.set(js, c);
    }
    return c;
  }

  private async open(file: string, js: boolean): Promise<Page> {
    const page = await (await this.context(js)).newPage();
    await page.goto(pathToFileURL(resolve(file)).href, { waitUntil: 'load' });
    return page;
  }

  /** Puts a loaded page in a configuration's viewport, media and colours, with its fonts loaded. */
  private static async configure(page: Page, config: Config): Promise<void> {
    await page.setViewportSize({ width: config.width, height: config.height });
    await page.emulateMedia({ media: config.print ? 'print' : 'screen', colorScheme: config.colorScheme });
    await page.evaluate('document.fonts.ready.then(() => true)');
  }

  /** Every violation of one page, per configuration. */
  async audit(file: string, configs: readonly Config[] = CONFIGS): Promise<Map<string, Violation[]>> {
    const [page, noJs] = await Promise.all([this.open(file, true), this.open(file, false)]);
    const results = new Map<string, Violation[]>();
    try {
      for (const config of configs) {
        await Promise.all([Auditor.configure(page, config), Auditor.configure(noJs, config)]);
        // tsx and vitest may wrap named functions in __name(); the page has no such helper.
        const violations = (await page.evaluate(`(() => { const __name = (f) => f; return (${inPageAudit.toString()})(${JSON.stringify(this.thresholds)}); })()`)) as Violation[];
        // The live notebook's own controls (data-live-ui) exist only with JavaScript; the lesson's text must not differ.
        const lessonText = `(() => { const ui = [...document.querySelectorAll('[data-live-ui]')]; for (const e of ui) e.style.display = 'none'; const t = document.body.innerText; for (const e of ui) e.style.display = ''; return t; })()`;
        const [text, without] = (await Promise.all([page.evaluate(lessonText), noJs.evaluate('document.body.innerText')])) as string[];
        if (without !== text) violations.push(textDifference(text, without));
        results.set(config.name, violations);
      }
    } finally {
      await Promise.all([page.close(), noJs.close()]);
    }
    return results;
  }

  async close(): Promise<void> {
    for (const c of this.contexts.values()) await (await c).close();
    this.contexts.clear();
  }
}

function textDifference(withJs: string, without: string): Violation {
  const a = withJs.split('\n'), b = without.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const cut = (s: string | undefined) => (s === undefined ? '(nothing)' : JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s));
  return { kind: 'no-js-text', where: 'body', text: cut(a[i]), detail: `innerText differs at line ${i + 1}: with JavaScript ${cut(a[i])}, without ${cut(b[i])} (${a.length} vs ${b.length} lines)` };
}

/** Runs `fn` over items with at most `n` at a time. */
export async function pool<T, R>(items: readonly T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

/** Violations as lines, similar ones (same kind, place and detail) folded into one with a count. */
export function formatViolations(violations: readonly Violation[], limit = Infinity): string[] {
  const groups = new Map<string, { v: Violation; n: number }>();
  for (const v of violations) {
    const key = `${v.kind}|${v.where}|${v.detail}`;
    const g = groups.get(key);
    if (g) g.n++;
    else groups.set(key, { v, n: 1 });
  }
  const lines = [...groups.values()].map(({ v, n }) => `${v.kind}: ${v.where}${v.near ? ` (under “${v.near}”)` : ''} ${v.text ? `${v.text} ` : ''}— ${v.detail}${n > 1 ? ` [×${n}]` : ''}`);
  return lines.length > limit ? [...lines.slice(0, limit), `… and ${lines.length - limit} more`] : lines;
}

export function countByKind(violations: readonly Violation[]): Map<Kind, number> {
  const m = new Map<Kind, number>();
  for (const v of violations) m.set(v.kind, (m.get(v.kind) ?? 0) + 1);
  return m;
}

export const fixturesDir = join(import.meta.dirname, 'fixtures');

/**
 * Runs in the page. Self-contained: no reference to anything outside it (it is sent as source).
 * Measures layout as rendered, so it judges what the reader sees, whatever the CSS says.
 */
function inPageAudit(t: Thresholds): Violation[] {
  const out: Violation[] = [];
  const vw = window.innerWidth;
  const headings = [...document.querySelectorAll('h1, h2, h3')];
  const near = (el: Element): string | undefined => {
    let last: Element | undefined;
    for (const h of headings) if (h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) last = h;
    return last?.textContent?.trim().slice(0, 50);
  };
  const short = (s: string, n = 60) => {
    const x = s.replace(/\s+/g, ' ').trim();
    return x.length > n ? `${x.slice(0, n)}…` : x;
  };
  const describe = (el: Element): string => {
    const parts: string[] = [];
    for (let e: Element | null = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      let p = e.tagName.toLowerCase();
      const cls = [...e.classList].filter((c) => !/^(mord|mtight|vlist.*|pstrut)$/.test(c)).slice(0, 2);
      if (e.id) p += `#${e.id}`;
      else if (cls.length) p += `.${cls.join('.')}`;
      const parent = e.parentElement;
      if (parent) {
        const same = [...parent.children].filter((c) => c.tagName === e!.tagName);
        if (same.length > 1) p += `:nth-of-type(${same.indexOf(e) + 1})`;
      }
      parts.unshift(p);
      if (e.id || e.tagName === 'MAIN' || e.tagName === 'FIGURE') break;
    }
    return parts.join(' > ');
  };
  const textOf = (el: Element) => short((el.querySelector('annotation')?.textContent ?? (el as HTMLElement).innerText ?? el.textContent) || '');
  const px = (n: number) => `${Math.round(n * 10) / 10}px`;

  // Colours: any CSS colour through a canvas, to sRGB bytes and alpha.
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const colours = new Map<string, number[]>();
  const parse = (c: string): number[] => {
    let v = colours.get(c);
    if (!v) {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = '#000';
      ctx.fillStyle = c;
      ctx.fillRect(0, 0, 1, 1);
      const d = ctx.getImageData(0, 0, 1, 1).data;
      v = [d[0], d[1], d[2], d[3] / 255];
      colours.set(c, v);
    }
    return v;
  };
  const over = (fg: number[], bg: number[]) => [0, 1, 2].map((i) => fg[i] * fg[3] + bg[i] * (1 - fg[3])).concat(1);
  const luminance = (c: number[]) => {
    const [r, g, b] = c.slice(0, 3).map((x) => {
      const s = x / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a: number[], b: number[]) => {
    const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (l1 + 0.05) / (l2 + 0.05);
  };
  const hex = (c: number[]) => `#${c.slice(0, 3).map((x) => Math.round(x).toString(16).padStart(2, '0')).join('')}`;
  // The page background: the root's, else the canvas colour of the scheme in use.
  const canvasColour = (() => {
    const root = getComputedStyle(document.documentElement).backgroundColor;
    if (parse(root)[3] > 0) return root;
    const probe = document.createElement('div');
    probe.style.backgroundColor = 'Canvas';
    document.documentElement.append(probe);
    const c = getComputedStyle(probe).backgroundColor;
    probe.remove();
    return c;
  })();
  const backgrounds = new Map<Element, number[]>();
  const background = (el: Element | null): number[] => {
    if (!el) return over(parse(canvasColour), [255, 255, 255, 1]);
    let b = backgrounds.get(el);
    if (!b) {
      const own = parse(getComputedStyle(el).backgroundColor);
      b = own[3] >= 1 ? own : own[3] > 0 ? over(own, background(el.parentElement)) : background(el.parentElement);
      backgrounds.set(el, b);
    }
    return b;
  };
  // Opacity applies to the text and everything drawn under it within the same element; multiplying
  // the ancestors' up to the one giving the background is close enough to judge legibility.
  const opacities = new Map<Element, number>();
  const opacity = (el: Element | null): number => {
    if (!el) return 1;
    let o = opacities.get(el);
    if (o === undefined) opacities.set(el, (o = Number(getComputedStyle(el).opacity) * opacity(el.parentElement)));
    return o;
  };
  const shown = (el: Element) => {
    const s = getComputedStyle(el);
    if (s.visibility !== 'visible') return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1; // KaTeX's MathML and visually hidden text are 1 px or less
  };

  // The document never scrolls sideways.
  const docWidth = document.documentElement.scrollWidth;
  if (docWidth > vw) {
    // Name the outermost boxes that reach past the viewport with nothing clipping them.
    const culprits: string[] = [];
    const walk = (el: Element) => {
      for (const c of el.children) {
        const r = c.getBoundingClientRect();
        if (r.right > vw + t.slack && r.width > 0) culprits.push(`${describe(c)} (right edge ${px(r.right)})`);
        else if (getComputedStyle(c).overflowX === 'visible' && !(c instanceof SVGElement)) walk(c);
      }
    };
    walk(document.body);
    out.push({ kind: 'document-scrolls', where: 'html', text: '', detail: `scrollWidth ${docWidth}px > innerWidth ${vw}px; past the edge: ${culprits.slice(0, 3).join(', ') || 'nothing found'}` });
  }

  // No element's content overflows its box, except inside a declared scroll container; on
  // paper nothing scrolls, so there a scroll container must hold its content too.
  const print = matchMedia('print').matches;
  const overflowing: { el: Element; v: Violation }[] = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg, .katex-mathml') || el.parentElement?.closest(print ? '.katex' : '.scroll, .katex')) continue;
    // A text field scrolls its own value, as every browser's does.
    if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) continue;
    const h = el as HTMLElement;
    if (h.clientWidth === 0 && h.clientHeight === 0) continue; // inline or not rendered
    const s = getComputedStyle(el);
    const sideways = h.scrollWidth - h.clientWidth > t.slack && (print || !el.classList.contains('scroll'));
    const clipped = h.scrollHeight - h.clientHeight > t.slack && s.overflowY !== 'visible';
    if (!sideways && !clipped) continue;
    const how = print ? 'paper does not scroll' : s.overflowX === 'visible' ? 'spills out' : `scrolls (overflow-x: ${s.overflowX}) but is not a declared .scroll`;
    overflowing.push({
      el,
      v: {
        kind: 'overflow', where: describe(el), text: textOf(el), near: near(el),
        detail: sideways ? `content ${h.scrollWidth}px wide in a ${h.clientWidth}px box: ${how}` : `content ${h.scrollHeight}px tall clipped to ${h.clientHeight}px (overflow-y: ${s.overflowY})`,
      },
    });
  }
  // Only the innermost of nested overflowing boxes: an ancestor that spills because of it adds nothing.
  for (const { el, v } of overflowing) if (!overflowing.some((o) => o.el !== el && el.contains(o.el))) out.push(v);

  // Every equation's last term ends inside the viewport and every clipping ancestor: no equation needs scrolling.
  for (const eq of document.querySelectorAll('.katex-display, .eq')) {
    if (eq.parentElement?.closest('.katex-display, .eq')) continue;
    let right = -Infinity, last = '';
    const walker = document.createTreeWalker(eq, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n instanceof Element) {
        if (n.classList.contains('katex-mathml')) {
          // skip its subtree: the MathML copy is not drawn
          let next: Node | null = n;
          while (next && !next.nextSibling) next = next.parentNode === eq ? null : next.parentNode;
          if (!next) break;
          walker.currentNode = next;
          continue;
        }
        if (n.childElementCount === 0 && !n.textContent?.trim()) {
          const r = n.getBoundingClientRect();
          if (r.width > 0 && r.height > 0 && r.right > right) right = r.right;
        }
        continue;
      }
      if (!n.textContent?.trim() || n.parentElement?.closest('.katex-mathml')) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      for (const r of range.getClientRects()) if (r.width > 0 && r.right > right) { right = r.right; last = n.textContent; }
    }
    if (right === -Infinity) continue;
    let limit = vw, by = 'the viewport';
    for (let a: Element | null = eq; a && a !== document.documentElement; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX === 'visible') continue;
      const r = a.getBoundingClientRect(), edge = r.left + a.clientLeft + a.clientWidth;
      if (edge < limit) { limit = edge; by = `its ${a.classList.contains('scroll') ? 'scroll container' : `clipping ancestor (overflow-x: ${s.overflowX})`} ${describe(a)}`; }
    }
    if (right > limit + t.slack) out.push({ kind: 'equation', where: describe(eq), text: textOf(eq), near: near(eq), detail: `last term “${short(last, 20)}” ends at ${px(right)}, past ${by} at ${px(limit)}` });
  }

  // SVG labels: none overlaps another, none is cut by its figure's edge.
  for (const svg of document.querySelectorAll('svg')) {
    if (!shown(svg)) continue;
    const box = svg.getBoundingClientRect();
    const labels = [...svg.querySelectorAll('text')].filter(shown).map((el) => ({ el, r: el.getBoundingClientRect() }));
    for (let i = 0; i < labels.length; i++) {
      const a = labels[i];
      if (a.r.left < box.left - t.slack || a.r.right > box.right + t.slack || a.r.top < box.top - t.slack || a.r.bottom > box.bottom + t.slack) {
        out.push({ kind: 'svg-label-clipped', where: describe(a.el), text: short(a.el.textContent ?? ''), near: near(svg), detail: `label box [${px(a.r.left - box.left)}, ${px(a.r.right - box.left)}] × [${px(a.r.top - box.top)}, ${px(a.r.bottom - box.top)}] leaves the ${px(box.width)} × ${px(box.height)} svg` });
      }
      for (let j = i + 1; j < labels.length; j++) {
        const b = labels[j];
        const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left), h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
        if (w > t.slack && h > t.slack) {
          out.push({ kind: 'svg-label-overlap', where: describe(svg), text: `“${short(a.el.textContent ?? '', 30)}” and “${short(b.el.textContent ?? '', 30)}”`, near: near(svg), detail: `label boxes intersect by ${px(w)} × ${px(h)}` });
        }
      }
    }
  }

  // Text contrast: every visible text's colour over its effective background (SVG text: its fill).
  const seen = new Set<Element>(), reported = new Set<Element>();
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = texts.nextNode(); n; n = texts.nextNode()) {
    const el = n.parentElement;
    if (!el || seen.has(el) || !n.textContent?.trim()) continue;
    seen.add(el);
    if (el.closest('.katex-mathml, script, style, noscript, title') || !shown(el)) continue;
    const s = getComputedStyle(el);
    const isSvg = el instanceof SVGElement;
    const paint = isSvg ? s.fill : s.color;
    if (isSvg && !/^(rgb|#|color|oklch|lab|lch|hsl|hwb)/.test(paint)) continue; // none, or a gradient
    const fg = parse(paint);
    const alpha = fg[3] * opacity(el) * (isSvg ? Number(s.fillOpacity) : 1);
    const bg = background(isSvg ? el.closest('svg') : el);
    const c = ratio(over([fg[0], fg[1], fg[2], alpha], bg), bg);
    // A formula is one report (its TeX), not one per glyph span.
    const unit = el.closest('.katex') ?? el;
    if (c < t.text && !reported.has(unit)) {
      reported.add(unit);
      out.push({ kind: 'text-contrast', where: describe(unit), text: unit === el ? short(n.textContent, 40) : textOf(unit), near: near(el), detail: `${c.toFixed(2)}:1 < ${t.text}:1 (${hex(fg)}${alpha < 1 ? ` at ${alpha.toFixed(2)}` : ''} on ${hex(bg)})` });
    }
  }

  // Line contrast: the strokes that carry a figure's meaning (edges, axes, tick marks, series).
  for (const el of document.querySelectorAll('svg .edge, svg .axis, svg .tickmark, svg .series')) {
    const s = getComputedStyle(el), r = el.getBoundingClientRect();
    if (s.visibility !== 'visible' || r.width + r.height === 0) continue;
    if (!/^(rgb|#|color|oklch|lab|lch|hsl|hwb)/.test(s.stroke)) continue;
    const fg = parse(s.stroke);
    const alpha = fg[3] * opacity(el) * Number(s.strokeOpacity);
    const bg = background(el.closest('svg'));
    const c = ratio(over([fg[0], fg[1], fg[2], alpha], bg), bg);
    if (c < t.line) out.push({ kind: 'line-contrast', where: describe(el), text: '', near: near(el), detail: `${c.toFixed(2)}:1 < ${t.line}:1 (stroke ${hex(fg)}${alpha < 1 ? ` at ${alpha.toFixed(2)}` : ''} on ${hex(bg)})` });
  }
  return out;
}
