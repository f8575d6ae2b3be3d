// Line charts of training runs: loss or an output against iteration or epoch, with axes,
// ticks, labels and a legend. The numbers arrive recorded; this only draws them.
import { escapeHtml } from '../html.ts';
import { logTicks, niceTicks, tickLabel } from './axes.ts';

/** One line of a chart. */
export interface Series {
  label: string;
  x: number[];
  y: number[];
}

const W = 680, H = 340, L = 70, R = 20, T = 20, B = 50;
export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];

export function curveFigure(series: Series[], xLabel: string, yLabel: string, log: boolean): string {
  const xs = series.flatMap((s) => s.x), ys = series.flatMap((s) => s.y).filter((v) => Number.isFinite(v) && (!log || v > 0));
  const x0 = Math.min(...xs), x1 = Math.max(...xs);
  let y0 = Math.min(...ys), y1 = Math.max(...ys);
  if (!log) {
    const pad = (y1 - y0) * 0.05 || Math.abs(y1) * 0.05 || 1;
    y0 = Math.min(0, y0) === 0 && y0 >= 0 && y0 < (y1 - y0) * 0.3 ? 0 : y0 - pad;
    y1 += pad;
  }
  const sx = (x: number) => L + ((x - x0) / (x1 - x0 || 1)) * (W - L - R);
  const sy = log
    ? (y: number) => T + (1 - (Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0) || 1)) * (H - T - B)
    : (y: number) => T + (1 - (y - y0) / (y1 - y0 || 1)) * (H - T - B);
  const parts: string[] = [];
  const yTicks = (log ? logTicks(y0, y1) : niceTicks(y0, y1)).filter((t) => t >= y0 * (1 - 1e-9) && t <= y1 * (1 + 1e-9));
  for (const t of yTicks) parts.push(`<line class="grid" x1="${L}" x2="${W - R}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}"/><text class="tick y" x="${L - 6}" y="${(sy(t) + 4).toFixed(1)}">${tickLabel(t)}</text>`);
  for (const t of niceTicks(x0, x1, 6)) parts.push(`<line class="tickmark" x1="${sx(t).toFixed(1)}" x2="${sx(t).toFixed(1)}" y1="${H - B}" y2="${H - B + 5}"/><text class="tick" x="${sx(t).toFixed(1)}" y="${H - B + 18}">${tickLabel(t)}</text>`);
  parts.push(`<line class="axis" x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}"/><line class="axis" x1="${L}" x2="${L}" y1="${T}" y2="${H - B}"/>`);
  parts.push(`<text class="axis-label" x="${(L + W - R) / 2}" y="${H - 10}">${escapeHtml(xLabel)}</text>`);
  parts.push(`<text class="axis-label" transform="translate(16 ${(T + H - B) / 2}) rotate(-90)">${escapeHtml(yLabel)}${log ? ' (log scale)' : ''}</text>`);
  series.forEach((s, i) => {
    const pts = s.x.map((x, j) => [x, s.y[j]] as const).filter(([, y]) => Number.isFinite(y) && (!log || y > 0)).map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`);
    parts.push(`<polyline class="series" stroke="${PALETTE[i % PALETTE.length]}" points="${pts.join(' ')}"/>`);
    if (series.length > 1) parts.push(`<rect x="${W - R - 150}" y="${T + 6 + i * 18}" width="14" height="4" fill="${PALETTE[i % PALETTE.length]}"/><text class="legend" x="${W - R - 130}" y="${T + 12 + i * 18}">${escapeHtml(s.label)}</text>`);
  });
  return `<svg class="curve" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(`${yLabel} against ${xLabel}`)}">${parts.join('')}</svg>`;
}

export function curveFigureBox(series: Series[], xLabel: string, yLabel: string, log: boolean): string {
  return `<figure class="figure">${curveFigure(series, xLabel, yLabel, log)}</figure>`;
}
