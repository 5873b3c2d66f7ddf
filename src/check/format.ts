/** The report as text, for the command line. */
import { plural } from './rules';
import type { Finding, UrlReport } from './types';

const pad = (value: string | number, width: number) => String(value).padStart(width);

/** The report as lines of text: the headers, a table of chunks with their findings, other findings, a verdict. */
export function formatReport(report: UrlReport): string[] {
  const lines = [`GET ${report.url}`, `HTTP ${report.status}`];
  for (const [name, value] of report.headers) lines.push(`  ${name}: ${value}`);
  lines.push('', `${pad('chunk', 5)} ${pad('ms', 7)} ${pad('bytes', 8)}  contents`);
  const finding = (f: Finding) => `${f.level}: ${f.message}`;
  for (const c of report.chunks) {
    lines.push(`${pad(c.index, 5)} ${pad(c.at, 7)} ${pad(c.bytes, 8)}  ${c.contents.join(', ')}`);
    for (const f of report.findings) if (f.chunk === c.index) lines.push(`${' '.repeat(24)}${finding(f)}`);
  }
  const general = report.findings.filter((f) => !f.chunk || f.chunk > report.chunks.length);
  lines.push('', ...general.map(finding));
  if (general.length) lines.push('');
  const errors = report.findings.filter((f) => f.level === 'error').length;
  const warnings = report.findings.length - errors ? `, ${plural(report.findings.length - errors, 'warning')}` : '';
  const chunks = plural(report.chunks.length, 'chunk');
  const summary = `${plural(report.payloads, 'payload')} in ${chunks}, ${report.duration} ms`;
  lines.push(
    report.ok
      ? `ok: follows the bigpipe-js protocol v1 (${summary}${warnings})`
      : `FAIL: ${plural(errors, 'error')}${warnings} (${summary})`,
  );
  return lines;
}
