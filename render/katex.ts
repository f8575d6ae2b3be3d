// Math on the server: KaTeX to HTML with MathML beside it for screen readers, strict, with no
// trusted commands. A LaTeX mistake in a lesson becomes a LessonError at the offset KaTeX names.
// Display math is laid out in rows that wrap at their operators (equation.ts).
import katex from 'katex';
import { LessonError } from '../src/lesson/diagnostics.ts';
import { NAME_MACROS } from '../src/naming.ts';
import { equationRows } from './equation.ts';

export class MathRenderer {
  // KaTeX adds \gdef definitions to the macros object it is given: one per lesson, starting
  // from the names every lesson shares (\out, \name{…}: multi-letter names set upright).
  private readonly macros: Record<string, string> = { ...NAME_MACROS };

  /** `at`: where each character of the LaTeX stands in the lesson, when the lesson wrote it. */
  render(tex: string, display: boolean, at?: (index: number) => number): string {
    if (!display) return this.typeset(tex, false, at);
    // A lesson's equation is typeset whole first, so a mistake is reported where the lesson made it.
    if (at) this.typeset(tex, true, at);
    const rows = equationRows(tex);
    if (!rows) return `<div class="scroll">${this.typeset(tex, true, at)}</div>`;
    const cell = (t: string, cls: string) => `<span class="${cls}">${t ? this.typeset(`\\displaystyle ${t}`, false) : ''}</span>`;
    const single = rows.length === 1 && !rows[0].lhs;
    return `<div class="eq${single ? ' eq-single' : ''}">${rows
      .map((r) => `${single ? '' : cell(r.lhs, 'eq-lhs')}${cell(r.rhs ? `{}${r.rhs}` : '', 'eq-rhs')}${r.note ? cell(r.note, 'eq-note') : ''}`)
      .join('')}</div>`;
  }

  private typeset(tex: string, display: boolean, at?: (index: number) => number): string {
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
