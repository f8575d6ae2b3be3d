// The lesson body's own syntax, as marked extensions that only parse: block directives
// (`::derive w5 decimals=4`), inline values (`{{grad w5}}`), and math (`$…$`, `$$…$$`).
// Each token is plain data; evaluation and rendering happen in later stages.
import type { TokenizerAndRendererExtension, Tokens } from 'marked';

export interface Arg {
  /** `key` of key=value, or undefined for a positional argument */
  key?: string;
  value: string;
  /** offset of the argument inside its token's raw text */
  at: number;
}

/** What every token of the lesson's own syntax carries. */
interface LessonSyntaxToken extends Tokens.Generic {
  raw: string;
  /** offset of the token in the lesson's text, stamped by parseLesson */
  offset: number;
  /** where each character of raw stands in the lesson, stamped by parseLesson */
  at: (index: number) => number;
  /** what is wrong with it, and where in raw, reported once its place is known */
  problem?: { message: string; at: number };
}

export interface DirectiveToken extends LessonSyntaxToken {
  type: 'directive';
  name: string;
  args: Arg[];
}

export interface ValueToken extends LessonSyntaxToken {
  type: 'value';
  args: Arg[];
}

export interface MathToken extends LessonSyntaxToken {
  type: 'math';
  tex: string;
  display: boolean;
}

export type LessonToken = DirectiveToken | ValueToken | MathToken;

/** Splits `a b key=value key="quoted value"` into arguments, remembering where each starts. */
export function splitArgs(text: string, base: number): Arg[] | { message: string; at: number } {
  const args: Arg[] = [];
  const re = /\s*(?:([A-Za-z_][\w-]*)=)?(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))/y;
  let m: RegExpExecArray | null;
  let i = 0;
  while (i < text.length) {
    if (/^\s*$/.test(text.slice(i))) break;
    const lead = text.slice(i).length - text.slice(i).trimStart().length;
    // key="… with no closing quote: blamed on the key, before the bare-word pattern takes "key=" for a word.
    const open = /^\s*([A-Za-z_][\w-]*)="((?:[^"\\]|\\.)*)$/.exec(text.slice(i));
    if (open) return { message: `expected a closing " for ${open[1]}="${open[2]}`, at: base + i + lead };
    re.lastIndex = i;
    m = re.exec(text);
    if (!m) {
      const rest = text.slice(i).trim();
      const open = rest.indexOf('"');
      const message = open >= 0 && !/"(?:[^"\\]|\\.)*"/.test(rest.slice(open)) ? `expected a closing " for ${rest}` : `expected an argument like name, key=value or key="text", not ${rest}`;
      return { message, at: base + i + lead };
    }
    // \" and \\ are a quote and a backslash; any other backslash stays, so LaTeX reads as written.
    const value = m[2] !== undefined ? m[2].replace(/\\(["\\])/g, '$1') : m[3];
    args.push({ key: m[1], value, at: base + i + lead });
    i = re.lastIndex;
  }
  return args;
}

/** Until parseLesson stamps it, a token has no place. */
const unplaced = () => 0;

/** The extensions, in the order they are tried: directives, block math, inline math, values. */
export function lessonSyntax(): TokenizerAndRendererExtension[] {
  const directive: TokenizerAndRendererExtension = {
    name: 'directive',
    level: 'block',
    start: (src) => src.match(/^::[A-Za-z]/m)?.index,
    tokenizer(src) {
      // Any letter, so that ::Forward is a directive the registry does not know, not prose.
      const m = /^::([A-Za-z][\w-]*)([^\n]*)(?:\n+|$)/.exec(src);
      if (!m) return undefined;
      const args = splitArgs(m[2], 2 + m[1].length);
      if (!Array.isArray(args)) return { type: 'directive', raw: m[0], offset: 0, at: unplaced, name: m[1], args: [], problem: args } satisfies DirectiveToken;
      return { type: 'directive', raw: m[0], offset: 0, at: unplaced, name: m[1], args } satisfies DirectiveToken;
    },
  };
  const blockMath: TokenizerAndRendererExtension = {
    name: 'math',
    level: 'block',
    start: (src) => src.match(/^\$\$/m)?.index,
    tokenizer(src) {
      const m = /^\$\$([\s\S]+?)\$\$[ \t]*(?:\n+|$)/.exec(src);
      if (!m) return undefined;
      return { type: 'math', raw: m[0], offset: 0, at: unplaced, tex: m[1].trim(), display: true } satisfies MathToken;
    },
  };
  const inlineMath: TokenizerAndRendererExtension = {
    name: 'math',
    level: 'inline',
    start: (src) => src.match(/\$/)?.index,
    tokenizer(src) {
      const m = /^\$(?!\$)((?:\\.|[^\\$\n])+?)\$/.exec(src);
      if (!m) return undefined;
      return { type: 'math', raw: m[0], offset: 0, at: unplaced, tex: m[1].trim(), display: false } satisfies MathToken;
    },
  };
  const value: TokenizerAndRendererExtension = {
    name: 'value',
    level: 'inline',
    start: (src) => src.match(/\{\{/)?.index,
    tokenizer(src) {
      const m = /^\{\{([^{}\n]*)\}\}/.exec(src);
      if (!m) return undefined;
      const args = splitArgs(m[1], 2);
      if (!Array.isArray(args) || args.length === 0) {
        const problem = !Array.isArray(args) ? args : { message: 'expected a quantity inside {{ }}, like {{out_h1}} or {{grad w5}}', at: 0 };
        return { type: 'value', raw: m[0], offset: 0, at: unplaced, args: [], problem } satisfies ValueToken;
      }
      return { type: 'value', raw: m[0], offset: 0, at: unplaced, args } satisfies ValueToken;
    },
  };
  return [directive, blockMath, inlineMath, value];
}
