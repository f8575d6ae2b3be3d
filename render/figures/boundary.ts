// Decision regions as filled cells (merged along each row) with the data points on top, on
// axes; one panel per run, so a sweep over hidden sizes reads as small multiples. Classes
// differ in shape as well as colour (figures.css: .pt0…, .rg0…).
import type { PlotBox } from '../../src/lesson/boundary.ts';
import type { LessonDataset } from '../../src/lesson/dataset.ts';
import type { RenderContext } from '../../src/lesson/directive.ts';
import type { Run } from '../../src/lesson/train-run.ts';
import type { Spread } from '../../src/lesson/stability.ts';
import { accuracyText, stableNumber } from '../runs.ts';
import { escapeHtml } from '../html.ts';
import { dataTable, niceTicks, sig, svgImage, tickLabel } from './axes.ts';

/** How many class colours figures.css defines. */
const CLASSES = 3;
const GLYPHS = ['●', '■', '▲'];
const ML = 40, MR = 10, MT = 8, MB = 38;

/** A run's final loss and accuracy under perturbation, for its panel's title. */
export interface PanelStability {
  loss: Spread;
  accuracy?: Spread;
}

/** A point of class k: circle, square or triangle. */
function marker(k: number, x: number, y: number, r: number): string {
  const c = `pt pt${k % CLASSES}`;
  if (k % 3 === 0) return `<circle class="${c}" cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r}"/>`;
  if (k % 3 === 1) return `<rect class="${c}" x="${(x - r * 0.9).toFixed(1)}" y="${(y - r * 0.9).toFixed(1)}" width="${(r * 1.8).toFixed(1)}" height="${(r * 1.8).toFixed(1)}"/>`;
  return `<polygon class="${c}" points="${x.toFixed(1)},${(y - r * 1.2).toFixed(1)} ${(x + r * 1.1).toFixed(1)},${(y + r * 0.8).toFixed(1)} ${(x - r * 1.1).toFixed(1)},${(y + r * 0.8).toFixed(1)}"/>`;
}

/** The classes' glyphs and names, as the caption's key. */
export function classKey(data: LessonDataset): string {
  return data.classNames.map((c, k) => `<span class="key pt${k % CLASSES}" aria-hidden="true">${GLYPHS[k % 3]}</span> ${escapeHtml(c)}`).join(', ');
}

interface Panel {
  svg: string;
  title: string;
  /** the share of the plotted area given to each class */
  area: number[];
}

function boundaryPanel(run: Run | undefined, stability: PanelStability | undefined, data: LessonDataset, box: PlotBox, size: number, decimals: number, axes: [string, string]): Panel {
  const g = run?.grid ?? { ...box, cols: 0, rows: 0, classes: new Uint8Array(0) };
  const h = size * ((g.y1 - g.y0) / (g.x1 - g.x0));
  const cw = size / g.cols, ch = h / g.rows;
  const cells: string[] = [];
  const count = new Array<number>(Math.max(data.classes, 1)).fill(0);
  for (let r = 0; r < g.rows; r++) {
    const y = MT + h - (r + 1) * ch;
    for (let c = 0; c < g.cols; ) {
      const k = g.classes[r * g.cols + c];
      let end = c + 1;
      while (end < g.cols && g.classes[r * g.cols + end] === k) end++;
      count[k] += end - c;
      cells.push(`<rect class="rg${k % CLASSES}" x="${(ML + c * cw).toFixed(2)}" y="${y.toFixed(2)}" width="${((end - c) * cw + 0.3).toFixed(2)}" height="${(ch + 0.3).toFixed(2)}"/>`);
      c = end;
    }
  }
  const px = (x: number) => ML + ((x - g.x0) / (g.x1 - g.x0)) * size;
  const py = (y: number) => MT + h - ((y - g.y0) / (g.y1 - g.y0)) * h;
  const dots: string[] = [];
  for (let i = 0; i < data.n; i++) dots.push(marker(data.labels[i], px(data.X[2 * i]), py(data.X[2 * i + 1]), size > 300 ? 3.4 : 2.8));
  const axis: string[] = [`<rect class="frame" x="${ML}" y="${MT}" width="${size}" height="${h.toFixed(1)}"/>`];
  const n = size > 300 ? 6 : 4;
  for (const t of niceTicks(g.x0, g.x1, n)) axis.push(`<line class="tickmark" x1="${px(t).toFixed(1)}" x2="${px(t).toFixed(1)}" y1="${(MT + h).toFixed(1)}" y2="${(MT + h + 4).toFixed(1)}"/><text class="tick" x="${px(t).toFixed(1)}" y="${(MT + h + 16).toFixed(1)}">${tickLabel(t)}</text>`);
  for (const t of niceTicks(g.y0, g.y1, n)) axis.push(`<line class="tickmark" x1="${ML - 4}" x2="${ML}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}"/><text class="tick y" x="${ML - 6}" y="${(py(t) + 4).toFixed(1)}">${tickLabel(t)}</text>`);
  axis.push(`<text class="axis-label" x="${ML + size / 2}" y="${(MT + h + 32).toFixed(1)}">${escapeHtml(axes[0])}</text><text class="axis-label" transform="translate(12 ${(MT + h / 2).toFixed(1)}) rotate(-90)">${escapeHtml(axes[1])}</text>`);
  const total = g.cols * g.rows;
  const area = count.map((c) => (total ? c / total : 0));
  const range = `${axes[0]} from ${sig(g.x0)} to ${sig(g.x1)}, ${axes[1]} from ${sig(g.y0)} to ${sig(g.y1)}`;
  const perClass = data.classNames.map((c, k) => `${data.labels.reduce((s, l) => s + (l === k ? 1 : 0), 0)} of class ${c}`).join(', ');
  let title: string, desc: string;
  if (!run) {
    title = `the ${data.n} training points`;
    desc = `A scatter of the ${data.n} training points (${perClass}), ${range}.`;
  } else {
    const accuracy = run.result.accuracy === null || !stability!.accuracy ? '' : ` · accuracy ${accuracyText(run.result.accuracy, stability!.accuracy, 1)}`;
    title = `${run.hidden !== undefined ? `${run.hidden} hidden` : run.id} · loss ${stableNumber(run.result.finalLoss, stability!.loss, Math.min(decimals, 4))}${accuracy}`;
    desc = `Decision regions of ${run.id} over ${range}: ${data.classNames.map((c, k) => `${Math.round(area[k] * 100)}% of the area predicted ${c}`).join(', ')}; the ${data.n} training points on top (${perClass}).`;
  }
  const W = ML + size + MR, H = MT + h + MB;
  const body = `${cells.length ? `<g shape-rendering="crispEdges">${cells.join('')}</g>` : ''}${axis.join('')}${dots.join('')}`;
  return { svg: svgImage('boundary', W, H, title, desc, body, size > 300 ? 0.7 : 0.9), title, area };
}

