// An evaluated lesson → the HTML of its article. The parsed tokens go through marked's parser
// with renderers for the lesson's own tokens: each directive's own `render`, the inline
// values, and the lesson's math through KaTeX.
import { Marked, type Tokens } from 'marked';
import { inLesson } from '../src/lesson/diagnostics.ts';
import type { FigureParts, RenderContext } from '../src/lesson/directive.ts';
import type { EvaluatedLesson } from '../src/lesson/evaluate.ts';
import type { DirectiveToken, MathToken, ValueToken } from '../src/lesson/syntax.ts';
import { formatNumber } from './format.ts';
import { escapeHtml } from './html.ts';
import { rangeText } from './runs.ts';
import { MathRenderer } from './katex.ts';

export function renderArticle(lesson: EvaluatedLesson): string {
  const { file, map, tokens } = lesson.parsed;
  const math = new MathRenderer();
  let figures = 0;
  const page: RenderContext = {
    display: (tex) => math.render(tex, true),
    inline: (tex) => math.render(tex, false),
    figure: (parts) => figureHtml(parts, ++figures),
  };
  const marked = new Marked({
    gfm: true,
    // A lesson's raw HTML is shown as the text it is, never made live: what a page needs
    // beyond markdown comes from directives, which escape what they print.
    renderer: { html: ({ text }: Tokens.HTML | Tokens.Tag) => escapeHtml(text) },
    extensions: [
      {
        name: 'directive',
        renderer: (token: Tokens.Generic) => {
          const { directive, data } = lesson.directives.get(token as DirectiveToken)!;
          return directive.render(data, page);
        },
      },
      {
        name: 'value',
        renderer: (token: Tokens.Generic) => {
          const v = lesson.values.get(token as ValueToken)!;
          if (v.range) return `<span class="num">${rangeText(v.range)}</span> (over the run and its ${v.range.runs - 1} reruns with every starting weight moved by one ulp)`;
          return `<span class="num">${v.approximate ? '≈' : ''}${formatNumber(v.value, v.decimals)}</span>`;
        },
      },
      {
        name: 'math',
        renderer: (token: Tokens.Generic) => {
          const t = token as MathToken;
          const html = math.render(t.tex, t.display, (i) => t.at(t.raw.indexOf(t.tex) + i));
          return t.display ? `<div class="math-display">${html}</div>` : html;
        },
      },
    ],
  });
  // A table wider than the column scrolls inside a box of its own, never the page.
  return inLesson(file, map, () => marked.parser(tokens)).replace(/<table\b/g, '<div class="scroll table-box"><table').replace(/<\/table>/g, '</table></div>');
}

/** A numbered figure: the drawing scrolls inside its own box where it is wider than the page, and its numbers fold below it. */
function figureHtml(parts: FigureParts, n: number): string {
  const id = `figure-${n}`;
  const data = parts.data ? `<details class="figure-data"><summary>Figure ${n} as a table</summary>${parts.data}</details>` : '';
  return `<figure class="figure${parts.wide ? ' wide' : ''}" id="${id}"><div class="scroll figure-body">${parts.body}</div><figcaption><a class="figure-number" href="#${id}">Figure ${n}.</a> ${parts.caption}</figcaption>${data}</figure>`;
}
