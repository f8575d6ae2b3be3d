// What a page is made of beyond the numbers: anchors and references, folded derivations, a
// cause explained once, the source line, the lesson's words with math, upright names, Chinese
// marked as such, and numbers set for a table.
import { describe, expect, it } from 'vitest';
import { DIRECTIVES } from '../directives/registry.ts';
import { agreedDigits } from '../render/checks.ts';
import { alignDecimals, htmlNumber, minus } from '../render/format.ts';
import { markLanguages } from '../render/html.ts';
import { renderLesson } from '../render/lesson.ts';
import { renderSite } from '../render/site.ts';
import { LessonError } from '../src/lesson/diagnostics.ts';
import { evaluateLesson, lessonDiagnostics } from '../src/lesson/evaluate.ts';
import { parseLesson } from '../src/lesson/parse.ts';

const FRONT = `---
title: One neuron
model: { layers: [1, 1], activation: sigmoid, loss: squared, bias: none, params: { w1: 0.5 } }
data:
  - { x: [0.1], t: [0.3] }
lr: 0.5
---
`;
const out = 1 / (1 + Math.exp(-0.05));
const compile = (body: string, front = FRONT) => evaluateLesson(parseLesson('lesson.md', front + body), DIRECTIVES);
const render = (body: string, front = FRONT) => renderLesson(compile(body, front));
const errorOf = (body: string, front = FRONT): string => {
  try {
    render(body, front);
  } catch (e) {
    if (e instanceof LessonError) return e.message;
    throw e;
  }
  throw new Error('expected a LessonError');
};

describe('anchors and references', () => {
  it('give headings unique anchors and a contents entry each, and number the worked steps after what they work out', () => {
    const { html, headings } = render('## Forward\n\n::forward in_o1\n\n## Forward\n\n::derive w1\n\n::update w1\n');
    expect(headings.map((h) => h.id)).toEqual(['forward', 'forward-2']);
    expect(html).toContain('<div class="step forward" id="forward-in_o1"><a class="eq-number" href="#forward-in_o1" title="equation 1">(1)</a>');
    expect(html).toContain('id="derive-w1"><a class="eq-number" href="#derive-w1" title="equation 2">(2)</a>');
    expect(html).toContain('id="update-w1"');
  });

  it('resolve {{ref ANCHOR}} to the equation or figure number, before or after it, and name the anchors there are otherwise', () => {
    const { html } = render('See {{ref derive-w1}} and {{ref figure-network}}.\n\n::network\n\n::derive w1\n');
    expect(html).toContain('See <a class="ref" href="#derive-w1">equation (1)</a> and <a class="ref" href="#figure-network">Figure 1</a>.');
    expect(html).toContain('<figure class="figure" id="figure-network">');
    expect(html).toContain('<a class="figure-number" href="#figure-network">Figure 1.</a>');
    expect(errorOf('See {{ref derive-w2}}.\n\n::derive w1\n')).toBe('lesson.md:8:5: {{ref derive-w2}}: no numbered equation or figure has that anchor; this lesson\'s are derive-w1');
    expect(errorOf('{{ref a b}}\n')).toContain('lesson.md:8:');
  });
});

describe('long lessons', () => {
  it('fold a derivation below its result, which works without JavaScript', () => {
    const { html } = render('::derive w1 fold\n');
    expect(html).toMatch(/<div class="step derive folded" id="derive-w1">.*<details><summary>.*<annotation encoding="application\/x-tex">\\frac\{\\partial E_\{\\name\{total\}\}\}\{\\partial w_\{1\}\} = -?0\.\d+<\/annotation>/s);
    expect(html).toContain('the derivation</span></summary>');
  });
});

