// The number lint: a decimal of four or more digits in the prose must be a number the lesson
// computes or quotes. A typed result would go stale the moment the model changes.
import type { CheckResult } from './check.ts';
import type { EvaluatedModel } from './models.ts';
import type { ParsedLesson } from './parse.ts';
import { figureMatches } from './quoted.ts';
import type { Position } from './source-map.ts';
import type { Run } from './train-run.ts';

export interface LintIssue {
  at: Position;
  text: string;
}

export function numberLint(parsed: ParsedLesson, models: Iterable<EvaluatedModel>, checks: CheckResult[], runs: Iterable<Run>, computed: number[]): LintIssue[] {
  const known: number[] = [...computed];
  // What a run can print: its recorded losses, final loss, accuracy and final outputs.
  for (const r of runs) known.push(...r.result.loss, r.result.finalLoss, r.result.accuracy ?? NaN, ...(r.result.tracked.at(-1) ?? []));
  for (const m of models) {
    for (const t of [m.trace, m.after, m.replay]) {
      if (!t) continue;
      for (const n of t.tape.nodes) {
        known.push(n.value, n.grad);
        for (const f of n.inputs) known.push(f.value);
      }
    }
    known.push(...m.step.after, ...m.step.applied);
  }
  for (const c of checks) known.push(c.quoted, c.explain?.value ?? NaN);
  const issues: LintIssue[] = [];
  for (const piece of parsed.prose) {
    for (const m of piece.raw.matchAll(/(?<![\w.])[+-]?\d+\.(\d{4,})(?!\d|\.\d)/g)) {
      const text = m[0];
      const computed = (k: number) => figureMatches(k, text, 'round') || figureMatches(k, text, 'truncate');
      if (!known.some((k) => computed(k) || computed(-k))) issues.push({ at: parsed.map.position(piece.at(m.index)), text });
    }
  }
  return issues;
}

/**
 * The name lint: in the lesson's math a run of letters is a product of one-letter variables,
 * so `out_{o_1}` sets o·u·t in italic. A multi-letter name is written \name{out} (or \out,
 * \In), upright as the engine's own equations set it. Text inside \text, \name, \mathrm and
 * \operatorname is words, not variables; commands are skipped.
 */
export function nameLint(parsed: ParsedLesson): LintIssue[] {
  const issues: LintIssue[] = [];
  const lint = (tex: string, at: (i: number) => number) => {
    for (const { index, text } of italicNames(tex)) issues.push({ at: parsed.map.position(at(index)), text });
  };
  for (const token of parsed.syntax) {
    if (token.type !== 'math') continue;
    const start = token.raw.indexOf(token.tex);
    lint(token.tex, (i) => token.at(start + i));
  }
  // The $…$ in a directive's words and in the glossary's meanings.
  const inWords = (text: string, at: (i: number) => number) => {
    for (const m of text.matchAll(/\$((?:\\.|[^\\$])+)\$/g)) lint(m[1], (i) => at(m.index + 1 + i));
  };
  for (const piece of parsed.prose) if (piece.words) inWords(piece.raw, piece.at);
  for (const [name, meaning] of Object.entries(parsed.meta.names)) {
    const start = parsed.fieldOffset(`names.${name}`, 'text');
    inWords(meaning, (i) => start + i);
  }
  return issues;
}

/** Commands whose braced argument is words, a style or a length, not variables. */
const WORDS = ['text', 'name', 'mathrm', 'operatorname', 'textrm', 'textit', 'textbf', 'textsf', 'texttt', 'textup', 'mathsf', 'mathtt', 'mathbf', 'mathbb', 'mathcal', 'mathfrak', 'mathscr', 'boldsymbol', 'begin', 'end', 'label', 'color', 'textcolor', 'colorbox', 'hspace', 'vspace', 'htmlClass', 'htmlId', 'href', 'url'];

/** Runs of two or more letters set as variables, and \mathit{word}, with their index in `tex`. */
function italicNames(tex: string): { index: number; text: string }[] {
  const found: { index: number; text: string }[] = [];
  for (let i = 0; i < tex.length; i++) {
    if (tex[i] === '\\') {
      const word = /^\\([A-Za-z]+|.?)/.exec(tex.slice(i, i + 40))![1];
      i += word.length;
      if (WORDS.includes(word)) {
        // Skip the braced argument (words, a colour, a length), after a * as in \operatorname*.
        const brace = /\*?\s*\{/y;
        brace.lastIndex = i + 1;
        if (brace.exec(tex)) i = closing(tex, brace.lastIndex - 1);
      } else if (['kern', 'mkern', 'hskip', 'mskip', 'mspace'].includes(word) || word === '\\') {
        // A length (3mu, 2pt), bare or after a line break in brackets.
        const length = /\s*\[?\s*[-+]?[\d.]+\s*[a-z]{2}\]?/y;
        length.lastIndex = i + 1;
        if (length.exec(tex)) i = length.lastIndex - 1;
      } else if (['rm', 'bf', 'sf', 'tt', 'it', 'cal'].includes(word)) {
        // A switch: upright (or other) letters to the end of the group.
        let depth = 0, j = i + 1;
        for (; j < tex.length && depth >= 0; j++) depth += tex[j] === '{' ? 1 : tex[j] === '}' ? -1 : 0;
        i = j - 1;
      } else if (word === 'mathit') {
        const brace = /\s*\{/y;
        brace.lastIndex = i + 1;
        if (!brace.exec(tex)) continue;
        const open = brace.lastIndex - 1;
        const end = closing(tex, open);
        if (/^[A-Za-z]{2,}$/.test(tex.slice(open + 1, end))) found.push({ index: open + 1, text: `\\mathit{${tex.slice(open + 1, end)}}` });
        i = end;
      }
      continue;
    }
    const run = /^[A-Za-z]{2,}/.exec(tex.slice(i, i + 200));
    if (run) {
      found.push({ index: i, text: run[0] });
      i += run[0].length - 1;
    }
  }
  return found;
}

/** The index of the brace that closes the one at `open`. */
function closing(tex: string, open: number): number {
  let depth = 0;
  for (let i = open; i < tex.length; i++) {
    if (tex[i] === '\\') i++;
    else if (tex[i] === '{') depth++;
    else if (tex[i] === '}' && --depth === 0) return i;
  }
  return tex.length;
}
