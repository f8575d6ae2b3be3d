// Stepping through the backward pass: the tape's sweep (Tape.backwardSteps) one += at a time,
// from the loss down. Each step lights the node whose gradient is complete, the factor it is
// multiplied by (an edge of the computation graph) and the node it accumulates into, with the
// running value; buttons and the arrow keys go forwards and backwards.
import type { NetworkTrace } from '../../src/trace.ts';
import type { BackwardStep } from '../../src/tape.ts';
import { formatNumber, num } from '../format.ts';
import type { MathRenderer } from '../katex.ts';
import { graphs } from './links.ts';

export function stepper(main: HTMLElement, math: MathRenderer, decimals: number): { refresh(trace: NetworkTrace): void } | undefined {
  // The main model's graph (a variant's boxes are linked as variant:name); the page redraws it on every change.
  const mainGraph = () => graphs(main).find((svg) => svg.querySelector('g[data-node]:not([data-node*=":"])'));
  const figure = mainGraph()?.closest('figure');
  if (!figure) return undefined;
  (figure.closest('[data-live]') ?? figure).insertAdjacentHTML('afterend', `<section class="stepper" data-live-ui aria-label="The backward pass, step by step"><p class="stepper-title">Step through the backward pass of Figure ${figure.querySelector('.figure-number')?.textContent?.replace(/^Figure |\.$/g, '') ?? ''}</p><div class="stepper-buttons"><button type="button" data-go="first">First</button><button type="button" data-go="back" aria-keyshortcuts="ArrowLeft">← Back</button><button type="button" data-go="next" aria-keyshortcuts="ArrowRight">Next →</button><button type="button" data-go="last">Last</button></div><p class="stepper-status" aria-live="polite"></p><p class="stepper-key"><span class="key-wrt">solid outline</span>: the node its gradient is added to; <span class="key-of">dashed</span>: the node whose gradient is complete, multiplied by the factor between them (the lit line). A box of the graph goes to its node's working: click it, or Tab to it and press Enter.</p></section>`);
  const box = (figure.closest('[data-live]') ?? figure).nextElementSibling as HTMLElement;
  const status = box.querySelector<HTMLElement>('.stepper-status')!;
  let steps: BackwardStep[] = [];
  let at = -1;
  const d = Math.min(decimals, 6);
  const partial = (of: string, wrt: string) => `\\frac{\\partial ${of}}{\\partial ${wrt}}`;
  let lossTex = 'E';

  const clear = () => mainGraph()?.querySelectorAll('.step-of, .step-wrt, .step-edge').forEach((e) => e.classList.remove('step-of', 'step-wrt', 'step-edge'));
  const show = () => {
    clear();
    if (at < 0) {
      status.innerHTML = `${steps.length} steps, one for each factor of the graph, from the loss down. Press Next.`;
      box.dataset.step = '';
      return;
    }
    const s = steps[at];
    const { of, wrt } = s.factor;
    const graph = mainGraph();
    const lit = (selector: string, cls: string) => graph?.querySelectorAll(selector).forEach((e) => e.classList.add(cls));
    lit(`g[data-node="${CSS.escape(of.link ?? '')}"]`, 'step-of');
    lit(`g[data-node="${CSS.escape(wrt.link ?? '')}"]`, 'step-wrt');
    lit(`path[data-edge="${CSS.escape(`${wrt.link}>${of.link}`)}"]`, 'step-edge');
    // The graph scrolls inside its own box on a narrow screen: bring the step into it.
    graph?.querySelector(`g[data-node="${CSS.escape(wrt.link ?? '')}"]`)?.scrollIntoView({ block: 'nearest', inline: 'center' });
    const line = `${partial(lossTex, wrt.tex)} \\mathrel{+}= ${partial(lossTex, of.tex)}\\cdot ${partial(of.tex, wrt.tex)} = ${num(s.upstream, d)}\\cdot ${num(s.factor.value, d)}`;
    status.innerHTML = `<span class="stepper-count">Step ${at + 1} of ${steps.length}:</span> ${math.render(line, false)}; so far ${math.render(`${partial(lossTex, wrt.tex)} = ${num(s.before, d)} + ${num(s.upstream * s.factor.value, d)} =`, false)} <span class="num" data-running>${formatNumber(s.after, d).replace('-', '−')}</span>`;
    box.dataset.step = String(at);
    box.dataset.node = wrt.link ?? '';
  };
  const go = (where: string) => {
    at = where === 'first' ? 0 : where === 'last' ? steps.length - 1 : where === 'next' ? Math.min(at + 1, steps.length - 1) : Math.max(at - 1, 0);
    show();
  };
  box.addEventListener('click', (e) => {
    const where = (e.target as Element).closest<HTMLElement>('[data-go]')?.dataset.go;
    if (where) go(where);
  });
  box.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      go(e.key === 'ArrowRight' ? 'next' : 'back');
      e.preventDefault();
    }
  });
  return {
    refresh(trace) {
      steps = trace.tape.backwardSteps(trace.loss);
      lossTex = trace.loss.tex;
      at = Math.min(at, steps.length - 1);
      show();
    },
  };
}
