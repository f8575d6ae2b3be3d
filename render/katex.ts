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
    if (lesson) return this.katex(tex, display, at, true);
    // The engine's math depends on nothing but its LaTeX, and its numbers change nothing but
    // their own text: each shape is typeset once per process and its numbers filled in, so a
    // rebuild (chainbook dev) or the live page after an edit typesets only what is new.
    const { shape, numbers } = numberSlots(tex);
    const mode = display ? 'D' : 'I';
    const filled = fillSlots(known(`${mode}${shape}`, () => this.engine(shape, display)), numbers);
    // A shape whose numbers did not each become a text of their own is typeset as it is (and kept so).
    return filled ?? known(`${mode}=${tex}`, () => this.engine(tex, display));
  }

  /** The engine's math: a copy of its LaTeX (MathML's annotation) reads as the formula, without the links to nodes. */
  private engine(tex: string, display: boolean): string {
    const html = this.katex(tex, display, undefined, false);
    return tex.includes('\\htmlData') ? html.replace(/(<annotation encoding="application\/x-tex">)([^<]*)/, (_, open: string, text: string) => open + plainTex(text)) : html;
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

/** The engine's typeset math by key, made once per process (the oldest dropped past MAX_TYPESET). */
function known(key: string, make: () => string): string {
  let html = TYPESET.get(key);
  if (html === undefined) {
    html = make();
    if (TYPESET.size >= MAX_TYPESET) TYPESET.delete(TYPESET.keys().next().value!);
    TYPESET.set(key, html);
  }
  return html;
}

/**
 * A formula's numbers (0.5933, 12) set aside, each replaced by a digit string that stands for
 * its place (990k099): every digit has KaTeX's same height and depth, so the shape typesets to
 * the same markup as the formula, but for the digits of each number. Not a number: digits in a
 * word or a name (w_1 stays), with a unit after them (2pt), or a \htmlData key.
 */
function numberSlots(tex: string): { shape: string; numbers: string[] } {
  const numbers: string[] = [];
  const shape = tex.replace(/(\\htmlData\{[^{}]*\})|(?<![\w.\\])\d+(?:\.\d+)?(?![\w.])/g, (m: string, key: string | undefined) => key ?? `990${numbers.push(m) - 1}099`);
  return { shape, numbers };
}

/** The shape's markup with its numbers put back; undefined unless each stands exactly where KaTeX puts a number (its text, its MathML, its annotation). */
function fillSlots(html: string, numbers: string[]): string | undefined {
  if (!numbers.length) return html;
  const seen = new Array<number>(numbers.length).fill(0);
  let stray = false;
  const filled = html.replace(/(?<!\d)990(\d+)099(?!\d)/g, (m: string, k: string) => {
    const i = Number(k);
    if (!(i < numbers.length)) {
      stray = true;
      return m;
    }
    seen[i]++;
    return numbers[i];
  });
  return !stray && seen.every((n) => n === 3) ? filled : undefined;
}
