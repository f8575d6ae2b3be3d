// The live notebook: the page's script. It reads what the build handed it (the lesson's models
// and where each directive stands), lists the numbers a reader may change, and on every change
// recomputes the page in place (notebook.ts). Without it the page is the static build, complete.
import type { LessonContext } from '../../src/lesson/directive.ts';
import { crossCheck, editables, liveContext, type Editable, type LivePayload } from '../../src/live.ts';
import { escapeHtml } from '../html.ts';
import { ADDED_ATTRIBUTES, ADDED_CLASSES, linkNodes } from './links.ts';
import { exercises } from './exercise.ts';
import { blockOf, math, Notebook, remember, renderBlock, renderValue, type Recomputed } from './notebook.ts';
import { serveTraining, Training } from './retrain.ts';
import { scrubCurves } from './scrubber.ts';
import { stepper } from './stepper.ts';

/** A number as a reader writes one: decimal, with an optional exponent (no hex, no separators). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** The reader's numbers in the address (?i1=0.05&lr=0.8), so a changed page can be shared; and the keys it could not use. */
function editsFromAddress(list: Editable[]): { edits: Map<string, number>; ignored: string[] } {
  const edits = new Map<string, number>();
  const ignored: string[] = [];
  const byKey = new Map(list.map((e) => [e.key, e]));
  for (const [key, raw] of new URLSearchParams(location.search)) {
    const e = byKey.get(key);
    const v = DECIMAL.test(raw.trim()) ? Number(raw) : NaN;
    if (!e || !Number.isFinite(v) || (e.kind === 'lr' && v <= 0)) ignored.push(key);
    else if (v !== e.value) edits.set(key, v);
  }
  return { edits, ignored };
}

function addressOf(edits: ReadonlyMap<string, number>): string {
  const query = new URLSearchParams([...edits].map(([k, v]) => [k, String(v)]));
  return `${location.pathname}${edits.size ? `?${query}` : ''}${location.hash}`;
}

/** Every number has a slider: inputs and targets over [0, 1] (or twice their size), weights and biases over ±2 (or twice theirs), the learning rate up to four times the lesson's. */
function range(e: Editable): [number, number] {
  const wide = 2 * Math.abs(e.value);
  // A learning rate from a two-hundredth of four times the lesson's to four times it: above 0, and fine enough for 0.001.
  if (e.kind === 'lr') return [e.value / 50, 4 * e.value];
  if (e.kind === 'param') return [-Math.max(2, wide), Math.max(2, wide)];
  return [Math.min(0, -wide), Math.max(1, wide)];
}

function panelHtml(list: Editable[]): string {
  const groups: [Editable['kind'], string][] = [['input', 'Inputs'], ['target', 'Targets'], ['param', 'Weights and biases'], ['lr', 'Learning rate']];
  const field = (e: Editable) => {
    const [lo, hi] = range(e);
    const id = `live-${e.key.replace(/[^\w-]/g, '_')}`;
    // The arrow keys step by a hundredth of the slider's range; any number may be typed.
    const step = Number(((hi - lo) / 200).toPrecision(1));
    return `<div class="live-field"><label for="${id}">${math.render(e.tex, false)}</label><input id="${id}" type="number" step="${step}" inputmode="decimal" value="${e.value}" data-key="${escapeHtml(e.key)}" aria-describedby="live-status"><input type="range" min="${lo}" max="${hi}" step="any" value="${e.value}" data-key="${escapeHtml(e.key)}" aria-label="${escapeHtml(e.key)}, slider"></div>`;
  };
  const body = groups.map(([kind, title]) => [title, list.filter((e) => e.kind === kind)] as const).filter(([, l]) => l.length)
    .map(([title, l]) => `<fieldset><legend>${title}</legend>${l.map(field).join('')}</fieldset>`).join('');
  return `<details class="live-panel" data-live-ui><summary>Change the numbers <span class="live-count"></span></summary><div class="live-bar"><button type="button" class="live-reset">Reset to the lesson's numbers</button><p class="live-status" id="live-status" role="status"></p></div><p class="live-help">Every number worked out on the page follows yours: the forward pass, each derivation, the updates, the tables and figures. What the page cannot work out again says so where it stands: a source's figures (printed for the lesson's numbers) and the training runs (trained from them).</p><div class="live-fields">${body}</div></details>`;
}

/** The reader's gradients cross-checked as the build checks the lesson's, in words for the status line. */
function checked(lesson: LessonContext): string {
  const c = crossCheck(lesson.models.get('main')!, lesson.traced);
  return c.ok
    ? `The page shows your numbers. Their ${c.rows - 1} gradients agree with the vectorised trainer and with finite differences, as the lesson's do.`
    : `The page shows your numbers, but the vectorised trainer or finite differences disagree with the tracer on ${c.failing.join(', ')}: at these numbers the step is not to be trusted.`;
}

