// The live notebook's work: the same directives' evaluate and render the build ran, run again
// on the reader's numbers, and each put back where the build put it. page.ts is the page around it.
import { DIRECTIVES } from '../../directives/registry.ts';
import { readCall, type AnyDirective, type LessonContext, type RenderContext } from '../../src/lesson/directive.ts';
import { VALUE_ARGS } from '../../src/lesson/evaluate.ts';
import { resolveQuantity } from '../../src/lesson/quantity.ts';
import type { Arg, DirectiveToken } from '../../src/lesson/syntax.ts';
import { liveContext, ownsParameters, type LiveBlock, type LivePayload } from '../../src/live.ts';
import { boxTables, figureHtml, numberedStep, proseHtml } from '../blocks.ts';
import { htmlNumber } from '../format.ts';
import { escapeHtml, markLanguages } from '../html.ts';
import { MathRenderer } from '../katex.ts';
import { forget, patchHtml, remember as rememberHtml, remembered } from './patch.ts';
import { NotTrained, trainedCache, type Progress, type Trained } from './retrain.ts';

/** The directives the page evaluates: those it runs again on every change, and those whose runs it trains again. */
const IN_PAGE = new Map(DIRECTIVES.filter((d) => d.inPage === 'live' || d.inPage?.retrain).map((d) => [d.name, d] as [string, AnyDirective]));
export const math = new MathRenderer();

/** The payload's entry for a block of the page (its data-live number). */
export const blockOf = (p: LivePayload, el: HTMLElement): LiveBlock => p.blocks[Number(el.dataset.live)];

/** A directive or {{…}} as the build read it, standing nowhere: the page's errors name no place. */
function token(type: 'directive' | 'value', args: Arg[], name = 'value'): DirectiveToken {
  return { type, name, args, offset: 0, raw: '', at: (i: number) => i } as unknown as DirectiveToken;
}

/** The page as a directive's render sees it: the same figure number and anchor as the build gave it. */
function renderContext(block: LiveBlock): RenderContext {
  return {
    display: (tex) => math.render(tex, true),
    inline: (tex) => math.render(tex, false),
    figure: (parts) => figureHtml(parts, block.figure?.id ?? '', block.figure?.label ?? ''),
    prose: (text) => proseHtml(text, math),
  };
}

const FLAGS = new Map(DIRECTIVES.map((d) => [d.name, d.args.flags ?? []]));

/** What a stale block is about, for its note: its quantity as a reader says it (∂E_o1/∂in_o1), else its directive. */
function subjectOf(block: LiveBlock): string {
  const words = block.args.filter((a) => a.key === undefined && !FLAGS.get(block.name)?.includes(a.value)).map((a) => a.value);
  if (words[0] === 'partial' && words.length === 3) return `∂${words[1]}/∂${words[2]}`;
  if (words[0] === 'grad' && words.length === 2) return `the gradient of ${words[1]}`;
  // A ::compute is known by its label (or its expression).
  return words.join(' ') || (block.args.find((a) => a.key === 'label') ?? block.args.find((a) => a.key === 'expr'))?.value || 'This figure';
}

/** What a run's block says once the page has trained it again: with what, and how its digits were chosen; or that the reader's numbers leave it as it was, and why. */
function retrainedNote(p: LivePayload, block: LiveBlock, edits: ReadonlyMap<string, number>, unchanged: boolean): string {
  const ownRate = block.args.find((a) => a.key === 'lr');
  const shipped = typeof p.dataset === 'object' ? p.dataset.spec.kind : undefined;
  if (unchanged) {
    const why = [
      ownRate && edits.has('lr') ? `it has its own learning rate, ${ownRate.value}, which the lesson sets for it (the one you changed is the traced step's)` : '',
      shipped && [...edits.keys()].some((k) => k !== 'lr' && !/^[wWb]/.test(k)) ? `it trains on the ${shipped} data set, not on the traced sample` : '',
    ].filter(Boolean);
    return `Trained again in your browser: your numbers leave ${block.name === 'train' ? 'this run' : 'these runs'} as ${block.name === 'train' ? 'it was' : 'they were'}${why.length ? `, for ${why.join(', and ')}` : ''}.`;
  }
  if (block.name !== 'train') return 'Drawn from its runs, trained again in your browser on your numbers.';
  const variant = block.args.find((a) => a.key === 'in')?.value;
  const own = variant !== undefined && ownsParameters(p.variants[variant] ?? {});
  const on = own ? `from model ${variant}'s own weights (yours are the main model's), on ${shipped ? `the ${shipped} data set` : 'your samples'}`
    : shipped ? `from your weights and biases, on the ${shipped} data set` : 'on your numbers';
  const rate = ownRate ? `at its own learning rate, ${ownRate.value}, which the lesson sets for it` : `at your learning rate, ${edits.get('lr') ?? p.lr}`;
  return `Trained again in your browser ${on}, ${rate}. Two reruns started one ulp (the smallest step a number can take) away decide its digits: only those all three share are printed.`;
}

