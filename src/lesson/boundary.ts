// The decision regions of a trained classifier with two inputs: its predicted class on a grid
// that covers the data with a margin, as the tutorials' plot_decision_boundary does.
import type { Network } from '../network.ts';
import { Trainer } from '../trainer.ts';

export interface DecisionGrid {
  x0: number; x1: number; y0: number; y1: number;
  cols: number; rows: number;
  /** class per cell, row by row from y0 upwards */
  classes: Uint8Array;
}

export interface PlotBox {
  x0: number; x1: number; y0: number; y1: number;
}

/** The box around n points in the plane with a margin of 0.5, as plot_decision_boundary draws. */
export function plotBox(X: Float64Array, n: number): PlotBox {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    x0 = Math.min(x0, X[2 * i]); x1 = Math.max(x1, X[2 * i]);
    y0 = Math.min(y0, X[2 * i + 1]); y1 = Math.max(y1, X[2 * i + 1]);
  }
  return { x0: x0 - 0.5, x1: x1 + 0.5, y0: y0 - 0.5, y1: y1 + 0.5 };
}

/** The class a row of outputs predicts: the largest output, or output > 0.5 for a single one. */
export function predictedClass(out: ArrayLike<number>, row: number, K: number): number {
  if (K === 1) return out[row] > 0.5 ? 1 : 0;
  let k = 0;
  for (let j = 1; j < K; j++) if (out[row * K + j] > out[row * K + k]) k = j;
  return k;
}

export function decisionGrid(net: Network, X: Float64Array, n: number, cols = 140, rows = 100): DecisionGrid {
  if (net.sizes[0] !== 2) throw new RangeError(`a decision boundary needs a model with 2 inputs, not ${net.sizes[0]}`);
  const { x0, x1, y0, y1 } = plotBox(X, n);
  const K = net.sizes[net.sizes.length - 1];
  const trainer = new Trainer(net, cols);
  const row = new Float64Array(cols * 2);
  const classes = new Uint8Array(cols * rows);
  for (let r = 0; r < rows; r++) {
    const y = y0 + ((r + 0.5) / rows) * (y1 - y0);
    for (let c = 0; c < cols; c++) {
      row[2 * c] = x0 + ((c + 0.5) / cols) * (x1 - x0);
      row[2 * c + 1] = y;
    }
    const out = trainer.forward(row, 0, cols);
    for (let c = 0; c < cols; c++) classes[r * cols + c] = predictedClass(out, c, K);
  }
  return { x0, x1, y0, y1, cols, rows, classes };
}
