// npm run readme: writes the README's table of directives from the registry, between its
// markers. test/registry.test.ts fails while the README and the registry differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { DIRECTIVES, directiveTable } from '../directives/registry.ts';

export const START = '<!-- directives: written by npm run readme from directives/registry.ts -->';
export const END = '<!-- end of directives -->';

/** The README with its table of directives written from `registry`. */
export function withDirectiveTable(readme: string, registry = DIRECTIVES): string {
  const a = readme.indexOf(START), b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md needs the markers ${START} and ${END} around its table of directives`);
  return `${readme.slice(0, a + START.length)}\n\n${directiveTable(registry)}\n\n${readme.slice(b)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const readme = readFileSync('README.md', 'utf8');
  writeFileSync('README.md', withDirectiveTable(readme));
}