describe('a cause explained once', () => {
  const checks = (extra: string) => `::check out_o1 quoted=0.6 cause=slip erratum="A slip of $\\out$."\n::check in_o1 quoted=0.06 cause=slip${extra}\n`;

  it('is explained at the first figure and referred to from the others', () => {
    const lesson = compile(checks(''));
    expect(lesson.checks.map((c) => [c.verdict, c.cause?.first])).toEqual([['erratum', true], ['erratum', false]]);
    const { html } = renderLesson(lesson);
    expect(html).toContain('<dd id="cause-slip">A slip of <span class="katex">');
    expect(html).toContain('The same slip as at ');
    expect(html).toContain('(<a href="#cause-slip">see there</a>).</dd>');
    expect(html.match(/A slip of/g)).toHaveLength(1);
  });

  it('must be explained where it first appears, and is a name', () => {
    expect(errorOf('::check in_o1 quoted=0.06 cause=slip\n')).toBe('lesson.md:8:27: the first check with cause=slip explains it: add erratum="what the source did" here');
    expect(errorOf('::check in_o1 quoted=0.06 cause=Slip! erratum="x"\n')).toContain('expected cause=NAME');
    expect(errorOf('::check in_o1 quoted=0.06 cause=slip unexplained="?"\n')).toContain('an unexplained figure has no known cause');
  });
});

describe('the lesson\'s words', () => {
  it('typeset $…$ in errata and glossary meanings, and locate a LaTeX mistake there', () => {
    const { html } = render('::check out_o1 quoted=0.6 erratum="It used $\\sigma(\\out)$ − 1."\n');
    expect(html).toContain('It used <span class="katex">');
    expect(html).toContain('<annotation encoding="application/x-tex">\\sigma(\\out)</annotation>');
    expect(html).toContain('</span> − 1.');
    expect(errorOf('::check out_o1 quoted=0.6 erratum="It used $\\frac{1$."\n')).toMatch(/^lesson\.md:8:5\d: LaTeX: /);
    const glossary = FRONT.replace('lr: 0.5', 'lr: 0.5\nnames:\n  out_o1: "its output, $\\\\sigma(\\\\In_{o_1})$"');
    expect(render('::glossary\n', glossary).html).toContain('<annotation encoding="application/x-tex">\\sigma(\\In_{o_1})</annotation>');
  });

  it('warn where a multi-letter name is set as italic letters, in math, errata and the glossary', () => {
    const lesson = compile('$out_{o_1}$ and $\\out_{o_1} + \\text{net} + \\name{SOP}$ and $\\mathit{error}$\n::check out_o1 quoted=0.6 erratum="see $sop_1$"\n');
    expect(lessonDiagnostics(lesson).filter((d) => d.message.startsWith('name lint')).map((d) => `${d.at.line}:${d.at.col} ${d.message.split(':')[1].trim().split(' ')[0]}`)).toEqual(['8:2 out', '8:69 \\mathit{error}', '9:41 sop']);
  });

  it('link the source where its address is given, and refuse an address that is not http or https', () => {
    const front = FRONT.replace('title: One neuron', 'title: One neuron\nsource: "拉轰的二哈, a tutorial"\nsource_url: https://example.org/t?a=1&b=2\nseed: "003"\nneeds: "the chain rule"');
    const page = renderSite([compile('Text.\n', front)]).get('lesson.html')!;
    expect(page).toContain('<p class="source">Source: <a href="https://example.org/t?a=1&amp;b=2"><span lang="zh-Hans">拉轰的二哈</span>, a tutorial</a> · seed 003</p>');
    expect(page).toContain('<p class="needs">Before this lesson: the chain rule</p>');
    expect(() => compile('x\n', front.replace('https://example.org/t?a=1&b=2', 'javascript:alert(1)'))).toThrow(/^lesson\.md:\d+:\d+: expected an http or https address, got "javascript:alert\(1\)"/);
  });
});

