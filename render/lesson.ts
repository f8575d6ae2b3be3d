// An evaluated lesson → the HTML of its article. The parsed tokens go through marked's parser
// with renderers for the lesson's own tokens: each directive's own `render`, the inline
// values, and the lesson's math through KaTeX.
import { Marked, type Token, type Tokens } from 'marked';
import { inLesson, LessonError } from '../src/lesson/diagnostics.ts';
import type { RenderContext } from '../src/lesson/directive.ts';
import type { LessonDataset } from '../src/lesson/dataset.ts';
import type { EvaluatedLesson } from '../src/lesson/evaluate.ts';
import type { DirectiveToken, MathToken, ValueToken } from '../src/lesson/syntax.ts';
import { livePayload, type LiveBlock, type LivePayload, type ShippedDataset } from '../src/live.ts';
import { anchorBase, boxTables, figureHtml, numberedStep, proseHtml, stepClass } from './blocks.ts';
import { htmlNumber } from './format.ts';
import { escapeHtml, hasCjk } from './html.ts';
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
  const base = anchorBase(text);
  let id = base;
  for (let k = 2; taken.has(id); k++) id = `${base}-${k}`;
  taken.add(id);
  return id;
}

/**
 * `chapter`: the lesson's place in the course; its equations and figures are numbered within it
 * ((2.14), Figure 2.3), apart from the numbers a source gives its own equations.
 */
export function renderLesson(lesson: EvaluatedLesson, chapter?: number): { html: string; headings: Heading[]; live?: LivePayload } {
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
  /** the figure the directive being rendered drew, for the live page to draw it again under the same number */
  let drawn: LiveBlock['figure'];
  const live = livePayload(lesson.parsed.meta, liveSamples(lesson));
  const page: RenderContext = {
    display: (tex) => math.render(tex, true),
    inline: (tex) => math.render(tex, false),
    figure: (parts) => {
      const n = ++figures;
      // Named after its directive (figure-network), so prose can refer to it.
      const id = anchorOf(`figure ${directiveKey ?? n}`, ids);
      numbered.set(id, `Figure ${label(n)}`);
      drawn = { id, label: label(n) };
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
          drawn = undefined;
          const html = directive.render(data, page);
          directiveKey = undefined;
          let step: LiveBlock['step'];
          let out = html;
          if (stepClass(html)) {
            const n = ++equations;
            step = { id: anchorOf(key, ids), label: label(n) };
            numbered.set(step.id, `equation (${step.label})`);
            out = numberedStep(html, step.id, step.label);
          }
          const { inPage } = directive;
          if (!inPage) return out;
          // The live page finds it by its number: to render it again, or to say it is of the lesson's own values.
          const k = live.blocks.push({ name: t.name, args: t.args, figure: drawn, step, ...(inPage === 'live' ? {} : { stale: inPage.stale, hide: inPage.hide }), ...(inPage !== 'live' && inPage.retrain?.(data, lesson.runs) ? { retrain: true as const } : {}), ...(hasCjk(out) ? { chinese: true as const } : {}) }) - 1;
          return `<div class="live" data-live="${k}">${out}</div>`;
        },
      },
      {
        name: 'value',
        renderer: (token: Tokens.Generic) => {
          // A reference: its number is known once the whole page is rendered.
          if (lesson.refs.has(token as ValueToken)) return `\u0000ref${refTokens.push(token as ValueToken) - 1}\u0000`;
          const v = lesson.values.get(token as ValueToken)!;
          if (v.range) return `<span class="num">${rangeText(v.range)}</span> (over the run and its ${v.range.runs - 1} reruns with every starting weight moved by one ulp)`;
          const k = live.values.push((token as ValueToken).args) - 1;
          return `<span class="num" data-value="${k}">${v.approximate ? '≈' : ''}${htmlNumber(v.value, v.decimals)}</span>`;
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
  // What a run the page may train again trains on: the reader's samples, or the lesson's data set, shipped.
  if (live.blocks.some((b) => b.retrain)) live.dataset = lesson.dataset.spec.kind === 'samples' ? 'samples' : shippedDataset(lesson.dataset);
  return { html: boxTables(rendered), headings, live: live.blocks.some((b) => !b.stale) ? live : undefined };
}

/** The samples the main model was traced on, as the lesson declared them (or the data set's first). */
function shippedDataset(d: LessonDataset): ShippedDataset {
  return { spec: d.spec, X: Array.from(d.X), T: Array.from(d.T), labels: Array.from(d.labels), classNames: d.classNames };
}

function liveSamples(lesson: EvaluatedLesson): { x: number[]; t: number[] }[] {
  return lesson.main.trace.samples.map((s) => ({ x: s.inputs.map((n) => n.value), t: s.targets.map((n) => n.value) }));
}
