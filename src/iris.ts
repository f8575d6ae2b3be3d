/**
 * Fisher's / Anderson's Iris data (data/iris.csv): parser and integrity checks.
 *
 * Pure: no file system, no Node APIs, so it runs unchanged in a browser.
 * The caller reads the text (node:fs in tests and benches, fetch() in a page)
 * and hands it to `parseIris`.
 *
 * Expected file format (exactly what data/iris.csv contains):
 *
 *   sepal_length,sepal_width,petal_length,petal_width,species
 *   5.1,3.5,1.4,0.2,setosa
 *   ...                                  (150 rows: 50 setosa, 50 versicolor, 50 virginica)
 *
 * Values are in centimetres. The data are scikit-learn's copy
 * (sklearn/datasets/data/iris.csv), which equals Fisher (1936) and UCI's
 * corrected `bezdekIris.data`: sample 35 is 4.9,3.1,1.5,0.2 and sample 38 is
 * 4.9,3.6,1.4,0.1 (the old UCI `iris.data` had 0.1 and 3.1,1.5 there).
 *
 * Error positions are `file:line:column`, both 1-based; "column" is the CSV
 * field number (1 = sepal_length … 5 = species), not a character offset.
 */

export const IRIS_FEATURE_NAMES: readonly string[] = Object.freeze([
  'sepal_length',
  'sepal_width',
  'petal_length',
  'petal_width',
]);

export const IRIS_CLASSES: readonly string[] = Object.freeze(['setosa', 'versicolor', 'virginica']);

const HEADER: readonly string[] = Object.freeze([...IRIS_FEATURE_NAMES, 'species']);
const N_FEATURES = 4;
const N_FIELDS = 5;

export interface IrisData {
  /** n×4, row-major: X[i*4 + j] is feature j of sample i. */
  X: Float64Array;
  /** class index per sample: 0 = setosa, 1 = versicolor, 2 = virginica. */
  y: Uint8Array;
  classes: string[];
  featureNames: string[];
  n: number;
}

/** Plain decimal, optional sign and exponent. No hex, no Infinity/NaN, no empty string. */
const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function fail(file: string, line: number, column: number, message: string): never {
  throw new Error(`${file}:${line}:${column}: ${message}`);
}

function show(s: string): string {
  return JSON.stringify(s);
}

/**
 * Parses the Iris CSV text. Accepts LF or CRLF line ends, a leading UTF-8 BOM,
 * spaces/tabs around fields, and blank lines at the end of the file only.
 * Throws `Error("<file>:<line>:<column>: expected …, got …")` on anything else.
 *
 * `fileName` is used only in error messages.
 */
