// An evaluated lesson → the HTML of its article. The parsed tokens go through marked's parser
// with renderers for the lesson's own tokens; each renderer only formats evaluated data.
import { Marked, type Tokens } from 'marked';
import { positionOf } from '../src/lesson/errors.ts';
import type { EvaluatedLesson } from '../src/lesson/evaluate.ts';
import { formatNumber } from '../src/lesson/numbers.ts';
import type { LessonToken } from '../src/lesson/parse.ts';
import type { DirectiveToken, MathToken, ValueToken } from '../src/lesson/syntax.ts';
import { renderDirective } from './directives.ts';
import { MathRenderer } from './katex.ts';

export function renderArticle(lesson: EvaluatedLesson): string {
  const math = new MathRenderer();
  const file = lesson.parsed.file;
  const marked = new Marked({
    gfm: true,
    extensions: [
      {
        name: 'directive',
        renderer: (token: Tokens.Generic) => renderDirective(lesson.directives.get(token as DirectiveToken)!, math),
      },
      {
        name: 'value',
        renderer: (token: Tokens.Generic) => {
          const v = lesson.values.get(token as ValueToken)!;
          return `<span class="num">${formatNumber(v.value, v.decimals)}</span>`;
        },
      },
      {
        name: 'math',
        renderer: (token: Tokens.Generic) => {
          const t = token as MathToken & LessonToken;
          // Where the LaTeX starts inside the token, which may begin on the next line.
          const start = positionOf(t.raw, t.raw.indexOf(t.tex));
          const where = start.line === 1 ? { line: t.at.line, col: t.at.col + start.col - 1 } : { line: t.at.line + start.line - 1, col: start.col };
          const html = math.render(t.tex, t.display, { file, ...where });
          return t.display ? `<div class="math-display">${html}</div>` : html;
        },
      },
    ],
  });
  return marked.parser(lesson.parsed.tokens);
}
