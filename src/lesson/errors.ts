// A mistake in a lesson, located where it was first seen: file, 1-based line and column,
// and what was expected. The CLI prints it as `file:line:col: message` and exits 1.

export class LessonError extends Error {
  constructor(readonly file: string, readonly line: number, readonly col: number, readonly detail: string) {
    super(`${file}:${line}:${col}: ${detail}`);
  }
}

/** 1-based line and column of a character offset in text. */
export function positionOf(text: string, offset: number): { line: number; col: number } {
  let line = 1, start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, col: offset - start + 1 };
}