/** What the reader changed, above the lesson and on paper (the panel does not print), and what that means for its words. */
function changesNote(list: Editable[], edits: ReadonlyMap<string, number>): string {
  const changed = list.filter((e) => edits.has(e.key)).map((e) => `${e.key} = ${edits.get(e.key)} (the lesson's: ${e.value})`);
  return changed.length ? `With your numbers: ${changed.join(', ')}. The worked numbers follow them; the lesson's sentences were written for its own numbers, and one about them may not hold for yours.` : '';
}

/**
 * Where the page, as it stands, shows something other than the engine renders afresh for the
 * numbers it shows (the lesson's own: what the static build wrote): each block and {{…}}
 * rendered again and compared as the browser parses both. Empty on a sound page; the browser
 * tests ask for it, before and after a change (so the patched page is checked too).
 */
function selfCheck(p: LivePayload, main: HTMLElement, edits: ReadonlyMap<string, number>): string[] {
  /** The block without what the notebook's links and stepper add to the graph's boxes. */
  const asBuilt = (el: HTMLElement) => {
    const copy = el.cloneNode(true) as HTMLElement;
    copy.querySelectorAll('svg.graph [data-node], svg.graph [data-edge]').forEach((e) => {
      e.classList.remove(...ADDED_CLASSES);
      for (const a of ADDED_ATTRIBUTES) e.removeAttribute(a);
    });
    return copy;
  };
  const lesson = liveContext(p, edits);
  const parsed = document.createElement('template');
  const differ: string[] = [];
  main.querySelectorAll<HTMLElement>('[data-live]').forEach((el) => {
    const block = blockOf(p, el);
    if (block.stale) return;
    parsed.innerHTML = renderBlock(block, lesson);
    if (parsed.innerHTML !== asBuilt(el).innerHTML) differ.push(`::${block.name} ${block.args.map((a) => (a.key ? `${a.key}=${a.value}` : a.value)).join(' ')}`);
  });
  main.querySelectorAll<HTMLElement>('[data-value]').forEach((el) => {
    const html = renderValue(p.values[Number(el.dataset.value)], lesson);
    if (html === undefined || el.classList.contains('is-stale')) return;
    parsed.innerHTML = html;
    if (parsed.innerHTML !== (edits.size ? el.innerHTML : (el.dataset.static ?? el.innerHTML))) differ.push(`{{${p.values[Number(el.dataset.value)].map((a) => a.value).join(' ')}}}`);
  });
  return differ;
}