export function parseIris(csvText: string, fileName = 'iris.csv'): IrisData {
  if (typeof csvText !== 'string') {
    throw new TypeError(`${fileName}: expected the CSV text as a string, got ${typeof csvText}`);
  }
  const text = csvText.charCodeAt(0) === 0xfeff ? csvText.slice(1) : csvText;
  const lines = text.split(/\r?\n/);
  // Drop trailing blank lines (a final newline yields one empty string).
  let last = lines.length;
  while (last > 0 && lines[last - 1].trim() === '') last--;

  if (last === 0) fail(fileName, 1, 1, `expected the header ${show(HEADER.join(','))}, got an empty file`);

  // Header.
  const header = lines[0].split(',').map((f) => f.trim());
  for (let c = 0; c < N_FIELDS; c++) {
    if (c >= header.length) {
      fail(fileName, 1, c + 1, `expected header field ${show(HEADER[c])}, got end of line`);
    }
    if (header[c] !== HEADER[c]) {
      fail(fileName, 1, c + 1, `expected header field ${show(HEADER[c])}, got ${show(header[c])}`);
    }
  }
  if (header.length > N_FIELDS) {
    fail(fileName, 1, N_FIELDS + 1, `expected ${N_FIELDS} header fields, got ${header.length}`);
  }

  const n = last - 1;
  if (n === 0) fail(fileName, 2, 1, 'expected at least one data row, got end of file');

  const X = new Float64Array(n * N_FEATURES);
  const y = new Uint8Array(n);

  for (let i = 0; i < n; i++) {
    const lineNo = i + 2;
    const raw = lines[i + 1];
    if (raw.trim() === '') {
      fail(fileName, lineNo, 1, `expected ${N_FIELDS} comma-separated fields, got an empty line`);
    }
    const fields = raw.split(',').map((f) => f.trim());
    if (fields.length < N_FIELDS) {
      fail(
        fileName,
        lineNo,
        fields.length + 1,
        `expected ${N_FIELDS} fields (${HEADER.join(',')}), got ${fields.length}: missing ${HEADER[fields.length]}`,
      );
    }
    if (fields.length > N_FIELDS) {
      fail(
        fileName,
        lineNo,
        N_FIELDS + 1,
        `expected ${N_FIELDS} fields (${HEADER.join(',')}), got ${fields.length}`,
      );
    }
    for (let j = 0; j < N_FEATURES; j++) {
      const f = fields[j];
      if (!NUMBER_RE.test(f)) {
        fail(fileName, lineNo, j + 1, `expected a number (${HEADER[j]}, cm), got ${show(f)}`);
      }
      const v = Number(f);
      if (!Number.isFinite(v) || !(v > 0)) {
        fail(fileName, lineNo, j + 1, `expected a positive finite length (${HEADER[j]}, cm), got ${show(f)}`);
      }
      X[i * N_FEATURES + j] = v;
    }
    const k = IRIS_CLASSES.indexOf(fields[4]);
    if (k < 0) {
      fail(fileName, lineNo, 5, `expected species ${IRIS_CLASSES.join('|')}, got ${show(fields[4])}`);
    }
    y[i] = k;
  }

  return { X, y, classes: [...IRIS_CLASSES], featureNames: [...IRIS_FEATURE_NAMES], n };
}

/**
 * The published figures the shipped file must reproduce.
 *
 * Sums are exact (every value has one decimal, so every sum is a whole number
 * of tenths). Divided by the counts they give the commonly published means:
 * overall 5.843333…, 3.057333…, 3.758, 1.199333… (the sepal-width mean of the
 * corrected data; the old UCI iris.data with the two errata gives 458.1/150 =
 * 3.054, which is why UCI's iris.names says 3.05), and per class
 * setosa 5.006/3.428/1.462/0.246, versicolor 5.936/2.770/4.260/1.326,
 * virginica 6.588/2.974/5.552/2.026 (as printed by R's
 * `aggregate(. ~ Species, iris, mean)`; R's `iris` is Fisher's table).
 * Means are derived as sum / count here so that no rounded figure is copied.
 */
const COLUMN_SUMS: readonly number[] = Object.freeze([876.5, 458.6, 563.7, 179.9]);
const CLASS_SUMS: readonly (readonly number[])[] = Object.freeze([
  Object.freeze([250.3, 171.4, 73.1, 12.3]), // setosa
  Object.freeze([296.8, 138.5, 213.0, 66.3]), // versicolor
  Object.freeze([329.4, 148.7, 277.6, 101.3]), // virginica
]);

export const IRIS_CHECKS = Object.freeze({
  rows: 150,
  perClass: 50,
  /** column totals over all 150 samples, cm */
  columnSums: COLUMN_SUMS,
  /** column totals per class, [setosa, versicolor, virginica][feature], cm */
  classSums: CLASS_SUMS,
  /** columnSums / 150: 5.843333…, 3.057333…, 3.758, 1.199333… */
  columnMeans: Object.freeze(COLUMN_SUMS.map((s) => s / 150)) as readonly number[],
  /** classSums / 50: setosa 5.006/3.428/1.462/0.246, versicolor 5.936/2.770/4.260/1.326, virginica 6.588/2.974/5.552/2.026 */
  classMeans: Object.freeze(CLASS_SUMS.map((r) => Object.freeze(r.map((s) => s / 50)))) as readonly (readonly number[])[],
  tolerance: 1e-12,
});

/** Column means of an n×4 row-major matrix, summed in row order. */
export function irisColumnMeans(data: Pick<IrisData, 'X' | 'n'>): number[] {
  const sums = [0, 0, 0, 0];
  for (let i = 0; i < data.n; i++) {
    for (let j = 0; j < N_FEATURES; j++) sums[j] += data.X[i * N_FEATURES + j];
  }
  return sums.map((s) => s / data.n);
}

