// Offsets in a lesson's text → 1-based line and column. Every position the compiler reports
// (front matter, tokens, arguments, KaTeX errors, the number lint) is an offset into the same
// normalised text, turned into line:col here and nowhere else.

export interface Position {
  line: number;
  col: number;
}

export class SourceMap {
  /** offset of the first character of each line */
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  position(offset: number): Position {
    const at = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0, hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= at) lo = mid;
      else hi = mid - 1;
    }
    // Columns count characters as a reader does: a character outside the BMP is one, not two.
    let col = 1;
    for (let i = this.starts[lo]; i < at; i++) {
      const c = this.text.charCodeAt(i);
      if (c < 0xdc00 || c > 0xdfff) col++;
    }
    return { line: lo + 1, col };
  }
}
