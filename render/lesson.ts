// An evaluated lesson → the HTML of its article. The parsed tokens go through marked's parser
// with renderers for the lesson's own tokens: each directive's own `render`, the inline
// values, and the lesson's math through KaTeX.
import { Marked, type Token, type Tokens } from 'marked';
import { inLesson, LessonError } from '../src/lesson/diagnostics.ts';
import type { FigureParts, RenderContext } from '../src/lesson/directive.ts';
import type { EvaluatedLesson } from '../src/lesson/evaluate.ts';
import type { DirectiveToken, MathToken, ValueToken } from '../src/lesson/syntax.ts';
import { htmlNumber, minus } from './format.ts';
import { escapeHtml } from './html.ts';
import { rangeText } from './runs.ts';
import { MathRenderer } from './katex.ts';

/** A section heading of the lesson, for its table of contents. */
export interface Heading {
  level: number;
  id: string;
  html: string;
}

export function renderArticle(lesson: EvaluatedLesson): string {
  return renderLesson(lesson).html;
}

/** A heading's anchor: its words, lower case, joined by hyphens (unique within the page). */
function anchorOf(text: string, taken: Set<string>): string {
  const words = text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\$[^$]*\$/g, (m) => m.replace(/[\\{}^_$]/g, ' ')).replace(/[^\p{L}\p{N}_]+/gu, '-').replace(/^-+|-+$/g, '');
  // Cut by characters, not UTF-16 units, so no surrogate pair is split.
  const base = Array.from(words).slice(0, 60).join('').replace(/-+$/, '') || 'section';
  let id = base;
  for (let k = 2; taken.has(id); k++) id = `${base}-${k}`;
  taken.add(id);
  return id;
}

/**
 * `chapter`: the lesson's place in the course; its equations and figures are numbered within it
 * ((2.14), Figure 2.3), apart from the numbers a source gives its own equations.
 */
