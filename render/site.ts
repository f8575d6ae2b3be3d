// Evaluated lessons → the site's pages, in reading order, as path → HTML. Writing them is
// the CLI's job.
import { LessonError } from '../src/lesson/diagnostics.ts';
import type { EvaluatedLesson } from '../src/lesson/evaluate.ts';
import { renderLesson } from './lesson.ts';
import { indexPage, lessonPage, type PageInfo } from './page.ts';

export function renderSite(lessons: EvaluatedLesson[]): Map<string, string> {
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
  const pages = new Map<string, string>();
  ordered.forEach((lesson, i) => {
    const { html, headings } = renderLesson(lesson, i + 1);
    pages.set(`${infos[i].slug}.html`, lessonPage(infos[i], html, headings, { n: i + 1, of: ordered.length }, infos[i - 1], infos[i + 1]));
  });
  pages.set('index.html', indexPage(infos));
  return pages;
}
