// The loss over two parameters as a heat map, with the starting point and the step the lesson
// takes marked on it: the surface the tutorials sketch, drawn from the network itself. A step
// too short to see at the map's scale is shown again magnified beside it.
import type { RenderContext } from '../../src/lesson/directive.ts';
import type { LossSurface } from '../../src/lesson/surface.ts';
import { textNumber } from '../format.ts';
import { escapeHtml } from '../html.ts';
import { dataTable, niceTicks, sig, svgImage, tickLabel } from './axes.ts';

const S = 420, L = 60, T = 16, B = 50, BAR = 16, INSET = 150;
/** Below this many pixels the two dots of the step overlap: the inset shows it instead. */
const VISIBLE = 16;
// A perceptually ordered ramp (viridis' ends and middle), low loss dark.
const STOPS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

function colour(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x)), f = x - i;
  const c = STOPS[i].map((v, k) => Math.round(v + (STOPS[i + 1][k] - v) * f));
  return `rgb(${c.join(',')})`;
}

/** The step as a line with an arrowhead (drawn, not a <marker>: ids would repeat across a page's figures) and the two dots. */
function stepMarks(bx: number, by: number, ax: number, ay: number): string {
  const len = Math.hypot(ax - bx, ay - by);
  let head = '';
  if (len > 10) {
    const ux = (ax - bx) / len, uy = (ay - by) / len, hx = ax - ux * 6, hy = ay - uy * 6;
    head = `<polygon class="step-head" points="${(hx - ux * 6 - uy * 5).toFixed(1)},${(hy - uy * 6 + ux * 5).toFixed(1)} ${hx.toFixed(1)},${hy.toFixed(1)} ${(hx - ux * 6 + uy * 5).toFixed(1)},${(hy - uy * 6 - ux * 5).toFixed(1)}"/>`;
  }
  const seg = `x1="${bx.toFixed(1)}" y1="${by.toFixed(1)}" x2="${ax.toFixed(1)}" y2="${ay.toFixed(1)}"`;
  return `<line class="step-halo" ${seg}/><line class="step-arrow" x1="${bx.toFixed(1)}" y1="${by.toFixed(1)}" x2="${ax.toFixed(1)}" y2="${ay.toFixed(1)}"/>${head}<circle class="start" cx="${bx.toFixed(1)}" cy="${by.toFixed(1)}" r="5"/><circle class="end" cx="${ax.toFixed(1)}" cy="${ay.toFixed(1)}" r="4"/>`;
}

export interface SurfaceDrawing {
  svg: string;
  /** how much the inset magnifies the step, 1 when the map shows it as it is */
  zoom: number;
  /** the step's length on the map, in pixels */
  pixels: number;
  lo: number;
  hi: number;
}