/** A live directive's data in the reader's context: where the numbers cannot be stepped, this is what throws. */
export function evaluateBlock(block: LiveBlock, lesson: LessonContext): unknown {
  const directive = IN_PAGE.get(block.name)!;
  return directive.evaluate(readCall(token('directive', block.args, block.name), directive.name, directive.args, lesson), lesson);
}

/** Its HTML, wrapped as the build wrapped it (numbered, its tables boxed, its Chinese marked). */
export function drawBlock(block: LiveBlock, data: unknown): string {
  const html = IN_PAGE.get(block.name)!.render(data, renderContext(block));
  const wrapped = boxTables(block.step ? numberedStep(html, block.step.id, block.step.label) : html);
  return block.chinese ? markLanguages(wrapped) : wrapped;
}

/** One directive rendered again in the reader's context. */
export function renderBlock(block: LiveBlock, lesson: LessonContext): string {
  return drawBlock(block, evaluateBlock(block, lesson));
}

/** A {{…}} in the reader's context, as the build prints it; undefined where it is a run's (not recomputed). */
export function renderValue(args: Arg[], lesson: LessonContext): string | undefined {
  try {
    const call = readCall(token('value', args), 'value', VALUE_ARGS, lesson);
    if (call.keyed.has('replay')) return undefined;
    return htmlNumber(resolveQuantity(call, lesson).value, call.decimals);
  } catch {
    return undefined;
  }
}

/** Each block's HTML for the lesson's own numbers (`lesson`), rendered in slices while the page is idle: the baseline a first change patches. */
export function remember(p: LivePayload, lesson: LessonContext, root: ParentNode = document): void {
  const queue = [...root.querySelectorAll<HTMLElement>('[data-live]')].filter((el) => !blockOf(p, el).stale);
  const slice = () => {
    const until = performance.now() + SLICE_MS;
    while (queue.length && performance.now() < until) {
      const el = queue.shift()!;
      if (!remembered(el)) rememberHtml(el, renderBlock(blockOf(p, el), lesson));
    }
    if (queue.length) later(slice);
  };
  slice();
}

/** Whether a block is on the screen (or within half a screen of it): those are redrawn first. */
function nearView(el: Element): number {
  const r = (el.firstElementChild ?? el).getBoundingClientRect();
  const h = window.innerHeight;
  return r.bottom < -h / 2 ? -r.bottom : r.top > h * 1.5 ? r.top - h : 0;
}

/** How a recompute went: when what is on screen was redrawn, and when all of it was. */
export interface Recomputed {
  lesson: LessonContext;
  /** ms from the change until the blocks on screen show the new numbers */
  visible: number;
  /** ms until every block does; undefined while the rest are still being redrawn */
  complete?: number;
  /** why a block could not be drawn for these numbers */
  error?: string;
}

/** A slice of work: about a frame, long enough to get on, short enough for a slider to follow (8 ms made the whole page a third slower, in more frames). */
const SLICE_MS = 16;
/**
 * How long a change may hold the page before it yields (where the browser's own measure of a
 * long task begins): within it, the blocks off the screen follow those on it at once. Lesson 2
 * fits; slicing it from the start took half as long again, for each frame between slices costs
 * Chromium a layout and a paint. A longer lesson goes on in slices.
 */
const FIRST_MS = 50;

/** The next slice, after whatever the browser has waiting (input, a frame), without setTimeout's 4 ms clamp. */
const channel = typeof MessageChannel === 'undefined' ? undefined : new MessageChannel();
const waiting: (() => void)[] = [];
if (channel) channel.port1.onmessage = () => waiting.shift()?.();
function later(work: () => void): void {
  if (!channel) return void setTimeout(work, 0);
  waiting.push(work);
  channel.port2.postMessage(0);
}

