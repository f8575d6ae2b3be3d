// Training the lesson's short runs again on the reader's numbers, off the page's thread. The
// worker is this same script (its source handed over as a Blob: a page opened from disk may not
// load a worker from a file), and it runs the build's own ::train evaluate: each run and its two
// reruns perturbed by one ulp, so the page prints only the digits that survive, as the build
// does. What it sends back are the results, keyed as the build's cache keys them; the page then
// evaluates its run blocks against them (notebook.ts) and trains nothing itself.
import type { Cache, TrainResult } from '../../src/lesson/train-run.ts';
import { liveContext, type LivePayload } from '../../src/live.ts';
import { count } from '../runs.ts';
import { evaluateBlock } from './notebook.ts';

/** What the page asks: the payload once, then the reader's numbers, each a job. */
type Request = { payload: LivePayload } | { job: number; edits: [string, number][] };
/** How far a run has got: which (its ::train name), and in words. */
export interface Progress {
  run: string;
  text: string;
}
/** What the worker says: how far a run has got, the results, or why it stopped. */
export type Report = { job: number; progress: Progress } | ({ job: number } & Trained) | { job: number; error: string };

/** What a job trained: the results, keyed as the build's cache keys them, and each run that could not be trained on these numbers, with why. */
export interface Trained {
  results: [string, TrainResult][];
  failed: [string, string][];
}

/** Why a run could not be trained on the reader's numbers, in the reader's words (not the author's remedy). */
function forReader(message: string): string {
  if (/declared to diverge/.test(message)) return 'with your numbers it no longer turns NaN, as the lesson says it does';
  return message.replace(/^\S+: /, '').replace(/,? or declare that it does with ::train … diverges/, '').replace(/\(try a smaller learning rate\)/, '(a smaller learning rate may train it)');
}

interface Scope {
  onmessage: ((e: MessageEvent<Request>) => void) | null;
  postMessage(report: Report): void;
}

/** The worker's side: every ::train the page may train again, evaluated on the reader's numbers with a cache that keeps what it trains. */
export function serveTraining(scope: Scope): void {
  let payload: LivePayload | undefined;
  /** the runs counted in epochs (per-sample SGD), for the progress's words */
  let epochs = new Set<string>();
  scope.onmessage = ({ data }) => {
    if ('payload' in data) {
      payload = data.payload;
      epochs = new Set(payload.blocks.filter((b) => b.name === 'train' && b.args.some((a) => a.key === 'epochs')).map((b) => b.args[0].value));
      return;
    }
    const { job } = data;
    const results = new Map<string, TrainResult>();
    let said = 0;
    /** each run's reruns so far: its progress starts again from 0 for each */
    const reruns = new Map<string, number>();
    let last = { label: '', done: 0 };
    const progress = (label: string, done: number, total: number) => {
      const run = label.replace(/^page: /, '').replace(/ \(perturbed\)$/, '');
      const rerun = label.endsWith('(perturbed)');
      if (rerun && (last.label !== label || done < last.done)) reruns.set(run, (reruns.get(run) ?? 0) + 1);
      last = { label, done };
      // A few words a tenth of a second, not one a chunk.
      if (performance.now() - said < 100) return;
      said = performance.now();
      const pass = rerun ? `rerun ${reruns.get(run)} of 2` : 'the run';
      scope.postMessage({ job, progress: { run, text: `${pass}, ${count(done)} of ${count(total)} ${epochs.has(run) ? 'epochs' : 'iterations'}` } });
    };
    try {
      const lesson = liveContext(payload!, new Map(data.edits), { cache: { get: (k) => results.get(k), set: (k, v) => void results.set(k, v) }, progress });
      // Run by run: one that diverges on these numbers is that run's result, not every block's.
      const failed: [string, string][] = [];
      for (const block of payload!.blocks) {
        if (!block.retrain || block.name !== 'train') continue;
        try {
          evaluateBlock(block, lesson);
        } catch (e) {
          failed.push([block.args[0].value, forReader((e as Error).message)]);
        }
      }
      scope.postMessage({ job, results: [...results], failed });
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

  start(edits: ReadonlyMap<string, number>, progress: (p: Progress) => void, done: (trained: Trained | Error) => void): void {
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
      done('results' in data ? { results: data.results, failed: data.failed } : new Error(data.error));
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
