// Random edits of the real lessons — characters deleted, duplicated, swapped, unicode inserted —
// either build or stop with one located error: never a crash, a hang, NaN or Infinity on the
// page, or live HTML.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DIRECTIVES } from '../directives/registry.ts';
import { renderSite } from '../render/site.ts';
import { LessonError } from '../src/lesson/diagnostics.ts';
import { evaluateLesson } from '../src/lesson/evaluate.ts';
import { parseLesson } from '../src/lesson/parse.ts';
import type { TrainResult } from '../src/lesson/train-run.ts';

const runs = new Map<string, TrainResult>();
const effects = { readFile: (p: string) => readFileSync(p, 'utf8'), cache: { get: (k: string) => runs.get(k), set: (k: string, v: TrainResult) => void runs.set(k, v) } };

const edit = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), what: fc.constantFrom('🙂', 'é', '\u200b', '$', '{{', '}}', '::', '"', '\\', '<script>', '\t', '\n', '-', '0', '9e999', '[', ':') }),
);

type Edit = { kind: string; at: number; length?: number; what?: string };

function apply(s: string, e: Edit): string {
  const at = e.at % (s.length + 1);
  switch (e.kind) {
    case 'delete': return s.slice(0, at) + s.slice(at + (e.length ?? 1));
    case 'duplicate': return s.slice(0, at) + s.slice(at, at + (e.length ?? 1)) + s.slice(at);
    case 'swap': return at + 1 < s.length ? s.slice(0, at) + s[at + 1] + s[at] + s.slice(at + 2) : s;
    default: return s.slice(0, at) + (e.what ?? '') + s.slice(at);
  }
}

describe.each([['lessons/01-one-neuron.md', 20], ['lessons/02-worked-example.md', 60], ['lessons/06-delta-iris.md', 20]] as const)('random edits of %s', (file, runsOf) => {
  const text = readFileSync(file, 'utf8');
  const slug = file.replace(/^lessons\/|\.md$/g, '');
  it('build, or stop with one located error', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const edited = edits.reduce((s, e) => apply(s, e), text);
        let pages: Map<string, string>;
        try {
          pages = renderSite([evaluateLesson(parseLesson(file, edited), DIRECTIVES, effects)]);
        } catch (e) {
          if (!(e instanceof LessonError)) throw e; // a crash: not a mistake chainbook names
          expect(e.message, 'one line').not.toContain('\n');
          expect(e.message.startsWith(`${file}:`) && /^[^:]+:\d+:\d+: \S/.test(e.message), e.message).toBe(true);
          return;
        }
        const page = pages.get(`${slug}.html`)!;
        const visible = page.replace(/<annotation[^>]*>[\s\S]*?<\/annotation>/g, '');
        expect(visible).not.toMatch(/>[^<]*\b(NaN|Infinity|undefined)\b[^<]*</);
        // chainbook's own scripts only: the payload (a data block, no `<` in it) and the site's two files.
        const own = page.replace(/<script type="application\/json" id="chainbook-live">[^<]*<\/script>\n<script src="assets\/katex\/katex\.min\.js" defer><\/script>\n<script src="assets\/chainbook-live\.js" defer><\/script>\n<\/body>/, '</body>');
        expect(own).not.toMatch(/<script/i);
      }),
      { numRuns: Number(process.env.EDITS ?? runsOf), seed: Number(process.env.EDITS_SEED ?? 7) },
    );
  }, 90_000); // ~8 s alone; npm test shares the two cores with the site build and Chromium
});
