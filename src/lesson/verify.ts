// The verify report: every gradient as the tracer, the vectorised trainer and finite
// differences give it; every quoted source figure with its verdict; every unexplained long
// decimal. Any disagreement, undeclared mismatch or lint issue is a failure.
import type { EvaluatedLesson } from './evaluate.ts';
import { formatSignificant } from './numbers.ts';

const num = (v: number | undefined) => formatSignificant(v, 12);

export function verifyReport(lessons: EvaluatedLesson[]): { text: string; failures: number } {
  const out: string[] = [];
  let failures = 0;
  for (const lesson of lessons) {
    const { file } = lesson.parsed;
    const rows: string[][] = [['quantity', 'tracer', 'trainer', 'finite diff.', 'symbolic', 'source', 'verdict']];
    for (const model of lesson.models.values()) {
      const tag = model.name === 'main' ? '' : ` [${model.name}]`;
      for (const r of model.agreement) {
        rows.push([r.quantity + tag, num(r.tracer), num(r.trainer), num(r.finiteDifference), num(r.symbolic), '', r.ok ? 'agree' : 'DISAGREE']);
        if (!r.ok) failures++;
      }
    }
    for (const c of lesson.checks) {
      const verdict = { agrees: 'agrees', erratum: 'erratum (declared)', mismatch: 'MISMATCH (undeclared)', 'erratum-not-seen': 'ERRATUM NOT SEEN', 'explanation-fails': 'EXPLANATION FAILS' }[c.verdict];
      rows.push([`${c.quantity} (line ${c.at.line})`, num(c.computed), '', '', '', c.quotedText, verdict]);
      if (!c.ok) failures++;
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    out.push(`\n${file}\n`);
    for (const r of rows) out.push(`  ${r.map((c, i) => (i === 0 || i === 6 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}\n`);
    for (const c of lesson.checks.filter((x) => !x.ok)) out.push(`${file}:${c.at.line}:${c.at.col}: ${c.quantity}: the source prints ${c.quotedText}, chainbook computes ${c.computed} (${c.verdict})\n`);
    for (const i of lesson.lint) {
      failures++;
      out.push(`${file}:${i.at.line}:${i.at.col}: number lint: ${i.text} is not a number the lesson computes or quotes (use {{…}} or ::check)\n`);
    }
  }
  out.push(`\n${failures === 0 ? 'verified' : `${failures} failure${failures === 1 ? '' : 's'}`}: ${lessons.length} lesson${lessons.length === 1 ? '' : 's'}\n`);
  return { text: out.join(''), failures };
}
