// The figures as drawings: every SVG an image with a title, a description and a table; network
// labels that do not collide and weights that are all shown somewhere; log axes with few
// labels; legends below the plot; the surface's step visible; colours that meet contrast in
// both themes; the same lesson, the same bytes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIRECTIVES } from '../directives/registry.ts';
import { renderArticle } from '../render/lesson.ts';
import { logTicks, overlaps, textWidth, tickLabel } from '../render/figures/axes.ts';
import { curveFigure, spansDecades } from '../render/figures/curve.ts';
import { networkLayout } from '../render/figures/network.ts';
import { surfaceDrawing } from '../render/figures/surface.ts';
import { evaluateLesson, type EvaluatedLesson } from '../src/lesson/evaluate.ts';
import { parseLesson } from '../src/lesson/parse.ts';
import type { LossSurface } from '../src/lesson/surface.ts';

const effects = { readFile: (p: string) => readFileSync(p, 'utf8') };
/** A real lesson's front matter (its model, data and names) with `body` instead of its text: nothing trains. */
function withBody(name: string, body: string): EvaluatedLesson {
  const text = readFileSync(`lessons/${name}.md`, 'utf8');
  const end = text.indexOf('\n---\n', 4) + 5;
  return evaluateLesson(parseLesson(`lessons/${name}.md`, text.slice(0, end) + '\n' + body), DIRECTIVES, effects);
}
const svgs = (html: string) => html.match(/<svg class="(network|curve|surface|boundary)"[\s\S]*?<\/svg>/g) ?? [];

describe('log axes', () => {
  it('label at most seven decades of 25, the others minor and unlabelled', () => {
    const t = logTicks(1e-24, 1);
    expect(t.labelled).toEqual([1e-24, 1e-20, 1e-16, 1e-12, 1e-8, 1e-4, 1]);
    expect(t.minor).toHaveLength(18);
    expect(t.minor).toContain(1e-23);
    expect(t.minor).not.toContain(1e-20);
  });
  it('label 1, 2 and 5 times each power of ten across a narrow range, the other multiples minor', () => {
    const t = logTicks(0.01, 1);
    expect(t.labelled).toEqual([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]);
    expect(t.minor).toEqual([0.03, 0.04, 0.06, 0.07, 0.08, 0.09, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9]);
  });
  it('print powers of ten as 10ⁿ', () => {
    expect(tickLabel(1e-24)).toBe('10⁻²⁴');
    expect(tickLabel(1e-4)).toBe('10⁻⁴');
    expect(tickLabel(0.01)).toBe('0.01');
    expect(tickLabel(-2)).toBe('−2');
  });
});

describe('curves', () => {
  const decay = { label: 'run', x: [0, 1, 2, 3], y: [1, 1e-2, 1e-4, 1e-6] };
  it('say when positive data spans two decades or more', () => {
    expect(spansDecades([decay])).toBe(true);
    expect(spansDecades([{ label: 'flat', x: [0, 1], y: [0.5, 0.2] }])).toBe(false);
    expect(spansDecades([{ label: 'signed', x: [0, 1], y: [-1, 1e-6] }])).toBe(false);
  });
  it('put the legend below the plot, where no line runs, and describe first and last values', () => {
    const svg = curveFigure([decay, { ...decay, label: 'other', y: [2, 0.5, 0.1, 0.02] }], 'iteration', 'loss', true);
    const legendYs = [...svg.matchAll(/<text class="legend" x="[\d.]+" y="([\d.]+)"/g)].map((m) => Number(m[1]));
    const axisY = Number(svg.match(/<line class="axis" x1="\d+" x2="\d+" y1="([\d.]+)"/)![1]);
    expect(legendYs).toHaveLength(2);
    for (const y of legendYs) expect(y).toBeGreaterThan(axisY + 40); // below the ticks and the x label
    const points = [...svg.matchAll(/<polyline[^>]*points="([^"]+)"/g)].flatMap((m) => m[1].split(' ').map((p) => Number(p.split(',')[1])));
    expect(Math.max(...points)).toBeLessThanOrEqual(axisY);
    expect(svg).toContain('<desc>loss on a log axis from 0.000001 to 10, iteration from 0 to 3. run: 1 at iteration 0, 0.000001 at iteration 3; other: 2 at iteration 0, 0.02 at iteration 3.</desc>');
  });
});

