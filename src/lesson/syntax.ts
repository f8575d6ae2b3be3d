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
  /** what is wrong with it, reported once its offset is known */
  problem?: string;
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
export function splitArgs(text: string, base: number): Arg[] | string {
  const args: Arg[] = [];
  const re = /\s*(?:([A-Za-z_][\w-]*)=)?(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))/y;
  let m: RegExpExecArray | null;
  let i = 0;
  while (i < text.length) {
    if (/^\s*$/.test(text.slice(i))) break;
    re.lastIndex = i;
    m = re.exec(text);
    if (!m) return `expected an argument like name, key=value or key="text" at "${text.slice(i).trim()}"`;
    const lead = m[0].length - m[0].trimStart().length;
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
    args.push({ key: m[1], value, at: base + i + lead });
    i = re.lastIndex;
  }
  return args;
}

/** The extensions, in the order they are tried: directives, block math, inline math, values. */
export function lessonSyntax(): TokenizerAndRendererExtension[] {
  const directive: TokenizerAndRendererExtension = {
    name: 'directive',
    level: 'block',
    start: (src) => src.match(/^::[a-z]/m)?.index,
    tokenizer(src) {
      const m = /^::([a-z][\w-]*)([^\n]*)(?:\n+|$)/.exec(src);
      if (!m) return undefined;
      const args = splitArgs(m[2], 2 + m[1].length);
      if (typeof args === 'string') return { type: 'directive', raw: m[0], offset: 0, name: m[1], args: [], problem: args } satisfies DirectiveToken;
      return { type: 'directive', raw: m[0], offset: 0, name: m[1], args } satisfies DirectiveToken;
    },
  };
  const blockMath: TokenizerAndRendererExtension = {
    name: 'math',
    level: 'block',
    start: (src) => src.match(/^\$\$/m)?.index,
    tokenizer(src) {
      const m = /^\$\$([\s\S]+?)\$\$[ \t]*(?:\n+|$)/.exec(src);
      if (!m) return undefined;
      return { type: 'math', raw: m[0], offset: 0, tex: m[1].trim(), display: true } satisfies MathToken;
    },
  };
  const inlineMath: TokenizerAndRendererExtension = {
    name: 'math',
    level: 'inline',
    start: (src) => src.match(/\$/)?.index,
    tokenizer(src) {
      const m = /^\$(?!\$)((?:\\.|[^\\$\n])+?)\$/.exec(src);
      if (!m) return undefined;
      return { type: 'math', raw: m[0], offset: 0, tex: m[1].trim(), display: false } satisfies MathToken;
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
      if (typeof args === 'string' || args.length === 0) {
        const problem = typeof args === 'string' ? args : 'expected a quantity inside {{ }}, like {{out_h1}} or {{grad w5}}';
        return { type: 'value', raw: m[0], offset: 0, args: [], problem } satisfies ValueToken;
      }
      return { type: 'value', raw: m[0], offset: 0, args } satisfies ValueToken;
    },
  };
  return [directive, blockMath, inlineMath, value];
}
