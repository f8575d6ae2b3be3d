// The glossary: what the lesson's names mean, each name typeset as the page writes it.
import type { RenderContext } from '../src/lesson/directive.ts';
import type { Node } from '../src/tape.ts';
import { escapeHtml } from './html.ts';

export function glossaryTable(rows: { name: string; meaning: string; node?: Node; at?: (i: number) => number }[], page: RenderContext): string {
  const body = rows.map((r) => `<tr><th scope="row">${r.node ? page.inline(r.node.tex) : `<code>${escapeHtml(r.name)}</code>`}</th><td>${page.prose(r.meaning, r.at)}</td></tr>`);
  return `<table class="glossary"><thead><tr><th>name</th><th>meaning</th></tr></thead><tbody>${body.join('')}</tbody></table>`;
}
