// A lesson's data set, made by the engine: scikit-learn's two moons drawn from numpy's
// RandomState, or Fisher's Iris from the CSV shipped in data/. Targets are shaped to the
// model's outputs: one-hot for one output per class, the class itself for a single output.
import { checkIris, parseIris } from '../iris.ts';
import { makeMoons } from '../moons.ts';
import { RandomState } from '../random.ts';

export interface DatasetSpec {
  /** samples: the lesson's own declared samples, for regression lessons that train on them */
  kind: 'moons' | 'iris' | 'samples';
  /** moons: how many points */
  n?: number;
  /** moons: standard deviation of the noise */
  noise?: number;
  /** moons: numpy.random.seed before make_moons */
  seed?: number;
}

export interface LessonDataset {
  spec: DatasetSpec;
  /** row-major n × inputs */
  X: Float64Array;
  /** row-major n × outputs */
  T: Float64Array;
  labels: Uint8Array;
  n: number;
  inputs: number;
  classes: number;
  classNames: string[];
}

/** Reads a file the lesson depends on (data/iris.csv): the CLI supplies it, the engine never touches the disk. */
export type ReadFile = (path: string) => string;

export function loadDataset(spec: DatasetSpec, outputs: number, readFile: ReadFile): LessonDataset {
  let X: Float64Array, labels: Uint8Array, classNames: string[];
  if (spec.kind === 'moons') {
    const moons = makeMoons(spec.n ?? 100, { noise: spec.noise, rng: new RandomState(spec.seed ?? 0) });
    X = moons.X;
    labels = moons.y;
    classNames = ['upper moon', 'lower moon'];
  } else if (spec.kind === 'iris') {
    const iris = checkIris(parseIris(readFile('data/iris.csv'), 'data/iris.csv'));
    X = iris.X;
    labels = iris.y;
    classNames = iris.classes;
  } else {
    throw new RangeError('declared samples are not loaded: use samplesDataset');
  }
  const n = labels.length, classes = classNames.length;
  if (outputs !== classes && !(outputs === 1 && classes === 2)) {
    throw new RangeError(`the ${spec.kind} data set has ${classes} classes: the model needs ${classes} outputs (one-hot)${classes === 2 ? ' or 1 (the class itself)' : ''}, not ${outputs}`);
  }
  const T = new Float64Array(n * outputs);
  for (let i = 0; i < n; i++) {
    if (outputs === 1) T[i] = labels[i];
    else T[i * outputs + labels[i]] = 1;
  }
  return { spec, X, T, labels, n, inputs: X.length / n, classes, classNames };
}

/** The lesson's declared samples as a data set: targets as given, no classes. */
export function samplesDataset(samples: { x: number[]; t: number[] }[]): LessonDataset {
  return {
    spec: { kind: 'samples' },
    X: Float64Array.from(samples.flatMap((s) => s.x)),
    T: Float64Array.from(samples.flatMap((s) => s.t)),
    labels: new Uint8Array(samples.length),
    n: samples.length,
    inputs: samples[0]?.x.length ?? 0, // none: a live page with no run to train (its data set is never read)
    classes: 0,
    classNames: [],
  };
}
