// Math on the server: KaTeX to HTML with MathML beside it for screen readers, strict, with no
// trusted commands. A LaTeX mistake in a lesson becomes a LessonError at the offset KaTeX names.
import katex from 'katex';
import { LessonError } from '../src/lesson/diagnostics.ts';

export class MathRenderer {
  // KaTeX adds \gdef definitions to the macros object it is given: one per lesson.
  private readonly macros: Record<string, string> = {};

  /** `at`: where each character of the LaTeX stands in the lesson, when the lesson wrote it. */
  render(tex: string, display: boolean, at?: (index: number) => number): string {
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
      // The place goes in file:line:col; KaTeX's own copy of the context (which may span lines) is left out.
      const message = e.message.replace(/^KaTeX parse error: /, '').replace(/ at position \d+:[\s\S]*$/, '');
      if (at === undefined) throw new Error(`chainbook produced LaTeX KaTeX rejects (${message}): ${tex}`);
      throw new LessonError(at((e as { position?: number }).position ?? 0), `LaTeX: ${message}`);
    }
  }
}
