// npm run readme: writes the README's table of directives from the registry, and its table of
// the catalogue of mistakes from the catalogue, each between its markers. test/registry.test.ts
// fails while the README and the registry (or the catalogue) differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { DIRECTIVES, directiveTable } from '../directives/registry.ts';
import { MISTAKES } from '../src/lesson/mistakes.ts';

export const CATALOGUE_START = '<!-- mistakes: written by npm run readme from src/lesson/mistakes.ts -->';
export const CATALOGUE_END = '<!-- end of mistakes -->';

/** The README's table of the catalogue: each entry, whose slip it is, what it does and what it changes. */
export function catalogueTable(): string {
  return [
    '| entry | made by | what it does | changes | in one place |',
    '|---|---|---|---|---|',
    ...MISTAKES.map((m) => `| \`${m.id}\` | ${m.learner ? 'sources and learners' : 'sources'} | ${m.sentence.replace(/\|/g, '\\|')} | ${m.changes.join(', ')} | ${m.places ? (m.id === 'neighbours-swapped' ? 'a pair, `at E_o1/E_o2`' : 'a neuron, `at out_o1`') : '—'} |`),
  ].join('\n');
}

export const START = '<!-- directives: written by npm run readme from directives/registry.ts -->';
export const END = '<!-- end of directives -->';

/** The README with its table of directives written from `registry`. */
export function withDirectiveTable(readme: string, registry = DIRECTIVES): string {
  const a = readme.indexOf(START), b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md needs the markers ${START} and ${END} around its table of directives`);
  return `${readme.slice(0, a + START.length)}\n\n${directiveTable(registry)}\n\n${readme.slice(b)}`;
}

/** The README with its table of the catalogue written from src/lesson/mistakes.ts. */
export function withCatalogueTable(readme: string): string {
  const a = readme.indexOf(CATALOGUE_START), b = readme.indexOf(CATALOGUE_END);
  if (a < 0 || b < a) throw new Error(`README.md needs the markers ${CATALOGUE_START} and ${CATALOGUE_END} around its table of mistakes`);
  return `${readme.slice(0, a + CATALOGUE_START.length)}\n\n${catalogueTable()}\n\n${readme.slice(b)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const readme = readFileSync('README.md', 'utf8');
  writeFileSync('README.md', withCatalogueTable(withDirectiveTable(readme)));
}
