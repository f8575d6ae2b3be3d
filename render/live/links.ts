// Linked numbers: every number the engine typeset carries its node (data-node, from \htmlData
// in format.ts linked), as does each box of the computation graph. Hovering or focusing one
// lights every place the same quantity appears; a graph box goes to its node's working.
import { anchorBase } from '../blocks.ts';

/** The working of a node: its derivation (a parameter) or its forward step, where the page has one. */
function workingOf(key: string): HTMLElement | null {
  return document.getElementById(anchorBase(`derive ${key}`)) ?? document.getElementById(anchorBase(`forward ${key}`));
}

/** What this module and the stepper add to the build's markup: selfCheck (page.ts) sets them aside. */
export const ADDED_CLASSES = ['linked', 'goes', 'step-of', 'step-wrt', 'step-edge'];
export const ADDED_ATTRIBUTES = ['tabindex', 'role', 'aria-label'];

/** The page's computation graphs, found by tag among its few SVGs: a selector over the whole page would visit every element of its math, on every change. */
export const graphs = (main: HTMLElement): SVGSVGElement[] => [...main.getElementsByTagName('svg')].filter((svg) => svg.classList.contains('graph'));

export function linkNodes(main: HTMLElement): { refresh(): void } {
  let lit: string | undefined;
  const light = (key: string | undefined) => {
    if (key === lit) return;
    [...main.getElementsByClassName('linked')].forEach((e) => e.classList.remove('linked'));
    lit = key;
    if (key) main.querySelectorAll(`[data-node="${CSS.escape(key)}"]`).forEach((e) => e.classList.add('linked'));
  };
  const keyAt = (target: EventTarget | null) => (target instanceof Element ? target.closest<HTMLElement | SVGElement>('[data-node]')?.dataset.node : undefined);
  main.addEventListener('mouseover', (e) => light(keyAt(e.target)));
  main.addEventListener('mouseleave', () => light(undefined));
  main.addEventListener('focusin', (e) => light(keyAt(e.target)));
  const go = (target: EventTarget | null) => {
    const box = target instanceof Element ? target.closest<SVGGElement>('svg.graph g[data-node]') : null;
    const working = box && workingOf(box.dataset.node!);
    if (!working) return false;
    working.scrollIntoView({ block: 'start' });
    // Its equation number is a link: focus goes there, and Tab goes on from the working.
    working.querySelector<HTMLElement>('a.eq-number')?.focus({ preventScroll: true });
    return true;
  };
  main.addEventListener('click', (e) => go(e.target));
  main.addEventListener('keydown', (e) => {
    if ((e.key === 'Enter' || e.key === ' ') && go(e.target)) e.preventDefault();
  });
  const refresh = () => {
    // A graph box with a working to go to is a link for the keyboard too.
    graphs(main).flatMap((svg) => [...svg.querySelectorAll<SVGGElement>('g[data-node]')]).forEach((g) => {
      if (g.hasAttribute('tabindex') || !workingOf(g.dataset.node!)) return;
      g.setAttribute('tabindex', '0');
      g.setAttribute('role', 'link');
      g.setAttribute('aria-label', `Go to the working of ${g.dataset.node}`);
      g.classList.add('goes');
    });
    const key = lit;
    lit = undefined;
    light(key);
  };
  refresh();
  return { refresh };
}
