// The registry of directives is the one place a directive is added: the README's table is
// written from it, and a directive defined here, in a few lines, is built, verified and
// documented without touching any other file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build, verify, type Console } from '../cli/commands.ts';
import { DIRECTIVES, directiveTable } from '../directives/registry.ts';
import { escapeHtml } from '../render/html.ts';
import { withCatalogueTable, withDirectiveTable } from '../scripts/readme.ts';
import { defineDirective } from '../src/lesson/directive.ts';
import { LessonError } from '../src/lesson/diagnostics.ts';
import { nodeNamed } from '../src/lesson/quantity.ts';
import { starterLesson } from '../src/lesson/starter.ts';

// A new directive: `::hello NODE` names a node and its value.
const hello = defineDirective({
  name: 'hello',
  usage: '::hello NODE',
  summary: 'a greeting with the node\'s value',
  args: { positional: 'a node name, like out_o1', keys: ['decimals'] },
  evaluate: (call) => ({ node: nodeNamed(call.model.trace, call.positional[0].value, call, call.positional[0], 'a node'), decimals: call.decimals }),
  render: (d) => `<p class="hello">hello, ${escapeHtml(d.node.name)} = ${d.node.value.toFixed(d.decimals)}</p>`,
});

const scratch = mkdtempSync(join(tmpdir(), 'chainbook-registry-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const quiet: Console & { text: string } = { text: '', out(t) { this.text += t; }, err() {}, errIsTTY: false };

describe('the registry', () => {
  it('writes the README\'s table of directives, and the README holds it as written', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(withDirectiveTable(readme)).toBe(readme); // else: npm run readme
    expect(withCatalogueTable(readme)).toBe(readme); // the catalogue of mistakes too
    for (const d of DIRECTIVES) expect(readme).toContain(`| \`${d.usage}\` |`);
  });

  it('does not type-check a directive without a renderer, or whose renderer takes other data', () => {
    // npm run typecheck proves these: each line must be a type error.
    // @ts-expect-error render is missing
    expect(defineDirective({ name: 'a', usage: '::a', summary: '', args: {}, evaluate: () => ({ n: 1 }) }).name).toBe('a');
    // @ts-expect-error render takes a string; evaluate gives a number
    expect(defineDirective({ name: 'b', usage: '::b', summary: '', args: {}, evaluate: (): number => 1, render: (d: string) => d }).name).toBe('b');
  });

  it('names each directive once', () => {
    expect(() => directiveTable([...DIRECTIVES, { ...hello, name: 'derive' }])).toThrow('two directives are called derive');
  });

  it('takes a new directive to build, verify and the README check without another file', () => {
    const lesson = join(scratch, 'hello.md');
    writeFileSync(lesson, starterLesson('hello').replace('::glossary', '::hello out_o1 decimals=4'));
    const directives = [...DIRECTIVES, hello];

    const out = join(scratch, 'site');
    expect(build([lesson], out, { directives, console: quiet })).toBe(0);
    const out_o1 = 1 / (1 + Math.exp(-0.05)); // σ(w1·i1) = σ(0.5·0.1)
    expect(readFileSync(join(out, 'hello.html'), 'utf8')).toContain(`<p class="hello">hello, out_o1 = ${out_o1.toFixed(4)}</p>`);

    quiet.text = '';
    expect(verify([lesson], { directives, console: quiet })).toBe(0);
    expect(quiet.text).toContain('verified: 1 lesson');
    // Without it in the registry the lesson is wrong where it uses it.
    expect(() => verify([lesson], { console: quiet })).toThrow(LessonError);
    expect(() => verify([lesson], { console: quiet })).toThrow(/hello\.md:\d+:1: unknown directive ::hello/);

    const readme = readFileSync('README.md', 'utf8');
    const documented = withDirectiveTable(readme, directives);
    expect(documented).not.toBe(readme);
    expect(documented).toContain('| `::hello NODE` | a greeting with the node\'s value |');
  });
});
