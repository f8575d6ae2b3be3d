// Math on the server: KaTeX to HTML with MathML beside it for screen readers, strict, with no
// trusted commands. A LaTeX mistake in a lesson becomes a LessonError at the offset KaTeX names.
import katex from 'katex';
import { LessonError } from '../src/lesson/diagnostics.ts';

export class MathRenderer {
  // KaTeX adds \gdef definitions to the macros object it is given: one per lesson.
  private readonly macros: Record<string, string> = {};

  /** `offset`: where the LaTeX starts in the lesson's text, when the lesson wrote it. */
  render(tex: string, display: boolean, offset?: number): string {
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
      if (offset === undefined) throw new Error(`chainbook produced LaTeX KaTeX rejects (${message}): ${tex}`);
      throw new LessonError(offset + ((e as { position?: number }).position ?? 0), `LaTeX: ${message}`);
    }
  }
}
