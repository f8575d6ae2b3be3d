// A scrubber under each training curve: a slider over the run's recorded steps that marks the
// step on every line and reads its values, as the figure's table gives them (4 significant
// digits, as drawn): the lesson's own run, or the page's, trained again on the reader's numbers.

const SVG = 'http://www.w3.org/2000/svg';

/** The lines of a curve as drawn: their labels, steps, values and points. */
function linesOf(svg: SVGSVGElement) {
  return [...svg.querySelectorAll<SVGPolylineElement>('polyline[data-x]')].map((p) => ({
    label: p.dataset.label ?? '',
    xs: p.dataset.x!.split(' '),
    ys: p.dataset.y!.split(' '),
    points: p.getAttribute('points')!.split(' ').map((xy) => xy.split(',').map(Number) as [number, number]),
    cls: [...p.classList].find((c) => c.startsWith('ln')) ?? '',
  }));
}

/** `isRun`: whether the directive of a block (its data-live number) draws a training run (::curve; not ::function's plot). */
export function scrubCurves(main: HTMLElement, isRun: (block: number) => boolean): void {
  main.querySelectorAll<SVGSVGElement>('[data-live] svg.curve').forEach((first, n) => {
    const block = first.closest<HTMLElement>('[data-live]')!;
    if (!isRun(Number(block.dataset.live))) return;
    const steps = new Set(linesOf(first).flatMap((l) => l.xs));
    if (!first.closest('figure') || steps.size < 2) return;
    const id = `scrub-${n}`;
    const xLabel = first.querySelector('text.axis-label')?.textContent ?? 'step';
    block.insertAdjacentHTML('afterend', `<div class="scrubber" data-live-ui><label for="${id}">Step through the run</label><input id="${id}" type="range" min="0" max="0" step="1" value="0"><output for="${id}" aria-live="polite"></output></div>`);
    const box = block.nextElementSibling as HTMLElement;
    const input = box.querySelector('input')!, output = box.querySelector('output')!;
    // Read from the figure as it stands: the page draws it again once it has trained the run on the reader's numbers.
    const show = () => {
      const svg = block.querySelector<SVGSVGElement>('svg.curve')!;
      const lines = linesOf(svg);
      // The longest line sets the steps (a diverged run stops early).
      const longest = lines.reduce((a, b) => (b.xs.length > a.xs.length ? b : a));
      input.max = String(longest.xs.length - 1);
      const k = Math.min(Number(input.value), longest.xs.length - 1), x = longest.xs[k];
      let marks = svg.querySelector<SVGGElement>('g.scrub-marks');
      if (!marks) {
        marks = document.createElementNS(SVG, 'g');
        marks.setAttribute('class', 'scrub-marks');
        svg.append(marks);
      }
      const at = lines.map((l) => ({ l, j: l.xs.indexOf(x) })).filter((a) => a.j >= 0);
      const px = longest.points[k][0];
      marks.innerHTML = `<line class="scrub-line" x1="${px}" x2="${px}" y1="${Math.min(...lines.flatMap((l) => l.points.map((p) => p[1])))}" y2="${Math.max(...lines.flatMap((l) => l.points.map((p) => p[1])))}"/>${at.map(({ l, j }) => `<circle class="scrub-dot ${l.cls}" cx="${l.points[j][0]}" cy="${l.points[j][1]}" r="4"/>`).join('')}`;
      output.textContent = `${xLabel} ${x}: ${at.map(({ l, j }) => `${l.label} ${l.ys[j]}`).join(', ')} (as drawn)`;
    };
    input.addEventListener('input', () => {
      show();
      // A figure wider than a narrow screen scrolls in its own box: keep the marked step in it.
      block.querySelector('svg.curve .scrub-line')?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    });
    block.addEventListener('redrawn', show);
    show();
  });
}
