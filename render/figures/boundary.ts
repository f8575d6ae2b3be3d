// Decision regions as filled cells (merged along each row) with the data points on top; one
// panel per run, so a sweep over hidden sizes reads as small multiples.
import type { PlotBox } from '../../src/lesson/boundary.ts';
import type { LessonDataset } from '../../src/lesson/dataset.ts';
import type { Run } from '../../src/lesson/train-run.ts';
import type { Spread } from '../../src/lesson/stability.ts';
import { accuracyText, stableNumber } from '../runs.ts';
import { escapeHtml } from '../html.ts';
import { PALETTE } from './curve.ts';

const REGION = ['#f4c7c3', '#c6dbef', '#c7e9c0'];

/** The data alone, in `box`, when no run is given (the plot the tutorials show before training). */
/** A run's final loss and accuracy under perturbation, for its panel's title. */
export interface PanelStability {
  loss: Spread;
  accuracy?: Spread;
}

function boundaryPanel(run: Run | undefined, stability: PanelStability | undefined, data: LessonDataset, box: PlotBox, size: number, decimals: number): string {
  const g = run?.grid ?? { ...box, cols: 0, rows: 0, classes: new Uint8Array(0) };
  const h = size * ((g.y1 - g.y0) / (g.x1 - g.x0));
  const cw = size / g.cols, ch = h / g.rows;
  const cells: string[] = [];
  for (let r = 0; r < g.rows; r++) {
    const y = h - (r + 1) * ch;
    for (let c = 0; c < g.cols; ) {
      const k = g.classes[r * g.cols + c];
      let end = c + 1;
      while (end < g.cols && g.classes[r * g.cols + end] === k) end++;
      cells.push(`<rect x="${(c * cw).toFixed(2)}" y="${y.toFixed(2)}" width="${((end - c) * cw + 0.3).toFixed(2)}" height="${(ch + 0.3).toFixed(2)}" fill="${REGION[k % REGION.length]}"/>`);
      c = end;
    }
  }
  const px = (x: number) => ((x - g.x0) / (g.x1 - g.x0)) * size;
  const py = (y: number) => h - ((y - g.y0) / (g.y1 - g.y0)) * h;
  const dots: string[] = [];
  for (let i = 0; i < data.n; i++) {
    dots.push(`<circle cx="${px(data.X[2 * i]).toFixed(1)}" cy="${py(data.X[2 * i + 1]).toFixed(1)}" r="${size > 300 ? 3.2 : 2.2}" fill="${PALETTE[data.labels[i] === 0 ? 1 : 0]}" class="point"/>`);
  }
  if (!run) return `<figure class="panel"><svg class="boundary" viewBox="0 0 ${size} ${h.toFixed(1)}" width="${size}" height="${h.toFixed(1)}" role="img" aria-label="the ${data.n} training points">${dots.join('')}</svg><figcaption>${data.n} points: ${data.classNames.map((c, k) => `<span style="color:${PALETTE[k === 0 ? 1 : 0]}">●</span> ${escapeHtml(c)}`).join(', ')}</figcaption></figure>`;
  const accuracy = run.result.accuracy === null || !stability!.accuracy ? '' : ` · accuracy ${accuracyText(run.result.accuracy, stability!.accuracy, 1)}`;
  const title = `${run.hidden !== undefined ? `${run.hidden} hidden` : escapeHtml(run.id)} · loss ${stableNumber(run.result.finalLoss, stability!.loss, Math.min(decimals, 4))}${accuracy}`;
  return `<figure class="panel"><svg class="boundary" viewBox="0 0 ${size} ${h.toFixed(1)}" width="${size}" height="${h.toFixed(1)}" role="img" aria-label="decision regions of ${escapeHtml(run.id)}"><g shape-rendering="crispEdges">${cells.join('')}</g>${dots.join('')}</svg><figcaption>${title}</figcaption></figure>`;
}

export function boundaryFigure(runs: Run[], stability: PanelStability[], data: LessonDataset, box: PlotBox, decimals: number): string {
  if (runs.length === 0) return `<div class="panels">${boundaryPanel(undefined, undefined, data, box, 520, decimals)}</div>`;
  const size = runs.length === 1 ? 520 : 240;
  return `<div class="panels">${runs.map((r, i) => boundaryPanel(r, stability[i], data, box, size, decimals)).join('')}</div>`;
}

/** Decision regions (or the data alone) as a figure, captioned when there are runs. */
export function regionsFigureBox(runs: Run[], stability: PanelStability[], data: LessonDataset, box: PlotBox, decimals: number): string {
  return `<figure class="figure wide">${boundaryFigure(runs, stability, data, box, decimals)}${runs.length ? '<figcaption>Decision regions after training, with the training points (colour = class).</figcaption>' : ''}</figure>`;
}
