// A mistake in a lesson is a LessonError made where it is first seen, with the offset of the
// text at fault and what was expected. The file and line:col are added once, at the top of
// each stage (parse, evaluate, render), so no helper needs the lesson to report a mistake.
import type { Position, SourceMap } from './source-map.ts';

export class LessonError extends Error {
  file?: string;
  line?: number;
  col?: number;

  constructor(readonly offset: number, readonly detail: string) {
    super(detail);
  }

  /** Adds the file and line:col, once: an error located already keeps its place. */
  locate(file: string, map: SourceMap): this {
    if (this.file === undefined) {
      const at = map.position(this.offset);
      this.file = file;
      this.line = at.line;
      this.col = at.col;
      this.message = formatDiagnostic({ file, at, message: this.detail });
    }
    return this;
  }
}

/** Runs one stage of the pipeline on a lesson, locating any LessonError it throws in the lesson's file. */
export function inLesson<T>(file: string, map: SourceMap, stage: () => T): T {
  try {
    return stage();
  } catch (e) {
    if (e instanceof LessonError) throw e.locate(file, map);
    throw e;
  }
}

/** Something a lesson got wrong that does not stop the build: a quoted figure, a typed number. */
export interface Diagnostic {
  file: string;
  at: Position;
  message: string;
}

/** `file:line:col: message`, as compilers print it (and editors link it). */
export function formatDiagnostic(d: Diagnostic, severity?: 'warning'): string {
  return `${d.file}:${d.at.line}:${d.at.col}: ${severity ? `${severity}: ` : ''}${d.message}`;
}
