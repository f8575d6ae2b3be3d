// The verify report as text: every gradient as the tracer, the vectorised trainer, finite
// differences and mathjs give it; every quoted source figure with its verdict; then each
// diagnostic. Any disagreement, undeclared mismatch or lint issue is a failure.
import { formatDiagnostic } from '../src/lesson/diagnostics.ts';
import { lessonDiagnostics, type EvaluatedLesson } from '../src/lesson/evaluate.ts';
import { formatSignificant } from './format.ts';

const num = (v: number | undefined) => formatSignificant(v, 12);
const VERDICT = { agrees: 'agrees', erratum: 'erratum (declared)', unexplained: 'unexplained (declared)', mismatch: 'MISMATCH (undeclared)', 'declared-but-agrees': 'DECLARED BUT AGREES', 'explanation-fails': 'EXPLANATION FAILS' };

export function verifyReport(lessons: EvaluatedLesson[]): { text: string; failures: number } {
  const out: string[] = [];
  let failures = 0;
  for (const lesson of lessons) {
    const rows: string[][] = [['quantity', 'tracer', 'trainer', 'finite diff.', 'symbolic', 'source', 'verdict']];
    for (const model of lesson.models.values()) {
      const tag = model.name === 'main' ? '' : ` [${model.name}]`;
      for (const r of model.agreement) {
        rows.push([r.quantity + tag, num(r.tracer), num(r.trainer), num(r.finiteDifference), num(r.symbolic), '', r.ok ? 'agree' : 'DISAGREE']);
        if (!r.ok) failures++;
      }
    }
    for (const c of lesson.checks) rows.push([`${c.quantity} (line ${c.at.line})`, num(c.computed), '', '', '', c.quotedText, VERDICT[c.verdict]]);
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    out.push(`\n${lesson.parsed.file}\n`);
    for (const r of rows) out.push(`  ${r.map((c, i) => (i === 0 || i === 6 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}\n`);
    for (const c of lesson.checks.filter((x) => x.verdict === 'unexplained')) {
      out.push(`${formatDiagnostic({ file: lesson.parsed.file, at: c.at, message: `declared unexplained: ${c.quantity}: the source prints ${c.quotedText}, chainbook computes ${c.shown}` })}\n`);
    }
    const diagnostics = lessonDiagnostics(lesson);
    failures += diagnostics.length;
    for (const d of diagnostics) out.push(`${formatDiagnostic(d)}\n`);
  }
  out.push(`\n${failures === 0 ? 'verified' : `${failures} failure${failures === 1 ? '' : 's'}`}: ${lessons.length} lesson${lessons.length === 1 ? '' : 's'}\n`);
  return { text: out.join(''), failures };
}