export function surfaceDrawing(s: LossSurface, lossName: string): SurfaceDrawing {
  let lo = Infinity, hi = -Infinity;
  for (const v of s.loss) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const cw = S / s.cols, ch = S / s.rows;
  const px = (x: number) => L + ((x - s.x0) / (s.x1 - s.x0)) * S;
  const py = (y: number) => T + S - ((y - s.y0) / (s.y1 - s.y0)) * S;
  const at = (x: number, y: number) => {
    const c = Math.min(s.cols - 1, Math.max(0, Math.floor(((x - s.x0) / (s.x1 - s.x0)) * s.cols)));
    const r = Math.min(s.rows - 1, Math.max(0, Math.floor(((y - s.y0) / (s.y1 - s.y0)) * s.rows)));
    return s.loss[r * s.cols + c];
  };
  const cells: string[] = [];
  for (let r = 0; r < s.rows; r++) {
    for (let c = 0; c < s.cols; c++) {
      cells.push(`<rect x="${(L + c * cw).toFixed(2)}" y="${(T + S - (r + 1) * ch).toFixed(2)}" width="${(cw + 0.3).toFixed(2)}" height="${(ch + 0.3).toFixed(2)}" fill="${colour((s.loss[r * s.cols + c] - lo) / (hi - lo || 1))}"/>`);
    }
  }
  const parts: string[] = [];
  for (const t of niceTicks(s.x0, s.x1, 5)) parts.push(`<line class="tickmark" x1="${px(t).toFixed(1)}" x2="${px(t).toFixed(1)}" y1="${T + S}" y2="${T + S + 5}"/><text class="tick" x="${px(t).toFixed(1)}" y="${T + S + 18}">${tickLabel(t)}</text>`);
  for (const t of niceTicks(s.y0, s.y1, 5)) parts.push(`<line class="tickmark" x1="${L - 5}" x2="${L}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}"/><text class="tick y" x="${L - 8}" y="${(py(t) + 4).toFixed(1)}">${tickLabel(t)}</text>`);
  parts.push(`<text class="axis-label" x="${L + S / 2}" y="${T + S + 38}">${escapeHtml(s.names[0])}</text>`);
  parts.push(`<text class="axis-label" transform="translate(16 ${T + S / 2}) rotate(-90)">${escapeHtml(s.names[1])}</text>`);
  // The colour bar, with ticks at round losses and its own label.
  const barX = L + S + 20;
  const bar: string[] = [];
  for (let i = 0; i < 50; i++) bar.push(`<rect x="${barX}" y="${(T + S - ((i + 1) * S) / 50).toFixed(1)}" width="${BAR}" height="${(S / 50 + 0.5).toFixed(1)}" fill="${colour(i / 49)}"/>`);
  const by = (v: number) => T + S - ((v - lo) / (hi - lo || 1)) * S;
  for (const t of niceTicks(lo, hi, 5).filter((t) => t >= lo && t <= hi)) parts.push(`<line class="tickmark" x1="${barX + BAR}" x2="${barX + BAR + 4}" y1="${by(t).toFixed(1)}" y2="${by(t).toFixed(1)}"/><text class="tick bar" x="${barX + BAR + 7}" y="${(by(t) + 4).toFixed(1)}">${tickLabel(t)}</text>`);
  const barLabelX = barX + BAR + 52;
  parts.push(`<text class="axis-label" transform="translate(${barLabelX} ${T + S / 2}) rotate(-90)">${escapeHtml(lossName)} (colour)</text>`);

  // A step that leaves the map (a huge learning rate in the live page) is drawn to just past its edge, in its own direction.
  const [ex, ey] = reach(s);
  const [bx, byy] = [px(s.before[0]), py(s.before[1])], [ax, ay] = [px(ex), py(ey)];
  const pixels = Math.hypot(ax - bx, ay - byy);
  let W = barLabelX + 14, zoom = 1;
  let marks = stepMarks(bx, byy, ax, ay);
  if (pixels < VISIBLE) {
    // The inset: a square around the step, magnified so that the step is 60% of its side,
    // coloured by the map's own cells (nearest cell, as the map draws them).
    const step = Math.hypot(s.after[0] - s.before[0], s.after[1] - s.before[1]) || (s.x1 - s.x0) / 1e6;
    const side = step / 0.6, cx = (s.before[0] + s.after[0]) / 2, cy = (s.before[1] + s.after[1]) / 2;
    zoom = (INSET / side) / (S / (s.x1 - s.x0));
    const ix = W + 20, iy = T + 30, k = 15, cell = INSET / k;
    const inset: string[] = [];
    for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) {
      const v = at(cx - side / 2 + ((c + 0.5) / k) * side, cy - side / 2 + ((r + 0.5) / k) * side);
      inset.push(`<rect x="${(ix + c * cell).toFixed(2)}" y="${(iy + INSET - (r + 1) * cell).toFixed(2)}" width="${(cell + 0.3).toFixed(2)}" height="${(cell + 0.3).toFixed(2)}" fill="${colour((v - lo) / (hi - lo || 1))}"/>`);
    }
    const qx = (x: number) => ix + ((x - (cx - side / 2)) / side) * INSET, qy = (y: number) => iy + INSET - ((y - (cy - side / 2)) / side) * INSET;
    // Where the inset looks on the map, and the inset itself.
    // (At least 8 px, so that the mark is visible however small the step.)
    const msz = Math.max(8, (side / (s.x1 - s.x0)) * S);
    marks = `<rect class="zoom-frame" x="${(px(cx) - msz / 2).toFixed(1)}" y="${(py(cy) - msz / 2).toFixed(1)}" width="${msz.toFixed(1)}" height="${msz.toFixed(1)}"/>`
      + `<g shape-rendering="crispEdges">${inset.join('')}</g><rect class="zoom-frame" x="${ix}" y="${iy}" width="${INSET}" height="${INSET}"/>`
      + stepMarks(qx(s.before[0]), qy(s.before[1]), qx(s.after[0]), qy(s.after[1]))
      + `<text class="inset-label" x="${ix + INSET / 2}" y="${iy - 10}">the step, ×${sig(zoom, 2)}</text>`
      + `<circle class="start" cx="${ix + 8}" cy="${iy + INSET + 20}" r="5"/><text class="legend" x="${ix + 18}" y="${iy + INSET + 24}">before the step</text>`
      + `<circle class="end" cx="${ix + 8}" cy="${iy + INSET + 40}" r="4"/><text class="legend" x="${ix + 18}" y="${iy + INSET + 44}">after it</text>`;
    W = ix + INSET + 10;
  } else {
    parts.push(`<circle class="start" cx="${W + 18}" cy="${T + 20}" r="5"/><text class="legend" x="${W + 28}" y="${T + 24}">before the step</text><circle class="end" cx="${W + 18}" cy="${T + 40}" r="4"/><text class="legend" x="${W + 28}" y="${T + 44}">after it</text>`);
    W += 130;
  }
  const H = T + S + B;
  const title = `${lossName} over ${s.names[0]} and ${s.names[1]}`;
  const desc = `A heat map of ${lossName} for ${s.names[0]} from ${sig(s.x0)} to ${sig(s.x1)} and ${s.names[1]} from ${sig(s.y0)} to ${sig(s.y1)} (${s.cols} × ${s.rows} cells), from ${sig(lo)} (dark) to ${sig(hi)} (yellow). The step moves (${s.names[0]}, ${s.names[1]}) from (${sig(s.before[0], 6)}, ${sig(s.before[1], 6)}) to (${sig(s.after[0], 6)}, ${sig(s.after[1], 6)})${zoom > 1 ? `, ${pixels.toFixed(1)} pixels on the map, shown magnified ${sig(zoom, 2)} times in the inset` : ''}.`;
  return { svg: svgImage('surface', W, H, title, desc, `<g shape-rendering="crispEdges">${cells.join('')}${bar.join('')}</g>${parts.join('')}${marks}`), zoom, pixels, lo, hi };
}

