// Lesson 7's exercises and the answers each learner's slip gives them: for the exercise tests in
// Node and in Chromium.
import { readFileSync } from 'node:fs';
import { DIRECTIVES } from '../directives/registry.ts';
import { shortened } from '../src/decimal.ts';
import { caseOf, caseOfModel } from '../src/lesson/diagnose.ts';
import { evaluateLesson } from '../src/lesson/evaluate.ts';
import { MISTAKES, quantityOf, stepOf, type StepRef } from '../src/lesson/mistakes.ts';
import { parseLesson } from '../src/lesson/parse.ts';

const FILE = 'lessons/07-your-turn.md';
export const lesson = evaluateLesson(parseLesson(FILE, readFileSync(FILE, 'utf8')), DIRECTIVES);
export const c = caseOfModel(lesson.main);
/** The lesson's exercises, as it asks them. */
export const ASKED: StepRef[] = [{ kind: 'partial', of: 'out_o1', name: 'in_o1' }, { kind: 'grad', name: 'w5' }, { kind: 'grad', name: 'w1' }, { kind: 'new', name: 'b3' }];
export const truth = (ref: StepRef) => quantityOf(stepOf(c), ref)!;

/** For each slip a learner makes, the first exercise whose answer it changes, and the answer it gives (to 10 decimals). */
export function slipAnswers(): { id: string; exercise: number; answer: string }[] {
  return MISTAKES.filter((m) => m.learner).map((m) => {
    const exercise = ASKED.findIndex((ref) => quantityOf(stepOf(caseOf(c, { uses: [{ mistake: m }] })), ref) !== truth(ref));
    if (exercise < 0) throw new Error(`${m.id} changes none of the lesson's exercises`);
    return { id: m.id, exercise, answer: shortened(quantityOf(stepOf(caseOf(c, { uses: [{ mistake: m }] })), ASKED[exercise])!, 10, 'round') };
  });
}