export function renderLesson(lesson: EvaluatedLesson, chapter?: number): { html: string; headings: Heading[] } {
  const label = (n: number) => (chapter === undefined ? `${n}` : `${chapter}.${n}`);
  const { file, map, tokens } = lesson.parsed;
  const headings: Heading[] = [];
  // The page's own anchors are taken before the lesson's headings.
  const ids = new Set<string>(['contents', 'top', 'lesson']);
  let equations = 0;
  const refTokens: ValueToken[] = [];
  /** what each anchor is called, for {{ref …}}: "equation (3)", "Figure 2" */
  const numbered = new Map<string, string>();
  const math = new MathRenderer();
  let figures = 0;
  /** what the directive being rendered works out (network, derive w5): its figure's anchor is named after it */
  let directiveKey: string | undefined;
  const page: RenderContext = {
    display: (tex) => math.render(tex, true),
    inline: (tex) => math.render(tex, false),
    figure: (parts) => {
      const n = ++figures;
      // Named after its directive (figure-network), so prose can refer to it.
      const id = anchorOf(`figure ${directiveKey ?? n}`, ids);
      numbered.set(id, `Figure ${label(n)}`);
      return figureHtml(parts, id, label(n));
    },
    prose: (text, at) => proseHtml(text, math, at),
  };
  const marked = new Marked({
    gfm: true,
    // A lesson's raw HTML is shown as the text it is, never made live: what a page needs
    // beyond markdown comes from directives, which escape what they print.
    renderer: {
      html: ({ text }: Tokens.HTML | Tokens.Tag) => escapeHtml(text),
      // Every heading has an anchor to link to, and the page's contents list it.
      heading(this: { parser: { parseInline(tokens: Token[]): string } }, { tokens: inline, depth, text }: Tokens.Heading) {
        const html = this.parser.parseInline(inline);
        const id = anchorOf(text, ids);
        // The contents list links each heading: a link inside one would nest.
        if (depth <= 3) headings.push({ level: depth, id, html: html.replace(/<\/?a\b[^>]*>/g, '') });
        return `<h${depth} id="${id}">${html}<a class="anchor" href="#${id}" aria-label="Link to this section">#</a></h${depth}>\n`;
      },
    },
    extensions: [
      {
        name: 'directive',
        renderer: (token: Tokens.Generic) => {
          const t = token as DirectiveToken;
          const { directive, data } = lesson.directives.get(t)!;
          const key = [t.name, ...t.args.filter((a) => !a.key && !directive.args.flags?.includes(a.value)).map((a) => a.value)].join(' ');
          directiveKey = key;
          const html = directive.render(data, page);
          directiveKey = undefined;
          // A worked step is a numbered equation, its anchor named after what it works out (derive-w5).
          const step = /^<div class="step ([\w -]+)">/.exec(html);
          if (!step) return html;
          const n = ++equations;
          const id = anchorOf(key, ids);
          numbered.set(id, `equation (${label(n)})`);
          return `<div class="step ${step[1]}" id="${id}"><a class="eq-number" href="#${id}" title="equation ${label(n)}">(${label(n)})</a>${html.slice(step[0].length)}`;
        },
      },
      {
        name: 'value',
        renderer: (token: Tokens.Generic) => {
          // A reference: its number is known once the whole page is rendered.
          if (lesson.refs.has(token as ValueToken)) return `\u0000ref${refTokens.push(token as ValueToken) - 1}\u0000`;
          const v = lesson.values.get(token as ValueToken)!;
          if (v.range) return `<span class="num">${rangeText(v.range)}</span> (over the run and its ${v.range.runs - 1} reruns with every starting weight moved by one ulp)`;
          return `<span class="num">${v.approximate ? '≈' : ''}${htmlNumber(v.value, v.decimals)}</span>`;
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
  const resolveRefs = (html: string) =>
    html.replace(/\u0000ref(\d+)\u0000/g, (_, k: string) => {
      const token = refTokens[Number(k)];
      const id = lesson.refs.get(token)!;
      const name = numbered.get(id);
      if (!name) {
        const known = [...numbered.keys()];
        throw new LessonError(token.offset, `{{ref ${id}}}: no numbered equation or figure has that anchor${known.length ? `; this lesson's are ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}` : ''}`);
      }
      return `<a class="ref" href="#${id}">${name}</a>`;
    });
  const rendered = inLesson(file, map, () => {
    const body = resolveRefs(marked.parser(tokens));
    for (const h of headings) h.html = resolveRefs(h.html);
    return body;
  });
  const html = rendered.replace(/<table\b/g, '<div class="scroll table-box"><table').replace(/<\/table>/g, '</table></div>');
  return { html, headings };
}

/** A numbered figure: the drawing scrolls inside its own box where it is wider than the page, and its numbers fold below it. */
function figureHtml(parts: FigureParts, id: string, label: string): string {
  const data = parts.data ? `<details class="figure-data"><summary>Figure ${label} as a table</summary>${parts.data}</details>` : '';
  return `<figure class="figure${parts.wide ? ' wide' : ''}" id="${id}"><div class="scroll figure-body">${parts.body}</div><figcaption><a class="figure-number" href="#${id}">Figure ${label}.</a> ${parts.caption}</figcaption>${data}</figure>`;
}

/** Words with `$…$` math in them: the words escaped (with true minus signs), the math typeset. */
function proseHtml(text: string, math: MathRenderer, at?: (index: number) => number): string {
  let html = '', offset = 0;
  // \$ is a dollar sign; $…$ (not after a backslash) is math.
  for (const part of text.split(/((?<!\\)\$(?:\\.|[^\\$])+\$)/)) {
    const start = offset;
    offset += part.length;
    if (part.length > 1 && part.startsWith('$') && part.endsWith('$')) html += math.render(part.slice(1, -1), false, at && ((i) => at(start + 1 + i)));
    else html += minus(escapeHtml(part.replaceAll('\\$', '$')));
  }
  return html;
}