describe('network diagrams', () => {
  const cases = [
    ['02-worked-example', 12, true],
    ['03-hidden-neurons', 20, false],
    ['05-classification', 17, true],
    ['06-delta-iris', 51, true],
  ] as const;
  it.each(cases)('%s: no two labels touch, every parameter is in the table, the caption says what is drawn', (name, count, biases) => {
    const lesson = withBody(name, '::network\n');
    const { net, step, trace } = lesson.models.get('main')!;
    expect(net.params).toHaveLength(count);
    const lay = networkLayout(net, step.before, trace, lesson.parsed.meta.decimals);
    for (let i = 0; i < lay.boxes.length; i++) for (let j = i + 1; j < lay.boxes.length; j++) expect(overlaps(lay.boxes[i], lay.boxes[j]), `boxes ${i} and ${j}`).toBe(false);
    const html = renderArticle(lesson);
    const table = html.match(/<details class="figure-data">[\s\S]*?<\/details>/)![0];
    for (const p of net.params) expect(table, p.name).toContain(`<th scope="row">${p.name}</th>`);
    // Weights on the drawing: exactly those of the layers the layout labelled.
    const drawn = [...lay.svg.matchAll(/<text class="weight"[^>]*>([^ ]+) = /g)].map((m) => m[1]);
    expect(drawn.sort()).toEqual(net.params.filter((p) => p.kind === 'weight' && lay.labelled.includes(p.layer)).map((p) => p.name).sort());
    const caption = html.match(/<figcaption><a class="figure-number" href="#figure-network">Figure 1\.<\/a> ([^<]*)<\/figcaption>/)![1];
    expect(caption.includes('bias')).toBe(biases);
    expect(caption.includes('no biases')).toBe(false);
    // One circle name per neuron, none repeated: the output is not "1" like a hidden neuron.
    const circles = [...lay.svg.matchAll(/<text class="neuron-label"[^>]*>([^<]+)</g)].map((m) => m[1]);
    expect(circles).toHaveLength(net.sizes.reduce((a, b) => a + b, 0));
    expect(new Set(circles).size).toBe(circles.length);
  });
  it('label lesson 3\'s twenty weights on their edges, and rename Activ1 and predicted h1 and o1', () => {
    const lesson = withBody('03-hidden-neurons', '::network\n');
    const { net, step, trace } = lesson.models.get('main')!;
    const lay = networkLayout(net, step.before, trace, 10);
    expect(lay.labelled).toEqual([1, 2]);
    expect(lay.renamed).toContainEqual(['h1', 'Activ1']);
    expect(lay.renamed).toContainEqual(['o1', 'predicted']);
  });
  it('write a shared bias once, above its layer, and say that it is shared', () => {
    // Seed 003's network with one bias per layer, as its tutorial computes.
    const text = readFileSync('lessons/02-worked-example.md', 'utf8');
    const front = text.slice(0, text.indexOf('\n---\n', 4) + 5).replace(/  tutorial:\n    params: \{[^}]*\}/, '  tutorial:\n    bias: shared\n    params: { w1: 0.1, w2: 0.2, w3: 0.3, w4: 0.4, w5: 0.5, w6: 0.6, w7: 0.7, w8: 0.8, b1: 0.55, b2: 0.66 }');
    expect(front).toContain('bias: shared');
    const lesson = evaluateLesson(parseLesson('lessons/02-worked-example.md', `${front}\n::network in=tutorial\n`), DIRECTIVES, effects);
    const html = renderArticle(lesson);
    expect(html).toContain('Each layer has one bias, shared by its neurons, written above its top neuron.');
    expect(html.match(/<text class="bias"[^>]*>[^<]*<\/text>/g)).toEqual(['<text class="bias" x="300.0" y="35.0">b1 = 0.55 (shared)</text>', '<text class="bias" x="530.0" y="35.0">b2 = 0.66 (shared)</text>']);
    expect(withBody('02-worked-example', '::network\n') && renderArticle(withBody('02-worked-example', '::network\n'))).toContain('Each neuron\'s bias is above it.');
  });
});