/** Decision regions (or the data alone) as a numbered figure: panels with their titles, the class key in the caption, the numbers in the table. */
export function regionsFigureBox(page: RenderContext, runs: Run[], stability: PanelStability[], data: LessonDataset, box: PlotBox, decimals: number, axes: [string, string]): string {
  if (runs.length === 0) {
    const p = boundaryPanel(undefined, undefined, data, box, 520, decimals, axes);
    const rows = Array.from({ length: data.n }, (_, i) => [String(i + 1), sig(data.X[2 * i], 6), sig(data.X[2 * i + 1], 6), data.classNames[data.labels[i]] ?? String(data.labels[i])]);
    return page.figure({
      body: `<div class="panels">${p.svg}</div>`,
      caption: `The ${data.n} training points, ${escapeHtml(axes[1])} against ${escapeHtml(axes[0])}: ${classKey(data)}.`,
      data: dataTable(`The ${data.n} training points`, ['point', axes[0], axes[1], 'class'], rows),
      wide: true,
    });
  }
  const size = runs.length === 1 ? 520 : 240;
  const panels = runs.map((r, i) => boundaryPanel(r, stability[i], data, box, size, decimals, axes));
  const body = `<div class="panels">${panels.map((p) => `<div class="panel">${p.svg}<p class="panel-title">${escapeHtml(p.title)}</p></div>`).join('')}</div>`;
  const sweep = runs.every((r) => r.hidden !== undefined);
  const caption = `Decision regions after training${runs.length > 1 ? (sweep ? `, one panel per hidden-layer size (${runs.map((r) => r.hidden).join(', ')} neurons)` : `, one panel per run (${runs.map((r) => escapeHtml(r.id)).join(', ')})`) : ` of ${escapeHtml(runs[0].id)}`}: each cell of the grid is coloured by the class the network predicts there, with the training points on top (${classKey(data)}). ${runs.length > 1 ? 'Each panel\'s title gives' : 'The title below gives'} the run's final loss and its accuracy on the training data, with the digits that survive perturbation.`;
  const rows = runs.map((r, i) => [r.id, ...(sweep ? [String(r.hidden)] : []), panels[i].title.split(' · ').slice(1).join(' · '), ...data.classNames.map((_, k) => `${(panels[i].area[k] * 100).toFixed(1)}%`)]);
  const table = dataTable('Each run, and the share of the plotted area predicted as each class', ['run', ...(sweep ? ['hidden neurons'] : []), 'final loss · accuracy', ...data.classNames.map((c) => `area predicted ${c}`)], rows);
  return page.figure({ body, caption, data: table, wide: true });
}