/**
 * Redraws the page for the reader's numbers (none: the lesson's own). The models, the inline
 * values, the stale notes and the blocks on screen change at once; the rest follow in slices,
 * nearest first, and a newer change abandons what an older one had left.
 */
export class Notebook {
  private generation = 0;
  /** the page's blocks and {{…}}: the page never adds or removes one, and finding them in 1.7 MB of math is not free */
  private readonly blocks: HTMLElement[];
  private readonly values: HTMLElement[];

  /** the blocks of runs the page may train again, as the build wrote them: what a reset puts back */
  private readonly built = new Map<HTMLElement, string>();

  constructor(private readonly p: LivePayload, root: ParentNode = document) {
    this.blocks = [...root.querySelectorAll<HTMLElement>('[data-live]')];
    this.values = [...root.querySelectorAll<HTMLElement>('[data-value]')];
    for (const el of this.blocks) if (blockOf(p, el).retrain) this.built.set(el, el.innerHTML);
  }

  /** Whether the page has runs it may train again on the reader's numbers. */
  get retrains(): boolean {
    return this.built.size > 0;
  }

  /** A stale block's note (none: the block is the lesson's own again). Not one of the notebook's controls: it prints, beside what it is about. */
  private note(el: HTMLElement, text: string | undefined, retrained = false): void {
    let note = el.querySelector<HTMLElement>(':scope > .stale-note');
    if (text === undefined) return void note?.remove();
    if (!note) {
      el.insertAdjacentHTML('afterbegin', '<p class="stale-note"></p>');
      note = el.firstElementChild as HTMLElement;
    }
    note.classList.toggle('retrained', retrained);
    note.textContent = text;
  }

  /** A run's block back as the build wrote it. */
  private restore(el: HTMLElement): void {
    const built = this.built.get(el)!;
    if (el.dataset.retrained !== undefined) {
      el.innerHTML = built;
      forget(el);
      delete el.dataset.retrained;
      el.dispatchEvent(new Event('redrawn'));
    }
  }

  /**
   * Each {{…}} for the reader's numbers. A sentence speaks of one set of numbers: where one of
   * its {{…}} cannot follow the reader (a run's, not trained again), none of them does, and the
   * sentence is marked as the lesson's.
   */
  private showValues(lesson: LessonContext, changed: boolean): void {
    const { p } = this;
    const sentences = new Map<Element, { el: HTMLElement; html?: string }[]>();
    this.values.forEach((el) => {
      const original = (el.dataset.static ??= el.innerHTML);
      const html = changed ? renderValue(p.values[Number(el.dataset.value)], lesson) : original;
      const sentence = el.closest('p, li, td, dd, dt, th, h1, h2, h3, h4, figcaption') ?? el;
      const values = sentences.get(sentence) ?? [];
      values.push({ el, html });
      sentences.set(sentence, values);
    });
    for (const [sentence, values] of sentences) {
      const stale = values.some((v) => v.html === undefined);
      sentence.classList.toggle('prose-stale', stale);
      for (const { el, html } of values) {
        const shown = stale ? el.dataset.static! : html!;
        el.classList.toggle('is-stale', stale);
        if (stale) el.title = "the lesson's own numbers, like the rest of this sentence";
        else el.removeAttribute('title');
        if (el.innerHTML !== shown) el.innerHTML = shown;
      }
    }
  }

  /** What the runs' blocks say while the page trains them again: each run's block how far it has got, the rest that they wait. */
  training(progress: Progress): void {
    for (const el of this.built.keys()) {
      const block = blockOf(this.p, el);
      const mine = block.name === 'train' && block.args[0]?.value === progress.run;
      this.note(el, `${this.shows(el)} ${mine ? `Training it again on yours: ${progress.text}.` : 'Training again on yours, in the background…'}`);
    }
  }

