// Text into HTML and SVG without letting it become markup.
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Chinese and Japanese script, and the CJK punctuation and full-width forms between it. */
const CJK = '\\u2e80-\\u9fff\\uf900-\\ufaff\\u3000-\\u303f\\uff00-\\uffef';
const CJK_RUN = new RegExp(`[${CJK}]+(?:[\\s,.:;!?…·“”"'()（）]*[${CJK}]+)*`, 'g');

/** Whether a character is Chinese script, CJK punctuation or a full-width form: what `lang` marks and the shipped font must hold. */
const CJK_CHAR = new RegExp(`^[${CJK}]$`);
export const isCjk = (c: string): boolean => CJK_CHAR.test(c);
const ANY_CJK = new RegExp(`[${CJK}]`);
export const hasCjk = (text: string): boolean => ANY_CJK.test(text);

/**
 * Marks each run of Chinese in an HTML body's text `lang="zh-Hans"`, so a screen reader reads
 * it as Chinese and the browser picks a Chinese font. Text inside tags, SVG and math is left.
 */
export function markLanguages(html: string): string {
  if (!ANY_CJK.test(html)) return html;
  // One pass: whole SVG, MathML and <title> elements and every other tag are kept as they are;
  // what is left between them is text, where a Chinese run gets its span.
  const pattern = new RegExp(`<(svg|math|title)\\b[\\s\\S]*?<\\/\\1>|<[^>]*>|${CJK_RUN.source}`, 'g');
  return html.replace(pattern, (m) => (m.startsWith('<') ? m : `<span lang="zh-Hans">${m}</span>`));
}
