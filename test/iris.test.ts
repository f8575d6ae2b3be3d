import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  IRIS_CHECKS,
  checkIris,
  irisClassMeans,
  irisColumnMeans,
  parseIris,
  type IrisData,
} from '../src/iris.ts';

const CSV = readFileSync(new URL('../data/iris.csv', import.meta.url), 'utf8');

/*
 * Expected values, independent of src/iris.ts's own table.
 *
 * Column totals (cm) of Fisher's Iris, i.e. R's `colSums(iris[1:4])` and
 * scikit-learn's `load_iris().data.sum(0)` (both carry Fisher's values for
 * samples 35 and 38): 876.5, 458.6, 563.7, 179.9.
 * Per-class totals (R: `aggregate(. ~ Species, iris, sum)`):
 *   setosa     250.3, 171.4,  73.1,  12.3
 *   versicolor 296.8, 138.5, 213.0,  66.3
 *   virginica  329.4, 148.7, 277.6, 101.3
 * Dividing by 150 and 50 gives the commonly published means
 *   overall    5.843333…, 3.057333…, 3.758, 1.199333…
 *   setosa     5.006, 3.428, 1.462, 0.246
 *   versicolor 5.936, 2.770, 4.260, 1.326
 *   virginica  6.588, 2.974, 5.552, 2.026
 * (UCI's uncorrected iris.data would give a sepal-width total of 458.1.)
 */
const TOTALS = [876.5, 458.6, 563.7, 179.9];
const CLASS_TOTALS = [
  [250.3, 171.4, 73.1, 12.3],
  [296.8, 138.5, 213.0, 66.3],
  [329.4, 148.7, 277.6, 101.3],
];
const PUBLISHED_CLASS_MEANS = [
  [5.006, 3.428, 1.462, 0.246],
  [5.936, 2.77, 4.26, 1.326],
  [6.588, 2.974, 5.552, 2.026],
];

const HEADER = 'sepal_length,sepal_width,petal_length,petal_width,species';

/** The first `k` data lines of the real file, plus the header. */
function head(k: number): string[] {
  return CSV.split('\n').slice(0, k + 1);
}

