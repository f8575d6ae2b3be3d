// Evaluated lessons → the site's pages, in reading order, as path → HTML. Writing them is
// the CLI's job.
import { LessonError } from '../src/lesson/diagnostics.ts';
import type { EvaluatedLesson } from '../src/lesson/evaluate.ts';
import { renderLesson } from './lesson.ts';
import { indexPage, lessonPage, type PageInfo } from './page.ts';

/** The lessons in reading order, checked for names that would collide. */
function inOrder(lessons: EvaluatedLesson[]): { ordered: EvaluatedLesson[]; infos: PageInfo[] } {
  const ordered = [...lessons].sort((a, b) => a.parsed.meta.order - b.parsed.meta.order || a.parsed.slug.localeCompare(b.parsed.slug));
  const infos: PageInfo[] = ordered.map(({ parsed: { meta, slug } }) => ({ title: meta.title, summary: meta.summary, source: meta.source, sourceUrl: meta.sourceUrl, seed: meta.seed, needs: meta.needs, slug }));
  const seen = new Map<string, string>();
  for (const l of ordered) {
    // The site is flat: one page per lesson name, and index.html is the index.
    if (l.parsed.slug === 'index') throw new LessonError(0, 'a lesson cannot be called index: that page lists the lessons').locate(l.parsed.file, l.parsed.map);
    const other = seen.get(l.parsed.slug);
    if (other) throw new LessonError(0, `${other} has the same name: both would be ${l.parsed.slug}.html`).locate(l.parsed.file, l.parsed.map);
    seen.set(l.parsed.slug, l.parsed.file);
  }
  return { ordered, infos };
}

export function renderSite(lessons: EvaluatedLesson[]): Map<string, string> {
  const { ordered, infos } = inOrder(lessons);
  const pages = new Map<string, string>();
  ordered.forEach((lesson, i) => pages.set(`${infos[i].slug}.html`, pageOf(ordered, infos, i)));
  pages.set('index.html', indexPage(infos));
  return pages;
}

/** One lesson's page among the others (its number and neighbours), and the index: what a change to that lesson redraws. */
export function renderOne(lessons: EvaluatedLesson[], lesson: EvaluatedLesson): Map<string, string> {
  const { ordered, infos } = inOrder(lessons);
  const i = ordered.indexOf(lesson);
  return new Map([[`${infos[i].slug}.html`, pageOf(ordered, infos, i)], ['index.html', indexPage(infos)]]);
}

function pageOf(ordered: EvaluatedLesson[], infos: PageInfo[], i: number): string {
  const { html, headings, live } = renderLesson(ordered[i], i + 1);
  return lessonPage(infos[i], html, headings, { n: i + 1, of: ordered.length }, infos[i - 1], infos[i + 1], live);
}
