// The lesson pipeline: directives, located errors, the rendered numbers, source-figure checks
// and the number lint, on small lessons written here and on the first real lesson.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIRECTIVES } from '../directives/registry.ts';
import { renderArticle } from '../render/lesson.ts';
import { renderSite } from '../render/site.ts';
import { verifyReport } from '../render/verify-report.ts';
import type { Chain } from '../src/chain.ts';
import { LessonError } from '../src/lesson/diagnostics.ts';
import { evaluateLesson as evaluateWith, type EvaluatedLesson } from '../src/lesson/evaluate.ts';
import { parseLesson, type ParsedLesson } from '../src/lesson/parse.ts';
import { starterLesson } from '../src/lesson/starter.ts';
import type { LossSurface } from '../src/lesson/surface.ts';
import type { Series } from '../render/figures/curve.ts';

const evaluateLesson = (parsed: ParsedLesson) => evaluateWith(parsed, DIRECTIVES);
/** The data of the lesson's first directive, which must be a `name`. */
function firstDirective<D>(lesson: EvaluatedLesson, name: string): D {
  const { directive, data } = [...lesson.directives.values()][0];
  if (directive.name !== name) throw new Error(`expected ::${name}, got ::${directive.name}`);
  return data as D;
}

const FRONT = `---
title: One neuron
model:
  layers: [1, 1]
  activation: sigmoid
  loss: squared
  bias: none
  params: { w1: 0.5 }
data:
  - { x: [0.1], t: [0.3] }
lr: 0.5
---
`;
// out = σ(0.05); E = (out − 0.3)²; ∂E/∂w1 = 2(out − 0.3)·out(1 − out)·0.1
const out = 1 / (1 + Math.exp(-0.05));
const grad = 2 * (out - 0.3) * out * (1 - out) * 0.1;

const compile = (body: string, front = FRONT) => evaluateLesson(parseLesson('lesson.md', front + body));
const errorOf = (text: string): string => {
  try {
    const lesson = evaluateLesson(parseLesson('lesson.md', text));
    renderArticle(lesson);
  } catch (e) {
    if (e instanceof LessonError) return e.message;
    throw e;
  }
  throw new Error('expected a LessonError');
};

describe('directives render computed numbers', () => {
  it('::forward writes name = formula = numbers = value', () => {
    const html = renderArticle(compile('::forward in_o1\n::forward out_o1\n'));
    expect(html).toContain('<mn>0.05</mn>'); // in_o1 = w1 i1 = 0.5·0.1 = 0.05
    expect(html).toContain(`<mn>${out.toFixed(10)}</mn>`);
  });

  it('::derive gives each factor with its label and the product', () => {
    const lesson = compile('::derive w1\n');
    const html = renderArticle(lesson);
    for (const label of ['g_1', 'g_2', 'g_3']) expect(html).toContain(label.replace('_', '_{') + '}');
    expect(html).toContain(`<mn>${grad.toFixed(10).replace(/0+$/, '')}</mn>`);
  });

  it('{{…}} prints values, gradients and updates with the lesson\'s or its own decimals', () => {
    // Each value is numbered for the live page (data-value); the numbers are what is asserted.
    const html = renderArticle(compile('{{out_o1}} {{grad w1 decimals=4}} {{new w1}} {{lr}}\n')).replace(/ data-value="\d+"/g, '');
    expect(html).toContain(`<span class="num">${out.toFixed(10)}</span>`);
    expect(html).toContain(`<span class="num">${grad.toFixed(4)}</span>`);
    expect(html).toContain(`<span class="num">${(0.5 - 0.5 * grad).toFixed(10).replace(/0+$/, '')}</span>`);
    expect(html).toContain('<span class="num">0.5</span>');
  });

  it('::check agrees when the computed value rounded to the figure\'s decimals is the figure, and flags a mismatch', () => {
    // out_o1 = σ(0.05) = 0.51249…: 0.512 is it rounded to three decimals; 0.513 and 0.515 are not.
    const lesson = compile(`::check out_o1 quoted=${out.toFixed(6)}\n::check out_o1 quoted=0.512\n::check out_o1 quoted=0.515\n::check out_o1 quoted=0.515 erratum="a slip" explain="sigmoid(0.06)"\n::check out_o1 quoted=0.513\n::check out_o1 quoted=0.5124 tolerance=0.0001\n::check out_o1 quoted=0.5124 rounding=truncate\n`);
    expect(lesson.checks.map((c) => c.verdict)).toEqual(['agrees', 'agrees', 'mismatch', 'erratum', 'mismatch', 'agrees', 'agrees']);
    expect(lesson.checks[3].explain?.reproduces).toBe(true); // σ(0.06) = 0.51499…
    expect(verifyReport([lesson]).failures).toBe(2);
    const html = renderArticle(lesson);
    expect(html).toContain('class="check erratum"');
    expect(html).toContain('undeclared mismatch');
    expect(html).toContain('which rounded to 3 decimals is <span class="num">0.512</span>');
    expect(html).toContain('within ±0.0001, the tolerance this lesson declares');
    expect(html).toContain('which cut off to 4 decimals is <span class="num">0.5124</span>');
  });

  it('a declared erratum that is not one fails verify', () => {
    const lesson = compile(`::check out_o1 quoted=${out.toFixed(4)} erratum="wrong"\n`);
    expect(lesson.checks[0].verdict).toBe('declared-but-agrees');
    expect(verifyReport([lesson]).failures).toBe(1);
  });
});