export function surfaceFigure(s: LossSurface, lossName: string): string {
  return surfaceDrawing(s, lossName).svg;
}

/** The surface as a numbered figure: its caption says how the step is shown, its table the loss on a coarser grid. */
export function surfaceFigureBox(page: RenderContext, s: LossSurface, lossName: string, decimals: number): string {
  const drawn = surfaceDrawing(s, lossName);
  const [a, b] = s.names.map(escapeHtml);
  const d = Math.min(decimals, 6);
  const move = `from (${textNumber(s.before[0], d)}, ${textNumber(s.before[1], d)}) to (${textNumber(s.after[0], d)}, ${textNumber(s.after[1], d)})`;
  const stepWords = drawn.zoom > 1
    ? `The step moves (${a}, ${b}) ${move}: ${drawn.pixels < 1 ? 'less than a pixel' : `${drawn.pixels.toFixed(0)} pixels`} at the map's scale, so the small square marks where the inset beside it looks, magnified ${sig(drawn.zoom, 2)} times: the white dot before the step, the black dot (ringed in white) after it.`
    : `The white dot is (${a}, ${b}) before the step, the black dot (ringed in white) after it: the step moves them ${move}.`;
  const caption = `${escapeHtml(lossName)} over ${a} and ${b} (±${sig((s.x1 - s.x0) / 2)} around their starting values), every other parameter at its starting value; dark is low, and the bar on the right gives the scale. ${stepWords}`;
  // Every 6th cell of the map each way: the map's shape in a table a screen reader can walk.
  const pick = (n: number) => Array.from({ length: n }, (_, i) => i).filter((i) => i % 6 === 3);
  const cols = pick(s.cols), rows = pick(s.rows).reverse();
  const xAt = (c: number) => s.x0 + ((c + 0.5) / s.cols) * (s.x1 - s.x0), yAt = (r: number) => s.y0 + ((r + 0.5) / s.rows) * (s.y1 - s.y0);
  const data = dataTable(`${lossName} at every 6th cell of the map (rows: ${s.names[1]}, columns: ${s.names[0]}), 4 significant digits`, [`${s.names[1]} \\ ${s.names[0]}`, ...cols.map((c) => sig(xAt(c)))], rows.map((r) => [sig(yAt(r)), ...cols.map((c) => sig(s.loss[r * s.cols + c]))]));
  return page.figure({ body: drawn.svg, caption, data });
}

/** Where the step's arrow ends: the step itself, or where it crosses a margin a tenth of the map's size beyond the map. */
function reach(s: LossSurface): [number, number] {
  const [b0, b1] = s.before, d0 = s.after[0] - b0, d1 = s.after[1] - b1;
  const m0 = (s.x1 - s.x0) / 10, m1 = (s.y1 - s.y0) / 10;
  const room = (b: number, d: number, lo: number, hi: number) => (d > 0 ? (hi - b) / d : d < 0 ? (lo - b) / d : Infinity);
  const t = Math.min(1, room(b0, d0, s.x0 - m0, s.x1 + m0), room(b1, d1, s.y0 - m1, s.y1 + m1));
  return [b0 + t * d0, b1 + t * d1];
}
