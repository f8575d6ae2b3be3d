// Page shells: a lesson page and the index. Static HTML; the stylesheet and KaTeX's CSS and
// fonts are files beside it, so the site reads offline and without JavaScript.
import { escapeHtml, markLanguages } from './html.ts';
import type { LivePayload } from '../src/live.ts';
import type { Heading } from './lesson.ts';

/** A lesson page's address, encoded and escaped (parseLesson already restricts the names). */
const pageHref = (slug: string) => escapeHtml(`${encodeURIComponent(slug)}.html`);

export interface PageInfo {
  title: string;
  summary?: string;
  source?: string;
  sourceUrl?: string;
  seed?: string;
  needs?: string;
  slug: string;
}

/** A lesson page with live parts runs the site's own two scripts (KaTeX and the live notebook), nothing else. */
const head = (title: string, depth: string, scripts = false) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="default-src 'none';${scripts ? " script-src 'self' 'wasm-unsafe-eval'; worker-src blob:;" : ''} style-src 'self' 'unsafe-inline'; font-src 'self'; img-src 'self' data: https:; base-uri 'none'; form-action 'none'">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${depth}assets/katex/katex.min.css">
<link rel="stylesheet" href="${depth}assets/chainbook.css">
</head>`;

/** The lesson's sections as a nested list: h3s under the h2 before them. */
function contents(headings: Heading[]): string {
  if (headings.length < 2) return '';
  const top = Math.min(...headings.map((h) => h.level));
  const link = (h: Heading) => `<a href="#${h.id}">${h.html}</a>`;
  const items: string[] = [];
  for (let i = 0; i < headings.length; ) {
    const h = headings[i++];
    const under: Heading[] = [];
    while (i < headings.length && headings[i].level > top) under.push(headings[i++]);
    items.push(`<li>${link(h)}${under.length ? `<ol>${under.map((u) => `<li>${link(u)}</li>`).join('')}</ol>` : ''}</li>`);
  }
  const html = `<ol>${items.join('')}</ol>`;
  return `<nav class="toc" aria-labelledby="contents"><h2 id="contents">Contents</h2>${html}</nav>`;
}

function pager(previous: PageInfo | undefined, next: PageInfo | undefined, where: string): string {
  const prev = previous ? `<a rel="prev" href="${pageHref(previous.slug)}"><span class="pager-dir">← Previous</span> ${escapeHtml(previous.title)}</a>` : '<span></span>';
  const nxt = next ? `<a rel="next" href="${pageHref(next.slug)}"><span class="pager-dir">Next →</span> ${escapeHtml(next.title)}</a>` : '<span></span>';
  return `<nav class="pager ${where}" aria-label="Lessons, ${where}">${prev}<a class="pager-index" href="index.html">All lessons</a>${nxt}</nav>`;
}

/** "Source: …", linked where the lesson gives the address, and which seed text it is. */
function sourceLine(info: PageInfo): string {
  if (!info.source) return '';
  const cite = info.sourceUrl ? `<a href="${escapeHtml(info.sourceUrl)}">${escapeHtml(info.source)}</a>` : escapeHtml(info.source);
  return `<p class="source">Source: ${cite}${info.seed ? ` · seed ${escapeHtml(info.seed)}` : ''}</p>`;
}

/**
 * The lesson's live payload, as JSON in a data block: `<` escaped, so no text of the lesson can
 * close the block or open a comment.
 */
function liveScripts(live: LivePayload): string {
  const json = JSON.stringify(live).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return `<script type="application/json" id="chainbook-live">${json}</script>
<script src="assets/katex/katex.min.js" defer></script>
<script src="assets/chainbook-live.js" defer></script>
`;
}

export function lessonPage(info: PageInfo, article: string, headings: Heading[], position: { n: number; of: number }, previous?: PageInfo, next?: PageInfo, live?: LivePayload): string {
  const body = `<body>
<a class="skip" href="#lesson">Skip to the lesson</a>
<header class="page-header">${pager(previous, next, 'top')}<p class="kicker">Lesson ${position.n} of ${position.of}</p><h1>${escapeHtml(info.title)}</h1>${info.summary ? `<p class="summary">${escapeHtml(info.summary)}</p>` : ''}${sourceLine(info)}${info.needs ? `<p class="needs">Before this lesson: ${escapeHtml(info.needs)}</p>` : ''}</header>
${contents(headings)}
<main class="lesson" id="lesson">
${article}
</main>
<footer class="page-footer">${pager(previous, next, 'bottom')}<p>Every number on this page was computed by chainbook's tracer and checked against its vectorised trainer and finite differences; run <code>chainbook verify</code> to re-derive them.</p></footer>
</body>`;
  // After the marking of languages, which is for the page's words, not its data.
  return `${head(`${info.title} · chainbook`, '', live !== undefined)}
${markLanguages(body).replace(/<\/body>$/, () => `${live ? liveScripts(live) : ''}</body>`)}
</html>
`;
}

export function indexPage(lessons: PageInfo[]): string {
  const items = lessons
    .map((l, i) => `<li><a href="${pageHref(l.slug)}">${escapeHtml(l.title)}</a>${l.summary ? `<p>${escapeHtml(l.summary)}</p>` : ''}<p class="meta">${l.needs ? `Needs: ${escapeHtml(l.needs)}` : i === 0 ? 'Needs: nothing but the chain rule of calculus.' : ''}${l.source ? `${l.needs || i === 0 ? ' · ' : ''}Source: ${l.sourceUrl ? `<a href="${escapeHtml(l.sourceUrl)}">${escapeHtml(l.source)}</a>` : escapeHtml(l.source)}${l.seed ? ` (seed ${escapeHtml(l.seed)})` : ''}` : ''}</p></li>`)
    .join('\n');
  const body = `<body>
<header class="page-header"><h1>chainbook</h1><p class="summary">Backpropagation worked by hand, with every number computed and checked.</p></header>
<main class="index">
<p>Each lesson takes a small neural network from a published tutorial (the <em>seeds</em>: five tutorials, most of them in Chinese) and works its backpropagation step by step: every forward value, every partial derivative as formula, substituted numbers and value, every weight update. chainbook computes each number three ways (a scalar tracer that records every chain-rule factor, a vectorised trainer, finite differences) and checks each figure the tutorial prints against it. Where a tutorial is wrong, the lesson says so, shows what the tutorial must have done, and replays its arithmetic to prove it.</p>
<p>The lessons build on each other: read them in order. The first needs only the chain rule; each later one uses the notation and the g-labels (g₁, g₂, … the factors of one chain) of the ones before.</p>
<ol class="lessons">
${items}
</ol></main>
<footer class="page-footer"><p>Run <code>chainbook verify</code> to re-derive every number of every lesson; it fails loudly where a page and its numbers part.</p></footer>
</body>`;
  return `${head('chainbook lessons', '')}
${markLanguages(body)}
</html>
`;
}