describe('the surface', () => {
  const surface = (after: [number, number]): LossSurface => ({
    names: ['w5', 'w6'], texs: ['w_5', 'w_6'], x0: -2, x1: 2, y0: -2, y1: 2, cols: 4, rows: 4,
    loss: Float64Array.from({ length: 16 }, (_, i) => i / 16), before: [0, 0], after,
  });
  it('magnifies a step too short to see, and leaves a long one as it is', () => {
    const short = surfaceDrawing(surface([0.02, -0.01]), 'E_total');
    expect(short.pixels).toBeCloseTo(Math.hypot(0.02, 0.01) * 105, 9); // 420 px over 4 units
    expect(short.zoom).toBeCloseTo(150 / (Math.hypot(0.02, 0.01) / 0.6) / 105, 9);
    expect(short.svg).toContain('the step, ×');
    expect(short.svg).toContain('to (0.02, −0.01), 2.3 pixels on the map');
    const long = surfaceDrawing(surface([1, -1]), 'E_total');
    expect(long.zoom).toBe(1);
    expect(long.svg).not.toContain('the step, ×');
    expect(long.svg).toContain('E_total (colour)');
  });
});

describe('every figure of a page', () => {
  const body = '::network\n\n::function sigmoid\n\n::surface w5,w6 range=3\n';
  const lesson = withBody('02-worked-example', body);
  const html = renderArticle(lesson);
  it('is numbered, captioned and tabled, and its SVG is an image with a title and a description', () => {
    const figures = html.match(/<figure class="figure[^"]*" id="figure-[\w-]+">[\s\S]*?<\/figure>/g)!;
    expect(figures).toHaveLength(3);
    for (const f of figures) {
      expect(f).toMatch(/<figcaption><a class="figure-number" href="#figure-[\w-]+">Figure \d+\.<\/a> [A-Za-z]/);
      expect(f).not.toMatch(/Figure \d+\.<\/a> Figure/);
      expect(f).toContain('<details class="figure-data">');
    }
    const drawn = svgs(html);
    expect(drawn).toHaveLength(3);
    for (const s of drawn) {
      expect(s).toMatch(/^<svg class="\w+" viewBox="0 0 (\d+) (\d+)" width="\1" height="\2" style="min-width:\d+px" role="img"><title>[^<]+<\/title><desc>[^<]*\d[^<]*<\/desc>/);
      const [, w] = s.match(/width="(\d+)"/)!, [, min] = s.match(/min-width:(\d+)px/)!;
      expect(Number(min) / Number(w)).toBeGreaterThanOrEqual(0.7);
    }
  });
  it('is the same bytes when rendered again', () => {
    expect(renderArticle(withBody('02-worked-example', body))).toBe(html);
  });
});

describe('colours', () => {
  const css = readFileSync('render/figures/figures.css', 'utf8');
  const styles = readFileSync('render/styles.css', 'utf8');
  const luminance = (hex: string) => {
    const c = hex.match(/[0-9a-f]{2}/gi)!.map((x) => parseInt(x, 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const contrast = (a: string, b: string) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const vars = (block: string) => Object.fromEntries([...block.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1], m[2]]));
  const dark = (text: string) => text.slice(text.indexOf('@media (prefers-color-scheme: dark)'));
  const lightBg = vars(styles.slice(0, styles.indexOf('@media'))).bg, darkBg = vars(dark(styles)).bg;
  const light = vars(css.slice(0, css.indexOf('@media'))), night = vars(dark(css).slice(0, dark(css).indexOf('}\n}')));
  it('series and lines ≥ 3:1 against the background in both themes', () => {
    expect(lightBg).toBe('#fdfdfb');
    expect(darkBg).toBe('#16181c');
    for (const k of ['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 'fig-line', 'p0', 'p1', 'p2']) {
      expect(contrast(light[k], lightBg), `light --${k}`).toBeGreaterThanOrEqual(3);
      expect(contrast(night[k], darkBg), `dark --${k}`).toBeGreaterThanOrEqual(3);
    }
  });
  it('points ≥ 3:1 against their class\'s region, and print resets the figures to light', () => {
    for (const k of ['0', '1', '2']) {
      expect(contrast(light[`p${k}`], light[`g${k}`])).toBeGreaterThanOrEqual(3);
      expect(contrast(night[`p${k}`], night[`g${k}`])).toBeGreaterThanOrEqual(3);
    }
    const print = vars(css.slice(css.indexOf('@media print')));
    expect(print.neuron).toBe('#e7eefb');
    expect(print.s4).toBe(light.s4);
  });
  it('estimates text widths on the wide side (DejaVu Sans: a digit is 0.636 em)', () => {
    expect(textWidth('0.6457', 11)).toBeGreaterThanOrEqual(11 * (5 * 0.636 + 0.318));
  });
});
