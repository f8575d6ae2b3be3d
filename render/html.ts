// Text into HTML and SVG without letting it become markup.
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Chinese and Japanese script, and the CJK punctuation and full-width forms between it. */
const CJK_RUN = /[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+(?:[\s,.:;!?…·“”"'()（）]*[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+)*/g;

/**
 * Marks each run of Chinese in an HTML body's text `lang="zh-Hans"`, so a screen reader reads
 * it as Chinese and the browser picks a Chinese font. Text inside tags, SVG and math is left.
 */
export function markLanguages(html: string): string {
  let skip = 0;
  return html
    .split(/(<[^>]*>)/)
    .map((part) => {
      if (part.startsWith('<')) {
        if (/^<(svg|math|title)\b/.test(part)) skip++;
        else if (/^<\/(svg|math|title)>/.test(part)) skip--;
        return part;
      }
      return skip > 0 ? part : part.replace(CJK_RUN, (run) => `<span lang="zh-Hans">${run}</span>`);
    })
    .join('');
}
