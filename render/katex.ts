// Math on the server: KaTeX to HTML with MathML beside it for screen readers, strict. The one
// trusted command is \htmlData in the engine's own math (never a lesson's): it ties a number to
// its node for the live page. A LaTeX mistake in a lesson becomes a LessonError at the offset KaTeX names.
// Display math is laid out in rows that wrap at their operators (equation.ts).
import katex from 'katex';
import { LessonError } from '../src/lesson/diagnostics.ts';
import { NAME_MACROS } from '../src/naming.ts';
import { atomicGroups, equationRows } from './equation.ts';
import { plainTex } from './format.ts';

/** What a lesson's display math may hold for chainbook to lay it out in rows: else KaTeX sets it whole. */
const WHOLE = /\\(?:g|e|x)?def\b|\\newcommand|\\renewcommand|\\let\b|\\tag\b|\\over\b|\\atop\b|\\choose\b|\\(?:rm|bf|it|sf|tt|cal)\b|\\color\b|\\displaystyle|\\textstyle|\\scriptstyle|\\\\\[|%/;

/** The engine's typeset math, by mode and LaTeX; the oldest entries go first past the limit. */
const TYPESET = new Map<string, string>();
const MAX_TYPESET = 50_000;

export class MathRenderer {
  // KaTeX adds \gdef definitions to the macros object it is given. The lesson's math has its
  // own (one per lesson, from the names every lesson shares: \out, \name{…}); the engine's
  // equations typeset with a fresh copy each time, so nothing a lesson defines can change them.
  private readonly lessonMacros: Record<string, string> = { ...NAME_MACROS };

  /** `at`: where each character of the LaTeX stands in the lesson, when the lesson wrote it. */
  render(tex: string, display: boolean, at?: (index: number) => number): string {
    if (!display) return this.typeset(tex, false, at);
    // A lesson's equation is typeset whole first, so a mistake is reported where the lesson made it.
    const whole = at ? this.typeset(tex, true, at) : undefined;
    const rows = at && WHOLE.test(tex) ? undefined : equationRows(tex);
    if (!rows) return `<div class="scroll">${whole ?? this.typeset(tex, true)}</div>`;
    try {
      // The leading = keeps to the term after it: no line holds an = alone.
      const cell = (t: string, cls: string) => `<span class="${cls}">${t ? this.typeset(`\\displaystyle ${atomicGroups(t)}`, false, undefined, at !== undefined) : ''}</span>`;
      const single = rows.length === 1 && !rows[0].lhs;
      return `<div class="eq${single ? ' eq-single' : ''}">${rows
        .map((r) => `${single ? '' : cell(r.lhs, 'eq-lhs')}${cell(r.rhs ? `{}${r.rhs.replace(/^(=|\\approx|\\le|\\ge|<|>)(?![a-zA-Z])\s*/, '$1\\nobreak ')}` : '', 'eq-rhs')}${r.note ? `<span class="eq-note">${r.note.split(/\\quad |\\ (?![a-z])/).map((piece) => cell(piece, 'eq-note-part')).join(' ')}</span>` : ''}`)
        .join('')}</div>`;
    } catch (e) {
      // A lesson's equation that typesets whole but not in pieces (something the rows cannot
      // split) is set whole; the engine's own always splits.
      if (whole === undefined) throw e;
      return `<div class="scroll">${whole}</div>`;
    }
  }

  /** `lesson`: the lesson wrote it (so its definitions apply), though its place is not known. */
  private typeset(tex: string, display: boolean, at?: (index: number) => number, lesson = at !== undefined): string {
    // The engine's math depends on nothing but its LaTeX: typeset once per process, so a
    // rebuild of an edited lesson (chainbook dev) sets only what changed.
    const key = lesson ? undefined : `${display ? 'D' : 'I'}${tex}`;
    const known = key === undefined ? undefined : TYPESET.get(key);
    if (known !== undefined) return known;
    // A copy of the LaTeX (MathML's annotation) reads as the formula, without the links to nodes.
    const typeset = this.katex(tex, display, at, lesson);
    const html = !lesson && tex.includes('\\htmlData') ? typeset.replace(/(<annotation encoding="application\/x-tex">)([^<]*)/, (_, open: string, text: string) => open + plainTex(text)) : typeset;
    if (key !== undefined) {
      if (TYPESET.size >= MAX_TYPESET) TYPESET.delete(TYPESET.keys().next().value!);
      TYPESET.set(key, html);
    }
    return html;
  }

  private katex(tex: string, display: boolean, at: ((index: number) => number) | undefined, lesson: boolean): string {
    try {
      return katex.renderToString(tex, {
        displayMode: display,
        output: 'htmlAndMathml',
        throwOnError: true,
        // The engine's own math may tie a number to its node (\htmlData, format.ts linked); a lesson's may not.
        strict: (code: string) => (code === 'htmlExtension' && !lesson ? 'ignore' : 'error'),
        trust: (context: { command: string }) => !lesson && context.command === '\\htmlData',
        macros: lesson ? this.lessonMacros : { ...NAME_MACROS },
        maxExpand: 1000,
      });
    } catch (e) {
      // KaTeX recurses once a level: a formula nested thousands deep runs out of stack.
      if (e instanceof RangeError && at) throw new LessonError(at(0), 'LaTeX: nested too deeply to typeset (braces, fractions or scripts thousands of levels deep)');
      if (!(e instanceof katex.ParseError)) throw e;
      // The place goes in file:line:col; KaTeX's own copy of the context (which may span lines) is left out.
      const message = e.message.replace(/^KaTeX parse error: /, '').replace(/ at position \d+:[\s\S]*$/, '');
      if (at === undefined) throw new Error(`chainbook produced LaTeX KaTeX rejects (${message}): ${tex}`);
      throw new LessonError(at((e as { position?: number }).position ?? 0), `LaTeX: ${message}`);
    }
  }
}