describe('::chains', () => {
  it('gives every parameter its labelled factors and their product, the gradient', () => {
    const lesson = compile('::chains\n');
    const data = firstDirective<{ chains: Chain[] }>(lesson, 'chains');
    expect(data.chains).toHaveLength(1);
    expect(data.chains[0].value).toBe(lesson.main.trace.params[0].grad);
    const expected = [2 * (out - 0.3), out * (1 - out), 0.1]; // g1 = 2(out − t), g2 = out(1 − out), g3 = x
    data.chains[0].paths[0].factors.forEach((f, i) => expect(f.value).toBeCloseTo(expected[i], 15));
    expect(renderArticle(lesson)).toContain('<table class="numbers chains">');
  });
});

describe('a lesson contributes no live HTML', () => {
  it('shows raw HTML as text, inline and as a block', () => {
    const html = renderArticle(compile('Text <img src=x onerror=alert(1)> more.\n\n<script>alert(1)</script>\n'));
    expect(html).not.toMatch(/<img|<script/i);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
  it('refuses an active address in a link or an image, at its place', () => {
    expect(errorOf(`${FRONT}See [this](javascript:alert(1)).\n`)).toContain('lesson.md:13:5: a link may point at http, https, mailto or a relative address, not javascript:alert(1)');
    expect(errorOf(`${FRONT}See [this](JaVaScRiPt:alert(1)).\n`)).toContain('lesson.md:13:5: a link may point at');
    expect(errorOf(`${FRONT}![x](data:text/html,hi)\n`)).toContain('lesson.md:13:1: a image may point at http, https or a relative address');
    // Character references a browser decodes in the attribute spell the scheme too.
    for (const href of ['&#106;avascript:alert(1)', 'java&#x73;cript:alert(1)', '&#x6A;avascript&colon;alert(1)', 'javascript&#58;alert(1)', 'java&Tab;script:alert(1)']) {
      expect(errorOf(`${FRONT}See [this](${href}).\n`), href).toContain('lesson.md:13:5: a link may point at');
    }
    expect(renderArticle(compile('[ok](https://example.org) [rel](02-worked-example.html#x) [m](mailto:a@b.c)\n'))).toContain('href="https://example.org"');
  });
  it('refuses a file name a page could not carry safely', () => {
    expect(() => parseLesson('x/"><img src=x>.md', FRONT)).toThrow(/x\/"><img src=x>\.md:1:1: a lesson's file name becomes its page's name/);
  });
  it('sends every page with a policy that allows only its own styles and fonts', () => {
    const page = renderSite([compile('Text.\n')]).get('lesson.html')!;
    expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'self' 'unsafe-inline'; font-src 'self'`);
  });
});

describe('expressions are arithmetic only', () => {
  it.each([
    ['createUnit("w1")', 'createUnit() is not one of the functions allowed'],
    ['parse("1+1")', 'parse() is not one of the functions allowed'],
    ['zeros(100000, 100000)', 'zeros() is not one of the functions allowed'],
    ['x = 2', 'assignments are not allowed'],
    ['[1, 2]', 'arrays are not allowed'],
    ['out_o1 > 0.5', 'the operator > is not arithmetic'],
    ['"text"', 'only numbers are allowed'],
    ['w9 * 2', 'no node is called w9'],
  ])('%s is refused', (expr, message) => {
    expect(errorOf(`${FRONT}::compute expr=${JSON.stringify(expr)}\n`)).toContain(message);
  });
  it('leaves mathjs as it was for the next lesson', () => {
    errorOf(`${FRONT}::compute expr="createUnit(\\"w1\\")"\n`);
    expect(compile('::compute expr="w1 * 2"\n').lint).toEqual([]);
    const html = renderArticle(compile('::compute expr="sigmoid(sop1) + exp(0)" label="x"\n'.replace('sop1', 'in_o1')));
    // Typeset: the formula over the lesson's symbols, then its value.
    expect(html).toContain('\\displaystyle \\sigma{({\\name{in}_{o_{1}}})}+\\exp\\left(0\\right)</annotation>');
    expect(html).toContain(`{}=\\nobreak ${(out + 1).toFixed(10).replace(/0+$/, '')}</annotation>`);
  });
});

describe('a long lesson', () => {
  it('with 50 000 inline values parses, evaluates and renders in linear time', () => {
    const body = Array.from({ length: 50_000 }, () => '{{out_o1}}').join(' and\n') + '\n';
    const lesson = compile(body);
    expect(lesson.values.size).toBe(50_000);
    expect(renderArticle(lesson).split(`">${out.toFixed(10)}</span>`).length - 1).toBe(50_000);
  });
});

describe('figures keep their sign', () => {
  it('-0.0 is not a positive number rounded', () => {
    expect(compile('::check grad w1 quoted=-0.0\n').checks[0].verdict).toBe('mismatch'); // ∂E/∂w1 = +0.0106: it rounds to 0.0, not to -0.0
  });
});

describe('runs whose reruns do not end alike', () => {
  // Seed 003's own output gradient at a sigmoid one step from saturating: a rerun turns NaN.
  const front = `---
title: saturating
model: { layers: [1, 1], activation: sigmoid, loss: bce, bias: none, output_gradient: outputs, params: { w1: 36.7368005696771 } }
data:
  - { x: [1], t: [1] }
lr: 16
---
`;
  it('a run whose rerun turns NaN says so instead of stopping the build', () => {
    const html = renderArticle(compile('::train r iterations=3 every=1\n', front));
    expect(html).toMatch(/under perturbation<\/th><td class="words">unstable: of the run and its 2 reruns/);
    expect(html).toContain('turned NaN, or did not where the others did');
  });
});

describe('::train … diverges', () => {
  // An identity output with input 10 and learning rate 100: every step overshoots tenfold.
  const front = FRONT.replace('activation: sigmoid', 'activation: identity').replace('x: [0.1]', 'x: [10]');
  it('records where a run declared to diverge turns NaN', () => {
    const lesson = compile('::train bad iterations=500 lr=100 diverges\n\nIt stops at {{diverged bad}}.\n', front);
    const run = lesson.runs.get('bad')!;
    expect(run.result.diverged!.iteration).toBeGreaterThan(0);
    expect(run.result.diverged!.iteration).toBeLessThan(500);
    expect([...lesson.values.values()][0].value).toBe(run.result.diverged!.iteration);
    expect(renderArticle(lesson)).toContain(`turned NaN</th><td>at iteration ${run.result.diverged!.iteration}`);
  });
  it('fails where the declared divergence does not happen, or a diverged run is asked for its final loss', () => {
    expect(errorOf(front + '::train ok iterations=50 lr=0.0001 diverges\n')).toContain('lesson.md:13:36: ok: declared to diverge, it trained all 50 iterations without a NaN');
    expect(errorOf(front + '::train bad iterations=500 lr=100 diverges\n\n{{loss bad}}\n')).toMatch(/lesson\.md:15:8: bad diverged at iteration \d+: it has no final loss/);
  });
});

describe('::graph', () => {
  it('prints a gradient on every node backward differentiates, and none on the target', () => {
    const html = renderArticle(compile('::graph highlight=w1\n'));
    const node = (name: string) => html.match(new RegExp(`<text class="name"[^>]*>${name}</text>(.*?)</g>`))![1];
    expect(node('t_o1')).not.toContain('class="grad"');
    expect(node('i1')).toContain(`∂ ${(grad / 0.1 * 0.5).toFixed(4).replace(/0+$/, '')}`); // ∂E/∂i1 = (∂E/∂w1 / i1) · w1
    expect(node('w1')).toContain(`∂ ${grad.toFixed(4).replace(/0+$/, '')}`);
  });
});

describe('::surface', () => {
  it('is the loss over a grid of two parameters, the others held at their starting values', () => {
    const two = FRONT.replace('layers: [1, 1]', 'layers: [2, 1]').replace('params: { w1: 0.5 }', 'params: { w1: 0.5, w2: -0.25 }').replace('x: [0.1]', 'x: [0.1, 0.7]');
    const lesson = compile('::surface w1,w2 range=2\n', two);
    const s = firstDirective<LossSurface>(lesson, 'surface');
    expect([s.x0, s.x1, s.y0, s.y1]).toEqual([-1.5, 2.5, -2.25, 1.75]);
    // Cell (row 7, column 41): its centre, and the loss there computed directly.
    const w1 = s.x0 + ((41 + 0.5) / s.cols) * (s.x1 - s.x0), w2 = s.y0 + ((7 + 0.5) / s.rows) * (s.y1 - s.y0);
    const p = 1 / (1 + Math.exp(-(w1 * 0.1 + w2 * 0.7)));
    expect(s.loss[7 * s.cols + 41]).toBeCloseTo((p - 0.3) ** 2, 14);
    expect(s.after).toEqual([lesson.main.step.after[0], lesson.main.step.after[1]]);
  });
});

describe('::function', () => {
  it('plots an activation and the derivative the engine uses, from its own definitions', () => {
    const lesson = compile('::function tanh from=-2 to=2\n');
    const data = firstDirective<{ series: Series[] }>(lesson, 'function');
    const [f, df] = data.series;
    expect(f.x[0]).toBe(-2);
    expect(f.x.at(-1)).toBe(2);
    f.x.forEach((x, i) => {
      expect(f.y[i]).toBeCloseTo(Math.tanh(x), 15);
      expect(df.y[i]).toBeCloseTo(1 - Math.tanh(x) ** 2, 14);
    });
    expect(renderArticle(lesson)).toContain('<svg class="curve"');
  });
});

describe('the number lint', () => {
  it('reports a long decimal no computed value explains, and accepts one that is computed', () => {
    const lesson = compile(`The output is ${out.toFixed(8)}, not 0.12345678.\n`);
    expect(lesson.lint).toEqual([{ at: { line: 13, col: 31 }, text: '0.12345678' }]);
  });
});

describe('errors name file, line and column', () => {
  it.each([
    ['front matter missing', 'no front matter', 'lesson.md:1:1: expected front matter'],
    ['bad YAML', '---\ntitle: [a\n---\n', 'lesson.md:2:10: front matter:'],
    ['unknown field', FRONT.replace('lr: 0.5', 'lr: 0.5\nrate: 1'), 'lesson.md:12:1: unknown field rate'],
    ['unknown model field, at its name', FRONT.replace('  bias: none', '  bias: none\n  activaton: tanh'), 'lesson.md:8:3: unknown field activaton'],
    ['a glossary name that is no node', FRONT.replace('lr: 0.5', 'lr: 0.5\nnames:\n  out_h1: the hidden output'), 'lesson.md:13:3: names: no node is called out_h1'],
    ['an unknown quantity', `${FRONT}Some {{aftr E_total}}.\n`, 'lesson.md:13:8: unknown quantity aftr'],
    ['a kind without its name', `${FRONT}::exercise grad\n`, 'lesson.md:13:12: expected a name after grad, like grad w1'],
    ['partial without its names', `${FRONT}Some {{partial}}.\n`, 'lesson.md:13:8: expected partial OF WRT, like partial E_o2 out_h1'],
    ['CRLF line ends keep positions', `${FRONT}Text.\n\n::derive w9\n`.replace(/\n/g, '\r\n'), 'lesson.md:15:10: expected a parameter'],
    ['display math that opens on its own line', `${FRONT}$$\n\\frac{1}{\n$$\n`, 'lesson.md:14:10: LaTeX: Unexpected end of input'],
    ['training that diverges', FRONT.replace('activation: sigmoid', 'activation: identity').replace('x: [0.1]', 'x: [10]') + '::train bad iterations=500 lr=100\n', 'lesson.md:13:28: bad: training diverged at iteration'],
    ['a layer of 0 neurons', FRONT.replace('[1, 1]', '[1, 0]'), 'lesson.md:4:15: expected a positive whole number of neurons, got 0'],
    ['data of the wrong width', FRONT.replace('x: [0.1]', 'x: [0.1, 0.2]'), 'lesson.md:10:10: expected 1 inputs'],
    ['unknown directive', `${FRONT}\nText.\n\n::derivee w1\n`, "lesson.md:16:1: unknown directive ::derivee (did you mean ::derive?); expected one of ::forward"],
    ['unknown node', `${FRONT}::forward in_h9\n`, 'lesson.md:13:11: expected a node to compute; no node is called in_h9'],
    ['unknown option', `${FRONT}::derive w1 digits=3\n`, 'lesson.md:13:13: unknown option digits'],
    ['unknown value', `${FRONT}Some {{grad w7}} here.\n`, 'lesson.md:13:13: expected a node or parameter; no node is called w7'],
    ['bad LaTeX', `${FRONT}Math: $\\frac{1}{$ and more.\n`, 'lesson.md:13:17: LaTeX: Unexpected end of input'],
    ['quoted figure not a number', `${FRONT}::check out_o1 quoted=abc\n`, 'lesson.md:13:16: expected quoted to be a decimal number'],
    // Inside quotes and lists marked drops each line's prefix: positions go back through it.
    ['a value late in a quoted paragraph', `${FRONT}> a\n> b\n> c\n> d {{w9}}\n`, 'lesson.md:16:7: expected a node'],
    ['a value late in a list item', `${FRONT}- a\n  b\n  c\n  d {{w9}}\n`, 'lesson.md:16:7: expected a node'],
    ['a value after a tab in a list item', `${FRONT}- a\n\tb {{grad w99}}\n`, 'lesson.md:14:11: expected a node or parameter'],
    ['LaTeX on the third line of display math in a quote', `${FRONT}> $$\n> a \\\\\n> \\foo\n> $$\n`, 'lesson.md:15:3: LaTeX: Undefined control sequence: \\foo'],
    ['the same text in a code block before the mistake', `${FRONT}\`\`\`\n{{w9}}\n\`\`\`\n\n{{w9}}\n`, 'lesson.md:17:3: expected a node'],
    ['a quoted argument never closed', `${FRONT}::check out_o1 quoted=0.5 erratum="x\n`, 'lesson.md:13:27: expected a closing " for erratum="x'],
    ['a stray word after a quantity', `${FRONT}::check out_o1 quoted=0.5 replayy\n`, 'lesson.md:13:27: unexpected replayy after the quantity out_o1'],
    ['an unknown parameter, at its name', FRONT.replace('params: { w1: 0.5 }', 'params: { w1: 0.5, w9: 1 }'), 'lesson.md:8:22: no parameter is called w9'],
    ['a variant that meets a mistake in what it inherits', FRONT.replace('lr: 0.5', 'lr: 0.5\nvariants:\n  wide: { layers: [1, 2, 1] }'), 'lesson.md:13:3: variant wide: no value for w2, w3, w4'],
    ['a trailing space on the opening line', FRONT.replace('---\n', '--- \n') + '{{w9}}\n', 'lesson.md:13:3: expected a node'],
    ['a character outside the BMP before the mistake counts once', `${FRONT}🙂 {{w9}}\n`, 'lesson.md:13:5: expected a node'],
    ['printed() with decimals it cannot print', FRONT.replace('lr: 0.5', 'lr: 0.5\ncarry: { decimals: 4 }') + '::check out_o1 quoted=512497396484210 erratum="x" explain="printed(out_o1, -1)"\n', 'printed(x, decimals) takes a whole number of decimals from 0 to 17, not -1'],
    ['a carried value that is not a number', FRONT.replace('lr: 0.5', 'lr: 0.5\ncarry: { decimals: 4, values: { out_o1: .nan } }'), 'lesson.md:12:41: expected a finite number, got NaN'],
    ['a carry field misspelt', FRONT.replace('lr: 0.5', 'lr: 0.5\ncarry: { decimal: 4 }'), 'lesson.md:12:10: unknown field decimal; expected model, decimals, rounding, values'],
    ['a variant called main', FRONT.replace('lr: 0.5', 'lr: 0.5\nvariants:\n  main: { loss: half_squared }'), 'lesson.md:13:3: a variant cannot be called main'],
    ['an empty erratum', `${FRONT}::check out_o1 quoted=0.515 erratum=""\n`, 'lesson.md:13:29: erratum="…" says what the source did: it cannot be empty'],
    ['an option given twice', `${FRONT}::check out_o1 quoted=0.9 quoted=0.5125\n`, 'lesson.md:13:27: quoted is given twice'],
    ['a tolerance in hexadecimal', `${FRONT}::check out_o1 quoted=0.5 tolerance=0x10\n`, 'lesson.md:13:27: expected tolerance to be a positive number, like 1e-9, got 0x10'],
    ['a flag given a value', `${FRONT}::check out_o1 quoted=0.5125 replay=1\n`, 'lesson.md:13:30: replay is a word on its own: write replay, not replay=1'],
    ['an option without its value', `${FRONT}::check out_o1 quoted\n`, 'lesson.md:13:16: quoted needs a value: quoted=…'],
    ['an unclosed value', `${FRONT}Here {{grad w1 is.\n`, 'lesson.md:13:6: {{ opens a value that is not closed'],
    ['an unclosed inline math', `${FRONT}Costs $5 here.\n`, 'lesson.md:13:7: $ opens math that is not closed'],
    ['unclosed display math', `${FRONT}$$\n\\frac{1}{2}\n\nText.\n`, 'lesson.md:13:1: $$ opens display math that is not closed'],
    ['a directive in the wrong case', `${FRONT}::Forward in_o1\n`, 'lesson.md:13:1: unknown directive ::Forward (did you mean ::forward?)'],
    ['a misspelt directive', `${FRONT}::forwrd in_o1\n`, 'lesson.md:13:1: unknown directive ::forwrd (did you mean ::forward?)'],
    ['an unknown YAML tag', FRONT.replace('title: One neuron', 'title: !include t.yml'), 'lesson.md:2:8: front matter: Unresolved tag: !include'],
    ['an infinite learning rate', FRONT.replace('lr: 0.5', 'lr: .inf'), 'lesson.md:11:5: expected a positive, finite learning rate, got Infinity'],
    ['a learning rate that overflows', FRONT.replace('lr: 0.5', 'lr: 1e400'), 'lesson.md:11:5: expected a positive, finite learning rate, got Infinity'],
    ['a weighted sum too long to write out', FRONT.replace('layers: [1, 1]', 'layers: [100, 1]').replace('params: { w1: 0.5 }', 'init: { seed: 0, distribution: rand }').replace('x: [0.1]', `x: [${Array(100).fill(0.1).join(', ')}]`) + '::forward in_o1\n', 'lesson.md:13:11: in_o1 is computed from 100 terms, more than a page can write out (at most 64)'],
    ['an alias bomb in the front matter', '---\na: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n---\n', 'lesson.md:2:1: front matter: Excessive alias count'],
    ['a layer too wide', FRONT.replace('[1, 1]', '[1, 100000]'), 'lesson.md:4:15: expected at most 10000 neurons in a layer'],
    ['a traced model too large', FRONT.replace('[1, 1]', '[1, 3000, 1]').replace('params: { w1: 0.5 }', 'init: { seed: 0, distribution: rand }'), 'lesson.md:4:11: the model has 6000 parameters; a lesson traces its step parameter by parameter, for at most 5000'],
    ['training that would take hours', `${FRONT}::train long iterations=1000000000\n`, 'lesson.md:13:14: long would take 1000000000 steps × 1 samples × about 51 operations = 5.1e+10'],
    ['a plot range past ±1000', `${FRONT}::function sigmoid from=-1e308 to=1e308\n`, 'lesson.md:13:20: expected from and to within ±1000'],
    ['an expression too long', `${FRONT}::compute expr="${'1+'.repeat(1100)}1"\n`, 'lesson.md:13:11: expr: an expression of at most 2000 characters'],
    ['a sweep of sizes too large', FRONT.replace('params: { w1: 0.5 }', 'init: { seed: 0, distribution: rand }').replace('layers: [1, 1]', 'layers: [1, 2, 1]') + '::sweep s hidden=1,5000 iterations=10\n', 'lesson.md:13:11: expected at most 16 hidden sizes of at most 1000 neurons'],
    ['a surface range too wide', FRONT.replace('layers: [1, 1]', 'layers: [2, 1]').replace('params: { w1: 0.5 }', 'params: { w1: 0.5, w2: 0.1 }').replace('x: [0.1]', 'x: [0.1, 0.2]') + '::surface w1,w2 range=1e9\n', 'lesson.md:13:17: expected range to be a positive number up to 1000'],
    ['a run name used twice', `${FRONT}::train a iterations=10\n::train a iterations=10\n`, 'lesson.md:14:9: a run called a exists already'],
    ['a run used before it is trained', `${FRONT}{{loss later}}\n\n::train later iterations=10\n`, 'lesson.md:13:8: no run is called later (yet)'],
    ['a check without its figure', `${FRONT}::check out_o1\n`, 'lesson.md:13:1: ::check needs quoted=NUMBER'],
    ['both iterations and epochs', `${FRONT}::train r iterations=10 epochs=10\n`, 'lesson.md:13:1: expected either iterations=N (full-batch descent) or epochs=N (per-sample SGD)'],
    ['a partial of an unrelated node', `${FRONT}{{partial i1 out_o1}}\n`, 'lesson.md:13:11: i1 does not depend on out_o1'],
    ['accuracy of a run without classes', `${FRONT}::train r iterations=10\n\n{{accuracy r}}\n`, 'lesson.md:15:12: r trains on samples without classes: it has no accuracy'],
    ['a negative decimals', `${FRONT}{{out_o1 decimals=-1}}\n`, 'lesson.md:13:10: expected decimals to be a whole number from 0 to 17, got -1'],
    ['a data set of another shape', FRONT.replace('data:\n  - { x: [0.1], t: [0.3] }', 'dataset: { kind: moons, n: 10 }').replace('loss: squared', 'loss: squared\n  output: sigmoid'), 'the moons data set has 2 inputs, so layers must start with 2'],
    ['a step that overflows', FRONT.replace('activation: sigmoid', 'activation: identity').replace('params: { w1: 0.5 }', 'params: { w1: 1e200 }').replace('x: [0.1]', 'x: [1e200]'), 'lesson.md:3:1: the model\'s traced step is not finite'],
  ])('%s', (_, text, message) => {
    expect(errorOf(text)).toContain(message);
  });
});

describe('the first lesson: seed 003', () => {
  const file = 'lessons/02-worked-example.md';
  const text = readFileSync(file, 'utf8');

  it('verifies: every gradient agrees and every source figure is explained', () => {
    const lesson = evaluateLesson(parseLesson(file, text));
    const report = verifyReport([lesson]);
    expect(report.failures, report.text).toBe(0);
    expect(lesson.checks.filter((c) => c.verdict === 'erratum').length).toBeGreaterThanOrEqual(10);
    const html = renderSite([lesson]).get('02-worked-example.html')!;
    expect(html).toContain('<mn>0.081823315</mn>'); // ∂E_total/∂w5, as test/seed003.test.ts derives it
    expect(html).toContain('<mn>0.6615031592</mn>'); // out_h2
  });

  it('fails verify when a source figure is planted wrong', () => {
    const planted = text.replace('::check out_h1 quoted=0.6456563062', '::check out_h1 quoted=0.6456563099');
    expect(planted).not.toBe(text);
    const report = verifyReport([evaluateLesson(parseLesson(file, planted))]);
    expect(report.failures).toBe(1);
    const line = planted.split('\n').findIndex((l) => l.includes('0.6456563099')) + 1;
    expect(report.text).toContain(`${file}:${line}:1: out_h1: the source prints 0.6456563099`);
  });

  it('builds to the same bytes twice', () => {
    const once = renderSite([evaluateLesson(parseLesson(file, text))]);
    const twice = renderSite([evaluateLesson(parseLesson(file, text))]);
    expect([...twice]).toEqual([...once]);
  });
});

describe('chainbook new', () => {
  it('writes a starter lesson that verifies as it is', () => {
    const lesson = evaluateLesson(parseLesson('05-my-lesson.md', starterLesson('05-my-lesson')));
    expect(verifyReport([lesson]).failures).toBe(0);
    expect(renderSite([lesson]).get('05-my-lesson.html')).toContain('One sigmoid neuron');
  });
});

describe('the number lint reads what directives put on the page', () => {
  it('flags a typed decimal in an erratum, at its place', () => {
    const lesson = compile('::check out_o1 quoted=0.515 erratum="it used 0.7654321 somewhere" explain="sigmoid(0.06)"\n');
    expect(lesson.lint).toEqual([{ at: { line: 13, col: 46 }, text: '0.7654321' }]);
  });
});