describe('typography', () => {
  it('marks Chinese runs in text, not in tags, attributes, SVG or math', () => {
    expect(markLanguages('<p title="中文">见 “懒癌晚期, 懒得算了…”</p><svg><text>中</text></svg><math><mi>中</mi></math>')).toBe('<p title="中文"><span lang="zh-Hans">见 “懒癌晚期, 懒得算了</span>…”</p><svg><text>中</text></svg><math><mi>中</mi></math>');
  });

  it('sets numbers for a table: aligned on the point, true minus, nothing nonzero shown as 0', () => {
    expect(alignDecimals(['0.5', '-0.25', '12', 'n/a'])).toEqual(['0.5\u2007', '-0.25', '12\u2008\u2007\u2007', 'n/a']);
    expect(minus('-0.5 and x-1 and -.5')).toBe('−0.5 and x-1 and −.5');
    expect(htmlNumber(1e-15, 10)).toBe('less than 0.00000000005');
    expect(htmlNumber(-0.25, 2)).toBe('−0.25');
    expect(htmlNumber(0, 4)).toBe('0');
  });

  it('counts the significant digits two results share', () => {
    expect(agreedDigits(0.1 + 0.2, 0.3)).toBe(16);
    expect(agreedDigits(0.0011232067, 0.0011232069)).toBe(7);
    expect(agreedDigits(1, 1)).toBe(17);
    expect(agreedDigits(1, -1)).toBe(0);
  });
});

describe('hostile lessons', () => {
  it('cannot change the engine\'s equations by redefining a command in their own math', () => {
    const { html } = render('$\\gdef\\cdot{+}\\gdef\\name#1{\\text{HACKED}}$\n\n::forward in_o1\n');
    const step = html.slice(html.indexOf('id="forward-in_o1"'));
    expect(step).not.toContain('HACKED');
    expect(step).toContain('<annotation encoding="application/x-tex">\\displaystyle {}=\\nobreak {0.5\\cdot 0.1}</annotation>');
    expect(step).toContain('mrel">=</span>');
  });

  it('set display math whole where rows would change it (definitions, tags, comments, \\over), without failing', () => {
    for (const tex of ['a = b \\tag{1}', '\\def\\x{1} a = \\x', 'a % = c\n b', 'a \\over b = c', '\\begin{aligned} a &= b \\\\[2pt] c &= d \\end{aligned}']) {
      const { html } = render(`$$${tex}$$\n`);
      expect(html, tex).toContain('<div class="math-display"><div class="scroll"><span class="katex-display">');
    }
  });

  it('locate what nests too deeply, and an activation named after an object property', () => {
    expect(errorOf(`$x${'{'.repeat(3000)}a${'}'.repeat(3000)}$\n`)).toMatch(/^lesson\.md:8:2: LaTeX: nested too deeply/);
    expect(errorOf(`::check out_o1 quoted=0.6 erratum="e" explain="w1 + ${'('.repeat(100)}1${')'.repeat(100)}"\n`)).toMatch(/^lesson\.md:8:\d+: explain: nested more than 60 levels deep/);
    expect(errorOf('::function constructor\n')).toBe('lesson.md:8:12: expected one of sigmoid, tanh, relu, identity, got constructor');
    expect(errorOf(`${'>'.repeat(3000)} hi\n`)).toMatch(/^lesson\.md:8:1: the text is nested too deeply/);
  });

  it('refuse control characters in front-matter text, with what to write instead', () => {
    expect(() => compile('x\n', FRONT.replace('lr: 0.5', 'lr: 0.5\nnames:\n  w1: "the weight $\\theta$"'))).toThrow(/control character \(U\+0009\).*write LaTeX in single quotes/);
    expect(() => compile('x\n', FRONT.replace('title: One neuron', 'title: "a\\u202Eb"'))).toThrow(/control character \(U\+202E\)/);
    expect(() => compile('x\n', FRONT.replace('title: One neuron', 'title: t\nseed: 003'))).toThrow(/expected text, got 3 \(write it in quotes, like "003"\)/);
  });

  it('keep a dollar sign written \\$ in an erratum, and reserve the page\'s own anchors', () => {
    expect(render('::check out_o1 quoted=0.6 erratum="it costs \\$5"\n').html).toContain('it costs $5');
    const { html, headings } = render('## Lesson\n\n## See [it](https://example.org)\n');
    expect(headings.map((h) => h.id)).toEqual(['lesson-2', 'see-it-https-example-org']);
    expect(headings[1].html).toBe('See it');
    expect(html).toContain('<h2 id="see-it-https-example-org">See <a href="https://example.org">it</a>');
  });
});
