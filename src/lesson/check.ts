// A figure quoted from a source against the number the lesson computes: it agrees, or the
// lesson declares an erratum, and an explanation (an expression, or the source's replayed
// arithmetic) must then reproduce the figure.
import type { DirectiveCall, LessonContext } from './directive.ts';
import { expressionValue } from './expression.ts';
import { replayModel } from './models.ts';
import { resolveQuantity, type Ref } from './quantity.ts';
import { decimalsOf, matchesQuoted } from './quoted.ts';
import type { Position } from './source-map.ts';

export type CheckVerdict = 'agrees' | 'erratum' | 'mismatch' | 'erratum-not-seen' | 'explanation-fails';

export interface CheckResult {
  /** where the check stands in the lesson */
  offset: number;
  at: Position;
  quantity: string;
  ref: Ref;
  computed: number;
  quoted: number;
  quotedText: string;
  decimals: number;
  erratum?: string;
  explain?: { text: string; value: number; reproduces: boolean };
  verdict: CheckVerdict;
  /** the source's figure fits what the lesson computes */
  ok: boolean;
}

export function checkFigure(call: DirectiveCall, lesson: LessonContext): CheckResult {
  const quotedArg = call.keyed.get('quoted');
  if (!quotedArg) throw call.error(undefined, '::check needs quoted=NUMBER: the figure as the source prints it');
  if (!/^[+-]?\d+(\.\d+)?$/.test(quotedArg.value)) throw call.error(quotedArg, `expected quoted to be a decimal number as the source prints it, got ${quotedArg.value}`);
  const { ref, value, label } = resolveQuantity(call, lesson);
  const agrees = matchesQuoted(value, quotedArg.value);
  const erratum = call.keyed.get('erratum')?.value;
  let explain: CheckResult['explain'];
  const explainArg = call.keyed.get('explain');
  if (explainArg) {
    let v: number;
    if (explainArg.value === 'replay') {
      if (!replayModel(lesson.models)) throw call.error(explainArg, 'explain=replay needs carry: { decimals, values } in the front matter');
      v = resolveQuantity(call, lesson, true).value;
    } else {
      const replayed = call.keyed.has('replay') ? replayModel(lesson.models) : undefined;
      v = expressionValue(explainArg, replayed?.replay ?? call.model.trace, call.model.lr, call);
    }
    explain = { text: explainArg.value, value: v, reproduces: matchesQuoted(v, quotedArg.value, 2) };
  }
  let verdict: CheckVerdict;
  if (agrees) verdict = erratum ? 'erratum-not-seen' : 'agrees';
  else if (!erratum) verdict = 'mismatch';
  else verdict = explain && !explain.reproduces ? 'explanation-fails' : 'erratum';
  return {
    offset: call.token.offset, at: lesson.position(call.token.offset), quantity: label, ref, computed: value, quoted: Number(quotedArg.value), quotedText: quotedArg.value,
    decimals: decimalsOf(quotedArg.value), erratum, explain, verdict, ok: verdict === 'agrees' || verdict === 'erratum',
  };
}