function start(): void {
  const data = document.getElementById('chainbook-live');
  if (!data) return;
  const p = JSON.parse(data.textContent!) as LivePayload;
  const list = editables(p);
  const byKey = new Map(list.map((e) => [e.key, e]));
  const main = document.querySelector<HTMLElement>('main.lesson')!;
  main.insertAdjacentHTML('afterbegin', panelHtml(list));
  const panel = main.querySelector<HTMLDetailsElement>('.live-panel')!;
  panel.insertAdjacentHTML('afterend', '<p class="live-changes" hidden></p>');
  const printed = panel.nextElementSibling as HTMLElement;
  const status = panel.querySelector<HTMLElement>('.live-status')!;
  const count = panel.querySelector<HTMLElement>('.live-count')!;
  const fromAddress = editsFromAddress(list);
  let edits = fromAddress.edits;
  /** fields holding something that is not a number: their message stays until they do */
  const invalid = new Map<string, string>();
  // Before the stepper and scrubbers are added: the notebook keeps the run blocks as the build wrote them.
  const notebook = new Notebook(p);
  const links = linkNodes(main);
  const steps = stepper(main, math, p.decimals);
  const asked = exercises(main, p, () => edits);
  scrubCurves(main, (k) => p.blocks[k]?.name === 'curve');

  const show = () => {
    for (const input of panel.querySelectorAll<HTMLInputElement>('input[data-key]')) {
      const e = byKey.get(input.dataset.key!)!;
      const v = edits.get(e.key) ?? e.value;
      if (document.activeElement !== input || input.type === 'range') input.value = String(v);
      input.closest('.live-field')!.classList.toggle('changed', edits.has(e.key));
    }
    count.textContent = edits.size ? `(${edits.size} changed)` : '';
  };
  // The worker is this script again: the bundle is one function (cli/live-bundle.ts) whose source is its own.
  const training = notebook.retrains ? new Training(p, `(${chainbookLive})()`) : undefined;
  let trainingSoon = 0;
  /** the status line's word on the reader's numbers, which the training's is added to */
  let verdict = '';
  /** which training is the page's latest: an older one's results (or progress) are not for the numbers shown */
  let trainingJob = 0;
  /** The runs trained again on the reader's numbers once they pause (a slider's every step would start a run over); none: stop. */
  const retrain = (why?: string) => {
    clearTimeout(trainingSoon);
    const job = ++trainingJob;
    if (!training) return;
    if (!edits.size || why) {
      training.stop();
      if (why && edits.size) {
        notebook.retrained(edits, new Error(why));
        root.dataset.chainbookTraining = 'failed';
      } else delete root.dataset.chainbookTraining;
      return;
    }
    // The numbers as they are now: the panel changes its map in place.
    const these = new Map(edits);
    root.dataset.chainbookTraining = 'working';
    trainingSoon = window.setTimeout(() => {
      training.start(these, (progress) => job === trainingJob && notebook.training(progress), (results) => {
        if (job !== trainingJob) return;
        notebook.retrained(these, results);
        root.dataset.chainbookTraining = results instanceof Error ? 'failed' : 'done';
        say(`${verdict} ${results instanceof Error ? `The runs could not be trained again: ${results.message}` : 'The training runs were trained again on them.'}`);
      });
    }, 300);
  };
  const waiting: ((r: Recomputed) => void)[] = [];
  const root = document.documentElement;
  /** what the address held that the page could not use: said until the reader changes something */
  let notice = fromAddress.ignored.length ? `Not numbers of this lesson, so left out of the address: ${fromAddress.ignored.map((k) => k.slice(0, 40)).join(', ')}.` : '';
  const say = (text: string) => {
    status.textContent = invalid.size ? [...invalid.values()].join(' ') : [notice, text].filter(Boolean).join(' ');
  };
  const settle = (r: Recomputed) => {
    root.dataset.chainbookState = 'done';
    for (const resolve of waiting.splice(0)) resolve(r);
  };
  const apply = () => {
    root.dataset.chainbookState = 'working';
    try {
      const r = notebook.recompute(edits, (done) => {
        verdict = done.error ? `These numbers cannot be stepped: ${done.error}` : edits.size ? checked(done.lesson) : '';
        say(verdict);
        if (!done.error) retrain();
        links.refresh();
        asked.refresh();
        // After the redraw: Chromium takes milliseconds to rewrite an address.
        const address = addressOf(edits);
        if (address !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, '', address);
        settle(done);
      });
      steps?.refresh(r.lesson.models.get('main')!.trace);
      root.dataset.chainbookEdits = String(edits.size);
      printed.textContent = changesNote(list, edits);
      printed.hidden = edits.size === 0;
    } catch (e) {
      // Numbers that overflow the step, say: the page, and its address, keep what they last showed.
      say(`These numbers cannot be stepped: ${(e as Error).message}. The page still shows the last numbers that could.`);
      retrain('these numbers cannot be stepped');
      settle({ lesson: undefined as unknown as LessonContext, visible: 0, complete: 0, error: (e as Error).message });
    }
    show();
  };
  let pending = 0;
  panel.addEventListener('input', (event) => {
    const input = event.target as HTMLInputElement;
    const e = byKey.get(input.dataset.key ?? '');
    if (!e) return;
    notice = '';
    const v = input.value.trim() === '' || input.validity.badInput ? NaN : Number(input.value);
    if (!Number.isFinite(v) || (e.kind === 'lr' && v <= 0)) {
      invalid.set(e.key, e.kind === 'lr' && Number.isFinite(v) ? 'lr: expected a learning rate above 0, as the build does.' : `${e.key}: expected a number, like ${e.value} (with a point, not a comma).`);
      say('');
      return;
    }
    invalid.delete(e.key);
    if (v === e.value) edits.delete(e.key);
    else edits.set(e.key, v);
    // One recompute a frame, however fast a slider moves.
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(apply);
  });
  // Escape closes the panel, and leaves focus on its summary.
  panel.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || !panel.open) return;
    panel.open = false;
    panel.querySelector('summary')!.focus();
  });
  panel.querySelector('.live-reset')!.addEventListener('click', () => {
    edits = new Map();
    invalid.clear();
    apply();
  });
  // A number the lesson declares, clicked where it appears in the math: its field in the panel.
  main.addEventListener('click', (event) => {
    const key = (event.target as Element).closest<HTMLElement>('.katex [data-node]')?.dataset.node;
    const e = key === undefined ? undefined : byKey.get(key);
    if (!e) return;
    panel.open = true;
    panel.querySelector<HTMLInputElement>(`input[type=number][data-key="${CSS.escape(e.key)}"]`)?.focus();
  });
  if (notice) {
    panel.open = true;
    say('');
  }
  if (edits.size) {
    panel.open = true;
    apply();
  } else {
    show();
    const lesson = liveContext(p, edits);
    steps?.refresh(lesson.models.get('main')!.trace);
    // The first change then rewrites numbers instead of parsing the page's math again.
    setTimeout(() => remember(p, lesson), 0);
  }
  document.documentElement.dataset.chainbookLive = 'ready';
  // For the benchmark and the browser tests: set numbers as the panel would, and hear when the page has followed.
  const change = (values: Record<string, number>) => new Promise<Recomputed>((resolve) => {
    edits = new Map(Object.entries(values).filter(([k, v]) => byKey.has(k) && v !== byKey.get(k)!.value && !(k === 'lr' && v <= 0)));
    waiting.push(resolve);
    apply();
  });
  (window as unknown as { chainbookLive: object }).chainbookLive = { change, selfCheck: () => selfCheck(p, main, edits) };
}

/** The bundle itself, one named function (cli/live-bundle.ts): the worker's source. */
declare const chainbookLive: () => void;

// In the page, the notebook; in the worker the page starts, the trainer.
if (typeof document === 'undefined') serveTraining(self as unknown as Parameters<typeof serveTraining>[0]);
else start();
