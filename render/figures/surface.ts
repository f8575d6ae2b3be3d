// The loss over two parameters as a heat map, with the starting point and the step the lesson
// takes marked on it: the surface the tutorials sketch, drawn from the network itself.
import type { LossSurface } from '../../src/lesson/surface.ts';
import { formatNumber } from '../format.ts';
import { escapeHtml } from '../html.ts';
import { niceTicks, tickLabel } from './axes.ts';

const S = 420, L = 60, T = 16, B = 50, BAR = 16;
// A perceptually ordered ramp (viridis' ends and middle), low loss dark.
const STOPS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

function colour(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x)), f = x - i;
  const c = STOPS[i].map((v, k) => Math.round(v + (STOPS[i + 1][k] - v) * f));
  return `rgb(${c.join(',')})`;
}

export function surfaceFigure(s: LossSurface, lossName: string): string {
  let lo = Infinity, hi = -Infinity;
  for (const v of s.loss) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const cw = S / s.cols, ch = S / s.rows;
  const px = (x: number) => L + ((x - s.x0) / (s.x1 - s.x0)) * S;
  const py = (y: number) => T + S - ((y - s.y0) / (s.y1 - s.y0)) * S;
  const cells: string[] = [];
  for (let r = 0; r < s.rows; r++) {
    for (let c = 0; c < s.cols; c++) {
      cells.push(`<rect x="${(L + c * cw).toFixed(2)}" y="${(T + S - (r + 1) * ch).toFixed(2)}" width="${(cw + 0.3).toFixed(2)}" height="${(ch + 0.3).toFixed(2)}" fill="${colour((s.loss[r * s.cols + c] - lo) / (hi - lo || 1))}"/>`);
    }
  }
  const axes: string[] = [];
  for (const t of niceTicks(s.x0, s.x1, 5)) axes.push(`<text class="tick" x="${px(t).toFixed(1)}" y="${T + S + 16}">${tickLabel(t)}</text>`);
  for (const t of niceTicks(s.y0, s.y1, 5)) axes.push(`<text class="tick y" x="${L - 6}" y="${(py(t) + 4).toFixed(1)}">${tickLabel(t)}</text>`);
  axes.push(`<text class="axis-label" x="${L + S / 2}" y="${T + S + 36}">${escapeHtml(s.names[0])}</text>`);
  axes.push(`<text class="axis-label" transform="translate(16 ${T + S / 2}) rotate(-90)">${escapeHtml(s.names[1])}</text>`);
  const bar: string[] = [];
  for (let i = 0; i < 50; i++) bar.push(`<rect x="${L + S + 20}" y="${(T + S - ((i + 1) * S) / 50).toFixed(1)}" width="${BAR}" height="${(S / 50 + 0.5).toFixed(1)}" fill="${colour(i / 49)}"/>`);
  bar.push(`<text class="tick" x="${L + S + 28}" y="${T + S + 16}">${formatNumber(lo, 3)}</text><text class="tick" x="${L + S + 28}" y="${T - 4}">${formatNumber(hi, 3)}</text>`);
  const [bx, by] = [px(s.before[0]), py(s.before[1])], [ax, ay] = [px(s.after[0]), py(s.after[1])];
  const marks = `<line class="step-arrow" x1="${bx.toFixed(1)}" y1="${by.toFixed(1)}" x2="${ax.toFixed(1)}" y2="${ay.toFixed(1)}"/><circle class="start" cx="${bx.toFixed(1)}" cy="${by.toFixed(1)}" r="4"/><circle class="end" cx="${ax.toFixed(1)}" cy="${ay.toFixed(1)}" r="3"/>`;
  const W = L + S + 20 + BAR + 50, H = T + S + B;
  return `<svg class="surface" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(`${lossName} over ${s.names[0]} and ${s.names[1]}`)}"><g shape-rendering="crispEdges">${cells.join('')}${bar.join('')}</g>${axes.join('')}${marks}</svg>`;
}

/** The surface as a figure with its caption. */
export function surfaceFigureBox(s: LossSurface): string {
  return `<figure class="figure">${surfaceFigure(s, 'the loss')}<figcaption>The loss over ${escapeHtml(s.names[0])} and ${escapeHtml(s.names[1])}, every other parameter at its starting value (dark is low). The white dot is the starting point; the line runs to where the step moves these two parameters.</figcaption></figure>`;
}
