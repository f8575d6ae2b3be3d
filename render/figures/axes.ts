// What every chart shares: round-number and log ticks, the SVG's opening with its title and
// description, a text width estimate for laying labels out, and the figures' data tables.
import { alignDecimals, minus, textSignificant } from '../format.ts';
import { escapeHtml } from '../html.ts';

// Axis ticks at round numbers: 1, 2 or 5 times a power of ten, about `count` of them.
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** A log axis's ticks between lo and hi (both positive): labelled ones and unlabelled minor ones. */
export interface LogTicks {
  labelled: number[];
  minor: number[];
}

/**
 * At most `most` labelled decades (every k-th power of ten, k chosen so they fit), the other
 * decades as minor ticks; within a narrow range (under three decades) 2× and 5× are labelled too
 * and the other integer multiples are minor.
 */
export function logTicks(lo: number, hi: number, most = 7): LogTicks {
  const e0 = Math.ceil(Math.log10(lo) - 1e-9), e1 = Math.floor(Math.log10(hi) + 1e-9);
  const inRange = (v: number) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9);
  const p = (m: number, e: number) => Number((m * 10 ** e).toPrecision(12));
  const labelled: number[] = [], minor: number[] = [];
  if (Math.log10(hi / lo) < 3) {
    for (let e = e0 - 1; e <= e1; e++) for (let m = 1; m <= 9; m++) {
      const v = p(m, e);
      if (inRange(v)) (m === 1 || m === 2 || m === 5 ? labelled : minor).push(v);
    }
    return { labelled, minor };
  }
  const every = Math.max(1, Math.ceil((e1 - e0 + 1) / most));
  for (let e = e0; e <= e1; e++) ((((e % every) + every) % every === 0 ? labelled : minor)).push(p(1, e));
  return { labelled, minor };
}

const SUPERSCRIPT: Record<string, string> = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

/** An axis's tick texts: where one needs a power of ten, all of them are written so (0.1 beside 10⁻⁴ reads as two scales). */
export function tickLabels(values: number[], always = false): string[] {
  const powers = always || values.some((v) => v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3));
  return values.map((v) => tickLabel(v, powers));
}

/** A tick's text: plain for ordinary magnitudes, 10ⁿ (or m×10ⁿ) for very small or large ones (or all, with `powers`). */
export function tickLabel(v: number, powers = false): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (powers || a >= 1e5 || a < 1e-3) {
    const [m, e] = v.toExponential(0).split('e');
    const power = `10${String(Number(e)).replace(/./g, (c) => SUPERSCRIPT[c])}`;
    return m === '1' ? power : m === '-1' ? `−${power}` : `${m.replace('-', '−')}×${power}`;
  }
  // Thousands apart as the prose writes them (30 000), with a no-break space.
  return String(Number(v.toPrecision(6))).replace('-', '−').replace(/^(−?\d+)(\d{3})$/, (m, a: string, b: string) => (a.replace('−', '').length >= 2 ? `${a}\u00a0${b}` : m));
}

/**
 * Roughly how wide `text` is in the figures' sans-serif at `size` px, erring wide (these are
 * DejaVu Sans's advances, wider than most system fonts): boxes laid out with it do not touch.
 */
export function textWidth(text: string, size: number): number {
  let w = 0;
  for (const c of text) {
    w += /[il.,:;|' ]/.test(c) ? 0.33 : /[0-9]/.test(c) ? 0.64 : /[mwMW—×]/.test(c) ? 1.0 : /[=−+]/.test(c) ? 0.84 : /[A-Z]/.test(c) ? 0.74 : c === '_' ? 0.5 : c === '-' ? 0.37 : /[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]/.test(c) ? 0.48 : 0.63;
  }
  return w * size;
}

/** A box in SVG units. */
export interface Box {
  x0: number; y0: number; x1: number; y1: number;
}

export function overlaps(a: Box, b: Box, gap = 0): boolean {
  return a.x0 < b.x1 + gap && b.x0 < a.x1 + gap && a.y0 < b.y1 + gap && b.y0 < a.y1 + gap;
}

/** The box of a text of `size` px anchored at (x, baseline y). */
export function textBox(text: string, x: number, y: number, size: number, anchor: 'start' | 'middle' | 'end' = 'middle'): Box {
  const w = textWidth(text, size);
  const x0 = anchor === 'start' ? x : anchor === 'end' ? x - w : x - w / 2;
  return { x0, y0: y - size * 0.8, x1: x0 + w, y1: y + size * 0.25 };
}

/**
 * An SVG drawing as a figure shows it: an image with a title and a description of its numbers,
 * its natural size, and a floor (`least` of it) below which a narrow screen scrolls it instead
 * of shrinking it further.
 */
export function svgImage(cls: string, width: number, height: number, title: string, desc: string, body: string, least = 0.75): string {
  const w = Math.ceil(width), h = Math.ceil(height);
  return `<svg class="${cls}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" style="min-width:${Math.round(w * least)}px" role="img"><title>${escapeHtml(title)}</title><desc>${escapeHtml(desc)}</desc>${body}</svg>`;
}

/** A figure's numbers as a table; cells are text (escaped here), `rowHeads` marks the first cell of each row as its header. */
export function dataTable(caption: string, head: string[], rows: string[][], rowHeads = true): string {
  const cell = (c: string, i: number) => (i === 0 && rowHeads ? `<th scope="row">${escapeHtml(minus(c))}</th>` : `<td>${escapeHtml(c)}</td>`);
  // Column by column, so each lines up on its decimal point, with true minus signs.
  const columns = head.map((_, k) => alignDecimals(rows.map((r) => minus(r[k] ?? ''))));
  const aligned = rows.map((r, i) => r.map((c, k) => columns[k]?.[i] ?? c));
  return `<table class="numbers figure-table"><caption>${escapeHtml(caption)}</caption><thead><tr>${head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${aligned.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`;
}

/** A number as a chart's description and table print it: `digits` significant digits. */
export function sig(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  // Trailing zeros dropped, a true minus, and powers of ten written out.
  return textSignificant(v, digits);
}
