// Line charts of training runs and activations: y against x, with axes, ticks, labels and a
// legend below the plot (never over the lines). The numbers arrive recorded; this only draws them.
import type { RenderContext } from '../../src/lesson/directive.ts';
import { escapeHtml } from '../html.ts';
import { dataTable, logTicks, niceTicks, sig, svgImage, textWidth, tickLabel, tickLabels } from './axes.ts';

/** One line of a chart. */
export interface Series {
  label: string;
  x: number[];
  y: number[];
}

const W = 640, PH = 260, L = 66, R = 28, T = 14, B = 46; // R: room for a last tick label of "80 000" centred on the axis end
/** How many colours the series cycle through (figures.css: --s0 … --s7, ≥ 3:1 on either theme's background). */
export const SERIES_COLOURS = 8;
/** Dashes as well as colours, so that lines stay apart for readers who cannot tell the colours apart, and in greyscale print. */
const DASHES = ['', '7 4', '2 3', '10 3 2 3'];

/** Whether positive data spans two decades or more: then a log axis shows its tail instead of a flat line. */
export function spansDecades(series: Series[], decades = 2): boolean {
  const ys = series.flatMap((s) => s.y).filter(Number.isFinite);
  if (ys.length === 0 || ys.some((v) => v <= 0)) return false;
  return Math.log10(Math.max(...ys) / Math.min(...ys)) >= decades;
}

function legendRows(series: Series[]): { x: number; row: number }[] {
  const at: { x: number; row: number }[] = [];
  let x = L, row = 0;
  for (const s of series) {
    const w = 30 + textWidth(s.label, 12) + 18;
    if (x > L && x + w > W - R) { x = L; row++; }
    at.push({ x, row });
    x += w;
  }
  return at;
}

export function curveFigure(series: Series[], xLabel: string, yLabel: string, log: boolean): string {
  const xs = series.flatMap((s) => s.x), ys = series.flatMap((s) => s.y).filter((v) => Number.isFinite(v) && (!log || v > 0));
  const x0 = Math.min(...xs), x1 = Math.max(...xs);
  let y0 = Math.min(...ys), y1 = Math.max(...ys);
  if (log) {
    // Whole decades at the ends, so the first and last labels sit on the frame.
    y0 = 10 ** Math.floor(Math.log10(y0) + 1e-9);
    y1 = 10 ** Math.ceil(Math.log10(y1) - 1e-9);
    if (y1 / y0 < 10) y1 = y0 * 10;
  } else {
    const pad = (y1 - y0) * 0.05 || Math.abs(y1) * 0.05 || 1;
    y0 = y0 >= 0 && y0 < (y1 - y0) * 0.3 ? 0 : y0 - pad;
    y1 += pad;
  }
  const legend = series.length > 1 ? legendRows(series) : [];
  const rows = legend.length ? legend[legend.length - 1].row + 1 : 0;
  const H = T + PH + B + rows * 20 + (rows ? 6 : 0);
  const sx = (x: number) => L + ((x - x0) / (x1 - x0 || 1)) * (W - L - R);
  const sy = log
    ? (y: number) => T + (1 - (Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0) || 1)) * PH
    : (y: number) => T + (1 - (y - y0) / (y1 - y0 || 1)) * PH;
  const parts: string[] = [];
  const inY = (t: number) => t >= y0 - Math.abs(y0) * 1e-9 && t <= y1 + Math.abs(y1) * 1e-9;
  const ticks = log ? logTicks(y0, y1) : { labelled: niceTicks(y0, y1), minor: [] };
  for (const t of ticks.minor.filter(inY)) parts.push(`<line class="tickmark" x1="${L - 3}" x2="${L}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}"/>`);
  const yTicks = ticks.labelled.filter(inY);
  // A log axis writes its ticks as powers of ten, on every chart alike.
  const yLabels = log ? tickLabels(yTicks, true) : yTicks.map((t) => tickLabel(t));
  for (const [k, t] of yTicks.entries()) parts.push(`<line class="grid" x1="${L}" x2="${W - R}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}"/><line class="tickmark" x1="${L - 5}" x2="${L}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}"/><text class="tick y" x="${L - 8}" y="${(sy(t) + 4).toFixed(1)}">${yLabels[k]}</text>`);
  for (const t of niceTicks(x0, x1, 6)) parts.push(`<line class="tickmark" x1="${sx(t).toFixed(1)}" x2="${sx(t).toFixed(1)}" y1="${T + PH}" y2="${T + PH + 5}"/><text class="tick" x="${sx(t).toFixed(1)}" y="${T + PH + 19}">${tickLabel(t)}</text>`);
  parts.push(`<line class="axis" x1="${L}" x2="${W - R}" y1="${T + PH}" y2="${T + PH}"/><line class="axis" x1="${L}" x2="${L}" y1="${T}" y2="${T + PH}"/>`);
  parts.push(`<text class="axis-label" x="${(L + W - R) / 2}" y="${T + PH + 38}">${escapeHtml(xLabel)}</text>`);
  parts.push(`<text class="axis-label" transform="translate(15 ${T + PH / 2}) rotate(-90)">${escapeHtml(yLabel)}${log ? ' (log scale)' : ''}</text>`);
  series.forEach((s, i) => {
    const drawn = s.x.map((x, j) => [x, s.y[j]] as const).filter(([, y]) => Number.isFinite(y) && (!log || y > 0));
    const pts = drawn.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`);
    const dash = DASHES[i % DASHES.length];
    // Each point's step and value as the table gives them, for the live page's scrubber.
    const scrub = ` data-label="${escapeHtml(s.label)}" data-x="${drawn.map(([x]) => sig(x, 6)).join(' ')}" data-y="${drawn.map(([, y]) => sig(y)).join(' ')}"`;
    parts.push(`<polyline class="series ln${i % SERIES_COLOURS}"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${pts.join(' ')}"${scrub}/>`);
    if (legend.length) {
      const { x, row } = legend[i], y = T + PH + B + 12 + row * 20;
      parts.push(`<line class="series ln${i % SERIES_COLOURS}"${dash ? ` stroke-dasharray="${dash}"` : ''} x1="${x}" x2="${x + 24}" y1="${y - 4}" y2="${y - 4}"/><text class="legend" x="${x + 30}" y="${y}">${escapeHtml(s.label)}</text>`);
    }
  });
  const title = `${yLabel} against ${xLabel}${log ? ' (log scale)' : ''}`;
  return svgImage('curve', W, H, title, curveDescription(series, xLabel, yLabel, log, [y0, y1]), parts.join(''));
}

