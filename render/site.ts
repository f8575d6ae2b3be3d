// Evaluated lessons → the site's pages, in reading order, as path → HTML. Writing them is
// the CLI's job.
import type { EvaluatedLesson } from '../src/lesson/evaluate.ts';
import { renderArticle } from './lesson.ts';
import { indexPage, lessonPage, type PageInfo } from './page.ts';

export function renderSite(lessons: EvaluatedLesson[]): Map<string, string> {
  const ordered = [...lessons].sort((a, b) => a.parsed.meta.order - b.parsed.meta.order || a.parsed.slug.localeCompare(b.parsed.slug));
  const infos: PageInfo[] = ordered.map((l) => ({ title: l.parsed.meta.title, summary: l.parsed.meta.summary, source: l.parsed.meta.source, slug: l.parsed.slug }));
  const pages = new Map<string, string>();
  ordered.forEach((lesson, i) => pages.set(`${infos[i].slug}.html`, lessonPage(infos[i], renderArticle(lesson), infos[i - 1], infos[i + 1])));
  pages.set('index.html', indexPage(infos));
  return pages;
}
