// Math on the server: KaTeX to HTML with MathML beside it for screen readers, strict, with no
// trusted commands. A LaTeX mistake becomes a LessonError at the lesson's line and column.
import katex from 'katex';
import { LessonError } from '../src/lesson/errors.ts';

export interface MathSource {
  file: string;
  line: number;
  /** column of the first character of the LaTeX (after the opening $ or $$) */
  col: number;
}

export class MathRenderer {
  // KaTeX adds \gdef definitions to the macros object it is given: one per lesson.
  private readonly macros: Record<string, string> = {};

  render(tex: string, display: boolean, where?: MathSource): string {
    try {
      return katex.renderToString(tex, {
        displayMode: display,
        output: 'htmlAndMathml',
        throwOnError: true,
        strict: 'error',
        trust: false,
        macros: this.macros,
      });
    } catch (e) {
      if (!(e instanceof katex.ParseError)) throw e;
      const message = e.message.replace(/^KaTeX parse error: /, '');
      if (!where) throw new Error(`chainbook produced LaTeX KaTeX rejects (${message}): ${tex}`);
      // position counts from the start of the LaTeX; the lesson may span lines.
      const before = tex.slice(0, (e as { position?: number }).position ?? 0);
      const lines = before.split('\n');
      const line = where.line + lines.length - 1;
      const col = lines.length === 1 ? where.col + before.length : lines[lines.length - 1].length + 1;
      throw new LessonError(where.file, line, col, `LaTeX: ${message}`);
    }
  }
}