/** The numbers a reader of the drawing sees: the range shown, and each line's first and last point. */
export function curveDescription(series: Series[], xLabel: string, yLabel: string, log: boolean, shown: [number, number]): string {
  const lines = series.map((s) => {
    const ok = s.x.map((x, j) => [x, s.y[j]] as const).filter(([, y]) => Number.isFinite(y));
    if (ok.length === 0) return `${s.label}: no finite values`;
    const [fx, fy] = ok[0], [lx, ly] = ok[ok.length - 1];
    return `${s.label}: ${sig(fy)} at ${xLabel} ${sig(fx)}, ${sig(ly)} at ${xLabel} ${sig(lx)}`;
  });
  const xs = series.flatMap((s) => s.x);
  return `${yLabel} on a ${log ? 'log' : 'linear'} axis from ${sig(shown[0])} to ${sig(shown[1])}, ${xLabel} from ${sig(Math.min(...xs))} to ${sig(Math.max(...xs))}. ${lines.join('; ')}.`;
}

/** The drawn points as a table: every recorded point up to 41 rows, else every k-th and the last. */
export function curveTable(series: Series[], xLabel: string): string {
  const xs = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
  const every = Math.ceil(xs.length / 40);
  const picked = xs.filter((_, i) => i % every === 0 || i === xs.length - 1);
  const at = series.map((s) => new Map(s.x.map((x, j) => [x, s.y[j]])));
  const rows = picked.map((x) => [sig(x, 6), ...at.map((m) => (m.has(x) ? sig(m.get(x)!) : '—'))]);
  const note = every > 1 ? `every ${ordinal(every)} of the ${xs.length} recorded points and the last` : `all ${xs.length} recorded points`;
  return dataTable(`The lines' values (4 significant digits, as drawn): ${note}`, [xLabel, ...series.map((s) => s.label)], rows);
}

/** The chart as a numbered figure; `caption` is HTML already escaped. */
export function curveFigureBox(page: RenderContext, series: Series[], xLabel: string, yLabel: string, log: boolean, caption: string): string {
  return page.figure({ body: curveFigure(series, xLabel, yLabel, log), caption, data: curveTable(series, xLabel) });
}

/** 2nd, 3rd, 4th, 11th, 21st. */
function ordinal(n: number): string {
  const tens = n % 100, ones = n % 10;
  return `${n}${tens >= 11 && tens <= 13 ? 'th' : ones === 1 ? 'st' : ones === 2 ? 'nd' : ones === 3 ? 'rd' : 'th'}`;
}
