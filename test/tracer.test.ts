// The tracer's own guarantees: gradients reset between backward calls, deep graphs, and
// factors that multiply back to the gradient.
import { describe, expect, it } from 'vitest';
import { explainGradient } from '../src/chain.ts';
import { Tape } from '../src/tape.ts';

describe('Tape', () => {
  it('does not double gradients when backward runs twice', () => {
    const tape = new Tape();
    const w = tape.param('w', 'w', 3), x = tape.input('x', 'x', 2);
    const z = tape.linear('z', 'z', [w], [x]);
    const t = tape.input('t', 't', 1);
    const e = tape.squaredError('E', 'E', z, t, 1); // E = (3·2 - 1)² = 25, ∂E/∂w = 2·5·2 = 20
    tape.backward(e);
    tape.backward(e);
    expect(e.value).toBe(25);
    expect(w.grad).toBe(20);
    expect(x.grad).toBe(30);
  });

  it('sums the gradient of a node used twice', () => {
    const tape = new Tape();
    const a = tape.param('a', 'a', 0.5);
    const s = tape.sum('s', 's', [a, a]);
    tape.backward(s);
    expect(a.grad).toBe(2);
  });

  it('handles a chain 100 000 nodes deep without recursion', () => {
    const tape = new Tape();
    const p = tape.param('p', 'p', 1);
    let node = p;
    for (let i = 0; i < 100_000; i++) node = tape.linear(`n${i}`, `n_{${i}}`, [tape.param(`c${i}`, 'c', 1)], [node]);
    tape.backward(node);
    expect(p.grad).toBe(1);
    expect(explainGradient(tape, node, p).paths).toHaveLength(1);
  });

  it('refuses to explain a parameter the loss does not depend on', () => {
    const tape = new Tape();
    const a = tape.param('a', 'a', 1), b = tape.param('b', 'b', 1);
    const s = tape.sum('s', 's', [a]);
    expect(() => explainGradient(tape, s, b)).toThrow('s does not depend on b');
  });
});
