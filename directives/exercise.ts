// ::exercise QUANTITY: a question for the reader, its answer computed in the page from the
// lesson's (or the reader's) numbers and never written into the HTML; a wrong answer matched
// against the learner's slips of the catalogue (src/lesson/exercise.ts, render/live/exercise.ts).
import { exerciseBlock, workedLines, type ExerciseData } from '../render/exercise.ts';
import { defineDirective, type LessonContext } from '../src/lesson/directive.ts';
import { resolveQuantity } from '../src/lesson/quantity.ts';
import type { StepRef } from '../src/lesson/mistakes.ts';

/** Exercises are numbered in the order the lesson asks them. */
const numbered = new WeakMap<LessonContext, number>();

export const exercise = defineDirective({
  name: 'exercise',
  inPage: 'live',
  usage: '::exercise QUANTITY',
  summary: 'a question: the reader works out QUANTITY (a node\'s value, `grad NAME`, `partial OF WRT`, `new PARAM`) and types a number or arithmetic over the lesson\'s names. The page checks it to the digits typed and names the catalogued slip a wrong answer comes from; the answer is computed in the page, never printed. Without JavaScript: the question and the worked step without its result, folded',
  args: { positional: 'a quantity, like grad w5', quantity: true, keys: ['in', 'decimals'] },
  evaluate(call, lesson): ExerciseData {
    const q = resolveQuantity(call, lesson);
    const { kind, name, of } = q.ref;
    const trace = call.model.trace;
    const node = trace.tape.nodes.find((n) => n.name === name);
    if (!(kind === 'value' || kind === 'grad' || kind === 'partial' || kind === 'new') || !node) throw call.error(call.positional[0], 'expected a quantity of the traced step to ask for: a node\'s value, grad NAME, partial OF WRT or new PARAM');
    if (kind === 'value' && (node.op === 'input' || node.op === 'param')) throw call.error(call.positional[0], `${name} is given, not computed: ask for a weighted sum, an activation, a loss, a gradient or an update`);
    if (call.model.net.config.update === 'sequential') throw call.error(call.keyed.get('in'), 'an exercise asks for a step taken simultaneously; this model updates its layers one after another');
    const n = (numbered.get(lesson) ?? 0) + 1;
    numbered.set(lesson, n);
    const ref: StepRef = { kind, name, of };
    return { ref, model: call.model.name, tex: q.tex ?? name, label: q.label, number: n, decimals: call.decimals, lines: workedLines(trace, ref, call.model.lr, call.decimals) };
  },
  render: (d, page) => exerciseBlock(d, page),
});
