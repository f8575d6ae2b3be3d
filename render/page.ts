// Page shells: a lesson page and the index. Static HTML; the stylesheet and KaTeX's CSS and
// fonts are files beside it, so the site reads offline and without JavaScript.
import { escapeHtml } from './html.ts';

/** A lesson page's address, encoded and escaped (parseLesson already restricts the names). */
const pageHref = (slug: string) => escapeHtml(`${encodeURIComponent(slug)}.html`);

export interface PageInfo {
  title: string;
  summary?: string;
  source?: string;
  slug: string;
}

const head = (title: string, depth: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'self' 'unsafe-inline'; font-src 'self'; img-src 'self' data: https:; base-uri 'none'; form-action 'none'">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${depth}assets/katex/katex.min.css">
<link rel="stylesheet" href="${depth}assets/chainbook.css">
</head>`;

export function lessonPage(info: PageInfo, article: string, previous?: PageInfo, next?: PageInfo): string {
  const nav = [previous ? `<a rel="prev" href="${pageHref(previous.slug)}">← ${escapeHtml(previous.title)}</a>` : '', `<a href="index.html">All lessons</a>`, next ? `<a rel="next" href="${pageHref(next.slug)}">${escapeHtml(next.title)} →</a>` : ''].filter(Boolean).join('');
  return `${head(`${info.title} · chainbook`, '')}
<body>
<header class="page-header"><nav>${nav}</nav><h1>${escapeHtml(info.title)}</h1>${info.summary ? `<p class="summary">${escapeHtml(info.summary)}</p>` : ''}${info.source ? `<p class="source">Source: ${escapeHtml(info.source)}</p>` : ''}</header>
<main class="lesson">
${article}
</main>
<footer class="page-footer"><p>Every number on this page was computed by chainbook's tracer and checked against its vectorised trainer and finite differences; run <code>chainbook verify</code> to re-derive them.</p></footer>
</body>
</html>
`;
}

export function indexPage(lessons: PageInfo[]): string {
  const items = lessons.map((l) => `<li><a href="${pageHref(l.slug)}">${escapeHtml(l.title)}</a>${l.summary ? `<p>${escapeHtml(l.summary)}</p>` : ''}</li>`).join('\n');
  return `${head('chainbook lessons', '')}
<body>
<header class="page-header"><h1>chainbook</h1><p class="summary">Backpropagation worked by hand, with every number computed and checked.</p></header>
<main class="index"><ol class="lessons">
${items}
</ol></main>
</body>
</html>
`;
}
