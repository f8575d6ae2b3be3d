// The loss over a grid of two parameters, the others held at their starting values: the error
// surface the tutorials sketch, computed from the lesson's own network and samples.
import { Trainer } from '../trainer.ts';
import type { EvaluatedModel } from './models.ts';
import type { LessonSample } from './parse.ts';

export interface LossSurface {
  names: [string, string];
  texs: [string, string];
  x0: number; x1: number; y0: number; y1: number;
  cols: number; rows: number;
  /** loss per cell, row by row from y0 upwards */
  loss: Float64Array;
  /** the parameters before and after the lesson's step */
  before: [number, number];
  after: [number, number];
}

export function lossSurface(model: EvaluatedModel, ix: [number, number], range: number, traced: LessonSample[]): LossSurface {
  const cols = 60, rows = 60;
  const probe = model.net.clone();
  const start = model.step.before;
  const X = Float64Array.from(traced.flatMap((s) => s.x)), T = Float64Array.from(traced.flatMap((s) => s.t));
  const trainer = new Trainer(probe, traced.length);
  const [a, b] = ix.map((i) => start[i]);
  const x0 = a - range, x1 = a + range, y0 = b - range, y1 = b + range;
  const loss = new Float64Array(cols * rows);
  const pa = probe.params[ix[0]], pb = probe.params[ix[1]];
  for (let r = 0; r < rows; r++) {
    probe.set(pb, y0 + ((r + 0.5) / rows) * (y1 - y0));
    for (let c = 0; c < cols; c++) {
      probe.set(pa, x0 + ((c + 0.5) / cols) * (x1 - x0));
      loss[r * cols + c] = trainer.loss(X, T, 0, traced.length);
    }
  }
  return {
    names: [pa.name, pb.name], texs: [pa.tex, pb.tex], x0, x1, y0, y1, cols, rows, loss,
    before: [a, b], after: [model.step.after[ix[0]], model.step.after[ix[1]]],
  };
}
