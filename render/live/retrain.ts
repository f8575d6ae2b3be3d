// Training the lesson's short runs again on the reader's numbers, off the page's thread. The
// worker is this same script (its source handed over as a Blob: a page opened from disk may not
// load a worker from a file), and it runs the build's own ::train evaluate: each run and its two
// reruns perturbed by one ulp, so the page prints only the digits that survive, as the build
// does. What it sends back are the results, keyed as the build's cache keys them; the page then
// evaluates its run blocks against them (notebook.ts) and trains nothing itself.
import type { Cache, TrainResult } from '../../src/lesson/train-run.ts';
import { liveContext, type LivePayload } from '../../src/live.ts';
import { evaluateBlock } from './notebook.ts';

/** What the page asks: the payload once, then the reader's numbers, each a job. */
type Request = { payload: LivePayload } | { job: number; edits: [string, number][] };
/** What the worker says: how far a run has got, the results, or why it stopped. */
export type Report = { job: number; progress: string } | { job: number; results: [string, TrainResult][] } | { job: number; error: string };

interface Scope {
  onmessage: ((e: MessageEvent<Request>) => void) | null;
  postMessage(report: Report): void;
}

/** The worker's side: every ::train the page may train again, evaluated on the reader's numbers with a cache that keeps what it trains. */
export function serveTraining(scope: Scope): void {
  let payload: LivePayload | undefined;
  scope.onmessage = ({ data }) => {
    if ('payload' in data) return void (payload = data.payload);
    const { job } = data;
    const results = new Map<string, TrainResult>();
    let said = 0;
    const progress = (label: string, done: number, total: number) => {
      // A few words a tenth of a second, not one a chunk.
      if (done < total && performance.now() - said < 100) return;
      said = performance.now();
      scope.postMessage({ job, progress: `${label.replace(/^page: /, '')}: ${done.toLocaleString('en')} of ${total.toLocaleString('en')}` });
    };
    try {
      const lesson = liveContext(payload!, new Map(data.edits), { cache: { get: (k) => results.get(k), set: (k, v) => void results.set(k, v) }, progress });
      for (const block of payload!.blocks) if (block.retrain && block.name === 'train') evaluateBlock(block, lesson);
      scope.postMessage({ job, results: [...results] });
    } catch (e) {
      scope.postMessage({ job, error: (e as Error).message });
    }
  };
}

/** The page's side of a cache the worker filled: a run it did not train is not trained here (the page's thread would stop for it). */
export class NotTrained extends Error {}
export function trainedCache(results: [string, TrainResult][]): Cache {
  const known = new Map(results);
  return {
    get: (key) => {
      const r = known.get(key);
      if (!r) throw new NotTrained('not trained in the page');
      return r;
    },
    set: () => {},
  };
}

/**
 * The page's trainer: one worker, one job at a time; a newer job ends an older one (the worker
 * is stopped and started again, as a run cannot be interrupted between its steps).
 */
export class Training {
  private worker?: Worker;
  private url?: string;
  private job = 0;
  private busy = false;

  constructor(private readonly payload: LivePayload, private readonly source: string) {}

  start(edits: ReadonlyMap<string, number>, progress: (text: string) => void, done: (results: [string, TrainResult][] | Error) => void): void {
    const job = ++this.job;
    if (this.busy) this.stop();
    try {
      this.worker ??= this.spawn();
    } catch (e) {
      return void done(new Error(`this browser would not start a worker to train in (${(e as Error).message})`));
    }
    this.busy = true;
    this.worker.onmessage = ({ data }: MessageEvent<Report>) => {
      if (data.job !== job) return;
      if ('progress' in data) return progress(data.progress);
      this.busy = false;
      done('results' in data ? data.results : new Error(data.error));
    };
    this.worker.onerror = (e) => {
      this.busy = false;
      this.stop();
      done(new Error(e.message || 'the worker stopped'));
    };
    this.worker.postMessage({ job, edits: [...edits] } satisfies Request);
  }

  /** Ends whatever is being trained. */
  stop(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.busy = false;
  }

  private spawn(): Worker {
    this.url ??= URL.createObjectURL(new Blob([this.source], { type: 'text/javascript' }));
    const worker = new Worker(this.url);
    worker.postMessage({ payload: this.payload } satisfies Request);
    return worker;
  }
}