  /**
   * The runs trained again on the reader's numbers (or why they could not be): each run's block
   * evaluated against the worker's results, as the build's against its cache, and drawn; the
   * {{…}} of those runs follow.
   */
  retrained(edits: ReadonlyMap<string, number>, trained: Trained | Error): void {
    const { p } = this;
    if (trained instanceof Error) {
      for (const el of this.built.keys()) this.note(el, `${this.shows(el)} Training again on yours stopped: ${trained.message}.`);
      return;
    }
    const failed = new Map(trained.failed);
    const lesson = liveContext(p, edits, { cache: trainedCache(trained.results) });
    for (const el of this.built.keys()) {
      const block = blockOf(p, el);
      const why = block.name === 'train' ? failed.get(block.args[0].value) : undefined;
      if (why !== undefined) {
        this.note(el, `${this.shows(el)} With your numbers this run could not be trained: ${why}.`);
        continue;
      }
      try {
        const html = drawBlock(block, evaluateBlock(block, lesson));
        // As the browser parses both: the same as the build's is a run the reader's numbers left alone.
        const parsed = document.createElement('template');
        parsed.innerHTML = html;
        const unchanged = parsed.innerHTML === this.built.get(el);
        const note = retrainedNote(p, block, edits, unchanged);
        // In place, its note included: focus and an opened table stay where the reader left them.
        patchHtml(el, `<p class="stale-note retrained">${escapeHtml(note)}</p>${html}`);
        el.dataset.retrained = '';
        el.classList.remove('is-stale');
        el.dispatchEvent(new Event('redrawn'));
        this.note(el, note, true);
      } catch (e) {
        const reason = !(e instanceof NotTrained) ? `It could not be drawn for your numbers: ${(e as Error).message}.`
          : failed.size ? `A run it draws could not be trained on your numbers: ${[...failed.values()][0]}.` : 'It draws a run too long to train in the page.';
        this.note(el, `${this.shows(el)} ${reason}`);
      }
    }
    this.showValues(lesson, true);
  }

  /** What a run's block shows while it is not the reader's: the lesson's run, or one trained on their earlier numbers. */
  private shows(el: HTMLElement): string {
    const block = blockOf(this.p, el);
    return el.dataset.retrained !== undefined ? 'Trained on your earlier numbers, not these.' : block.stale!.replace('{subject}', subjectOf(block));
  }

  recompute(edits: ReadonlyMap<string, number>, done: (r: Recomputed) => void): Recomputed {
    const generation = ++this.generation;
    const started = performance.now();
    const { p, blocks } = this;
    const lesson = liveContext(p, edits);
    // Every block's data before the page changes at all: numbers that cannot be stepped throw here, and leave the page as it was.
    const data = new Map(blocks.filter((el) => !blockOf(p, el).stale).map((el) => [el, evaluateBlock(blockOf(p, el), lesson)]));
    const changed = edits.size > 0;
    const queue: HTMLElement[] = [];
    blocks.forEach((el) => {
      const block = blockOf(p, el);
      if (!block.stale) return void queue.push(el);
      // A run trained on the reader's earlier numbers stays, marked, until it is trained on these (beside the next result, not the lesson's).
      if (block.retrain && !changed) this.restore(el);
      el.classList.toggle('is-stale', changed);
      el.classList.toggle('stale-hidden', changed && block.hide === true);
      this.note(el, changed ? this.shows(el) : undefined);
    });
    this.showValues(lesson, changed);
    // Nearest the screen first; every block waiting says so to assistive technology.
    const distance = new Map(queue.map((el) => [el, nearView(el)]));
    queue.sort((a, b) => distance.get(a)! - distance.get(b)!);
    for (const el of queue) el.setAttribute('aria-busy', 'true');
    const draw = (el: HTMLElement) => {
      patchHtml(el, drawBlock(blockOf(p, el), data.get(el)));
      el.removeAttribute('aria-busy');
    };
    const fail = (e: unknown): Recomputed => {
      // A block the engine cannot draw for these numbers: the rest stay as they were, and the page says why.
      for (const el of queue) el.removeAttribute('aria-busy');
      const failed = { ...result, complete: performance.now() - started, error: (e as Error).message };
      queueMicrotask(() => done(failed));
      return failed;
    };
    const result: Recomputed = { lesson, visible: 0 };
    try {
      while (queue.length && distance.get(queue[0]) === 0) draw(queue.shift()!);
      result.visible = performance.now() - started;
      while (queue.length && performance.now() - started < FIRST_MS) draw(queue.shift()!);
    } catch (e) {
      return fail(e);
    }
    const slice = () => {
      if (generation !== this.generation) return;
      try {
        const until = performance.now() + SLICE_MS;
        do draw(queue.shift()!);
        while (queue.length && performance.now() < until);
      } catch (e) {
        return void fail(e);
      }
      if (queue.length) later(slice);
      else done({ ...result, complete: performance.now() - started });
    };
    if (queue.length) later(slice);
    else {
      const complete = performance.now() - started;
      queueMicrotask(() => done({ ...result, complete }));
    }
    return result;
  }
}