/** Per-class column means, [class][feature]. */
export function irisClassMeans(data: IrisData): number[][] {
  const k = data.classes.length;
  const sums = Array.from({ length: k }, () => [0, 0, 0, 0]);
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < data.n; i++) {
    const c = data.y[i];
    counts[c]++;
    for (let j = 0; j < N_FEATURES; j++) sums[c][j] += data.X[i * N_FEATURES + j];
  }
  return sums.map((row, c) => row.map((s) => s / counts[c]));
}

/**
 * Asserts that `data` is the standard Iris set: 150 rows, 50 per class in the
 * standard order (setosa rows 1–50, versicolor 51–100, virginica 101–150),
 * column means and per-class means equal to the published sums ÷ count within
 * 1e-12. Throws an Error saying which check failed and by how much; returns
 * `data` unchanged otherwise.
 */
export function checkIris(data: IrisData): IrisData {
  const C = IRIS_CHECKS;
  const tol = C.tolerance;
  const problems: string[] = [];

  if (data.n !== C.rows) problems.push(`expected ${C.rows} rows, got ${data.n}`);
  if (data.X.length !== data.n * N_FEATURES) {
    problems.push(`expected X to hold n×4 = ${data.n * N_FEATURES} values, got ${data.X.length}`);
  }
  if (data.y.length !== data.n) problems.push(`expected y to hold n = ${data.n} labels, got ${data.y.length}`);
  if (data.classes.join('|') !== IRIS_CLASSES.join('|')) {
    problems.push(`expected classes ${IRIS_CLASSES.join('|')}, got ${data.classes.join('|')}`);
  }
  if (problems.length > 0) throw new Error(`Iris check failed: ${problems.join('; ')}`);

  const counts = [0, 0, 0];
  for (let i = 0; i < data.n; i++) {
    const c = data.y[i];
    if (c > 2) {
      problems.push(`row ${i + 1}: expected a class index 0..2, got ${c}`);
      continue;
    }
    counts[c]++;
  }
  counts.forEach((cnt, c) => {
    if (cnt !== C.perClass) problems.push(`expected ${C.perClass} ${IRIS_CLASSES[c]} rows, got ${cnt}`);
  });
  if (problems.length === 0) {
    for (let i = 0; i < data.n; i++) {
      const want = Math.floor(i / C.perClass);
      if (data.y[i] !== want) {
        problems.push(
          `row ${i + 1}: expected ${IRIS_CLASSES[want]} (standard order: 50 setosa, 50 versicolor, 50 virginica), got ${IRIS_CLASSES[data.y[i]]}`,
        );
        break;
      }
    }
  }
  if (problems.length > 0) throw new Error(`Iris check failed: ${problems.join('; ')}`);

  const means = irisColumnMeans(data);
  const wantMeans = C.columnMeans;
  for (let j = 0; j < N_FEATURES; j++) {
    const d = means[j] - wantMeans[j];
    if (!(Math.abs(d) <= tol)) {
      problems.push(
        `column ${j + 1} (${IRIS_FEATURE_NAMES[j]}): expected mean ${wantMeans[j]} (= ${C.columnSums[j]}/150), got ${means[j]} (off by ${d.toExponential(3)})`,
      );
    }
  }
  const cmeans = irisClassMeans(data);
  const wantC = C.classMeans;
  for (let c = 0; c < 3; c++) {
    for (let j = 0; j < N_FEATURES; j++) {
      const d = cmeans[c][j] - wantC[c][j];
      if (!(Math.abs(d) <= tol)) {
        problems.push(
          `${IRIS_CLASSES[c]} ${IRIS_FEATURE_NAMES[j]}: expected mean ${wantC[c][j]} (= ${C.classSums[c][j]}/50), got ${cmeans[c][j]} (off by ${d.toExponential(3)})`,
        );
      }
    }
  }
  if (problems.length > 0) throw new Error(`Iris check failed: ${problems.join('; ')}`);
  return data;
}
