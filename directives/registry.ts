// Every directive a lesson can use, in one ordered list: the order of the README's table and
// of the names an unknown directive's error suggests — the traced step first, then checks and
// figures in the order a lesson tends to use them, then data and training. A new directive is
// one object in one of the files beside this one, added here.
import { directivesByName, type AnyDirective } from '../src/lesson/directive.ts';
import { agreement, check, compute } from './checks.ts';
import { exercise } from './exercise.ts';
import { activation, glossary, network, surface } from './figures.ts';
import { graph } from './graph.ts';
import { boundary, curve, data, sweep, train } from './runs.ts';
import { after, chains, derive, forward, gradients, update } from './steps.ts';

export const DIRECTIVES: readonly AnyDirective[] = [
  forward, derive, update, gradients, chains, after,
  check, exercise, network, surface, graph, glossary, agreement, compute,
  data, activation, train, sweep, curve, boundary,
];

/** The README's table of directives, written from a registry (`npm run readme` puts it in place). */
export function directiveTable(registry: readonly AnyDirective[]): string {
  directivesByName(registry);
  return [
    '| directive | shows |',
    '|---|---|',
    '| `{{quantity}}` (inline) | the number |',
    '| `{{ref ANCHOR}}` (inline) | a link to a numbered equation or figure, by its anchor (`derive-w1`, `figure-graph`): "equation (2.18)", "Figure 2.3" |',
    ...registry.map((d) => `| \`${d.usage}\` | ${d.summary} |`),
  ].join('\n');
}
