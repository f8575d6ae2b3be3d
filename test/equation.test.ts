import { describe, expect, it } from 'vitest';
import { equationRows } from '../render/equation.ts';
import { MathRenderer } from '../render/katex.ts';

describe('display equations as rows', () => {
  it('split an aligned block into left-hand side, the rest and a note', () => {
    expect(equationRows('\\begin{aligned}a &= \\frac{1}{2} \\\\ &= 0.5 && \\text{half}\\end{aligned}')).toEqual([
      { lhs: 'a', rhs: '= \\frac{1}{2}' },
      { lhs: '', rhs: '= 0.5', note: '\\text{half}' },
    ]);
  });

  it('split a one-line equation at its first top-level relation, not inside braces', () => {
    expect(equationRows('\\frac{a=b}{c} = d = e')).toEqual([{ lhs: '\\frac{a=b}{c}', rhs: '= d = e' }]);
    expect(equationRows('x \\approx 2')).toEqual([{ lhs: 'x', rhs: '\\approx 2' }]);
    expect(equationRows('\\sum_i x_i')).toEqual([{ lhs: '', rhs: '\\sum_i x_i' }]);
  });

  it('leave what is not lines of lhs & rhs to KaTeX: matrices, cases, nested blocks, unbalanced braces', () => {
    expect(equationRows('\\begin{pmatrix}1 & 2\\end{pmatrix}')).toBeUndefined();
    expect(equationRows('f = \\begin{cases}1 & x>0\\\\0\\end{cases}')).toBeUndefined();
    expect(equationRows('\\begin{aligned}a &= \\begin{aligned}b\\end{aligned}\\end{aligned}')).toBeUndefined();
    expect(equationRows('a = \\\\ b')).toBeUndefined();
  });

  it('keep an escaped ampersand and braces inside a cell', () => {
    expect(equationRows('\\begin{aligned}\\text{A \\& B} &= 1\\end{aligned}')).toEqual([{ lhs: '\\text{A \\& B}', rhs: '= 1' }]);
  });

  it('typeset each row in inline mode, so the browser can break after an operator, and fall back to a scrolling display', () => {
    const math = new MathRenderer();
    const html = math.render('\\begin{aligned}y &= 0.1\\cdot 0.2 + 0.3 \\\\ &= 0.32\\end{aligned}', true);
    expect(html.startsWith('<div class="eq">')).toBe(true);
    expect(html.match(/class="eq-lhs"/g)).toHaveLength(2);
    expect(html).not.toContain('katex-display');
    // Top-level operators end a base: the places a line may break.
    expect(html.match(/class="katex-base"/g)!.length).toBeGreaterThanOrEqual(4);
    expect(math.render('\\begin{pmatrix}1 & 2\\end{pmatrix}', true)).toMatch(/^<div class="scroll"><span class="katex-display">/);
  });

  it('set multi-letter names upright with the shared macros', () => {
    const html = new MathRenderer().render('\\out_{h_1} + \\name{SOP}', false);
    expect(html).toContain('<span class="mord mathrm">out</span>');
    expect(html).toContain('<span class="mord mathrm">SOP</span>');
  });
});