function parseError(text: string): string {
  try {
    parseIris(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected parseIris to throw');
}

describe('data/iris.csv', () => {
  const data = parseIris(CSV);

  it('has the header, 150 rows and 4 features', () => {
    expect(CSV.split('\n')[0]).toBe(HEADER);
    expect(data.n).toBe(150);
    expect(data.X).toBeInstanceOf(Float64Array);
    expect(data.X.length).toBe(600);
    expect(data.y).toBeInstanceOf(Uint8Array);
    expect(data.y.length).toBe(150);
    expect(data.featureNames).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect(data.classes).toEqual(['setosa', 'versicolor', 'virginica']);
  });

  it('has 50 rows per class in the standard order', () => {
    const counts = [0, 0, 0];
    for (const c of data.y) counts[c]++;
    expect(counts).toEqual([50, 50, 50]);
    for (let i = 0; i < 150; i++) expect(data.y[i]).toBe(Math.floor(i / 50));
  });

  it('reproduces the published column means', () => {
    const means = irisColumnMeans(data);
    for (let j = 0; j < 4; j++) expect(Math.abs(means[j] - TOTALS[j] / 150)).toBeLessThan(1e-12);
    // the figures as usually quoted
    expect(means[0]).toBeCloseTo(5.843333, 6);
    expect(means[1]).toBeCloseTo(3.057333, 6);
    expect(means[2]).toBeCloseTo(3.758, 12);
    expect(means[3]).toBeCloseTo(1.199333, 6);
  });

  it('has exact column totals (one-decimal data: totals in tenths are integers)', () => {
    const tenths = [0, 0, 0, 0];
    for (let i = 0; i < 150; i++) {
      for (let j = 0; j < 4; j++) tenths[j] += Math.round(data.X[i * 4 + j] * 10);
    }
    expect(tenths).toEqual(TOTALS.map((t) => Math.round(t * 10)));
    const classTenths = [0, 1, 2].map(() => [0, 0, 0, 0]);
    for (let i = 0; i < 150; i++) {
      for (let j = 0; j < 4; j++) classTenths[data.y[i]][j] += Math.round(data.X[i * 4 + j] * 10);
    }
    expect(classTenths).toEqual(CLASS_TOTALS.map((r) => r.map((t) => Math.round(t * 10))));
  });

  it('reproduces the published per-class means', () => {
    const cm = irisClassMeans(data);
    for (let c = 0; c < 3; c++) {
      for (let j = 0; j < 4; j++) {
        expect(Math.abs(cm[c][j] - CLASS_TOTALS[c][j] / 50)).toBeLessThan(1e-12);
        expect(Math.abs(cm[c][j] - PUBLISHED_CLASS_MEANS[c][j])).toBeLessThan(1e-12);
      }
    }
  });

  it('carries Fisher\'s values for samples 35 and 38 (the UCI errata)', () => {
    const row = (k: number) => Array.from(data.X.subarray((k - 1) * 4, k * 4));
    expect(row(35)).toEqual([4.9, 3.1, 1.5, 0.2]);
    expect(row(38)).toEqual([4.9, 3.6, 1.4, 0.1]);
  });

  it('passes checkIris, and IRIS_CHECKS agrees with the totals above', () => {
    expect(checkIris(data)).toBe(data);
    expect([...IRIS_CHECKS.columnSums]).toEqual(TOTALS);
    expect(IRIS_CHECKS.classSums.map((r) => [...r])).toEqual(CLASS_TOTALS);
    expect(IRIS_CHECKS.rows).toBe(150);
    expect(IRIS_CHECKS.perClass).toBe(50);
  });

  it('parses CRLF, a BOM and trailing blank lines identically', () => {
    const crlf = parseIris('\ufeff' + CSV.replace(/\n/g, '\r\n') + '\r\n\r\n');
    expect(crlf.n).toBe(150);
    expect(Array.from(crlf.X)).toEqual(Array.from(data.X));
    expect(Array.from(crlf.y)).toEqual(Array.from(data.y));
  });
});

describe('parseIris error messages', () => {
  it('names line and column of a non-number', () => {
    const lines = head(20);
    lines[16] = '5.4,3.9,abc,0.4,setosa'; // line 17 of the file
    expect(parseError(lines.join('\n'))).toBe('iris.csv:17:3: expected a number (petal_length, cm), got "abc"');
  });

  it('rejects an empty numeric field', () => {
    const lines = head(3);
    lines[2] = '4.9,,1.4,0.2,setosa';
    expect(parseError(lines.join('\n'))).toBe('iris.csv:3:2: expected a number (sepal_width, cm), got ""');
  });

  it('rejects non-positive and non-finite lengths', () => {
    expect(parseError([HEADER, '-5.1,3.5,1.4,0.2,setosa'].join('\n'))).toBe(
      'iris.csv:2:1: expected a positive finite length (sepal_length, cm), got "-5.1"',
    );
    expect(parseError([HEADER, '5.1,3.5,1.4,1e999,setosa'].join('\n'))).toBe(
      'iris.csv:2:4: expected a positive finite length (petal_width, cm), got "1e999"',
    );
    expect(parseError([HEADER, '5.1,3.5,Infinity,0.2,setosa'].join('\n'))).toMatch(/^iris\.csv:2:3: expected a number/);
    expect(parseError([HEADER, '0x10,3.5,1.4,0.2,setosa'].join('\n'))).toMatch(/^iris\.csv:2:1: expected a number/);
  });

  it('names an unknown species', () => {
    expect(parseError([HEADER, '5.1,3.5,1.4,0.2,Iris-setosa'].join('\n'))).toBe(
      'iris.csv:2:5: expected species setosa|versicolor|virginica, got "Iris-setosa"',
    );
  });

  it('reports too few and too many fields', () => {
    expect(parseError([HEADER, '5.1,3.5,1.4'].join('\n'))).toBe(
      'iris.csv:2:4: expected 5 fields (sepal_length,sepal_width,petal_length,petal_width,species), got 3: missing petal_width',
    );
    expect(parseError([HEADER, '5.1,3.5,1.4,0.2,setosa,extra'].join('\n'))).toBe(
      'iris.csv:2:6: expected 5 fields (sepal_length,sepal_width,petal_length,petal_width,species), got 6',
    );
  });

  it('rejects a blank line between rows', () => {
    const lines = head(5);
    lines.splice(3, 0, '');
    expect(parseError(lines.join('\n'))).toBe('iris.csv:4:1: expected 5 comma-separated fields, got an empty line');
  });

  it('checks the header', () => {
    expect(parseError('sepal_length,sepal_width,petal_len,petal_width,species\n5.1,3.5,1.4,0.2,setosa')).toBe(
      'iris.csv:1:3: expected header field "petal_length", got "petal_len"',
    );
    expect(parseError('5.1,3.5,1.4,0.2,setosa')).toBe('iris.csv:1:1: expected header field "sepal_length", got "5.1"');
    expect(parseError('')).toBe(
      'iris.csv:1:1: expected the header "sepal_length,sepal_width,petal_length,petal_width,species", got an empty file',
    );
    expect(parseError(HEADER + '\n')).toBe('iris.csv:2:1: expected at least one data row, got end of file');
  });

  it('uses the given file name', () => {
    expect(() => parseIris('x', 'data/iris.csv')).toThrow(/^data\/iris\.csv:1:1: /);
  });
});

describe('checkIris', () => {
  const good = (): IrisData => parseIris(CSV);

  it('rejects a truncated set', () => {
    const short = parseIris(head(149).join('\n'));
    expect(() => checkIris(short)).toThrow('Iris check failed: expected 150 rows, got 149');
  });

  it('rejects the uncorrected UCI sample 38', () => {
    const d = good();
    d.X[37 * 4 + 1] = 3.1; // UCI iris.data: 4.9,3.1,1.5,0.1
    d.X[37 * 4 + 2] = 1.5;
    expect(() => checkIris(d)).toThrow(/column 2 \(sepal_width\): expected mean 3\.0573333333333\d* \(= 458\.6\/150\), got 3\.054/);
  });

  it('rejects wrong class counts and wrong order', () => {
    const d = good();
    d.y[0] = 1;
    expect(() => checkIris(d)).toThrow(/expected 50 setosa rows, got 49; expected 50 versicolor rows, got 51/);
    const e = good();
    e.y[0] = 1;
    e.y[50] = 0;
    expect(() => checkIris(e)).toThrow(/row 1: expected setosa \(standard order/);
  });

  it('rejects a tiny perturbation above 1e-12 in a mean', () => {
    const d = good();
    d.X[0] += 1e-9;
    expect(() => checkIris(d)).toThrow(/sepal_length: expected mean/);
  });
});
