/** The report as text, for the command line. */
import { plural } from './rules';
import type { Finding, UrlReport } from './types';

/** A byte count for people: whole MiB as such. */
export const bytesOf = (n: number) =>
  n >= 1024 * 1024 && n % (1024 * 1024) === 0 ? `${n / 1024 / 1024} MiB` : `${n} bytes`;

const pad = (value: string | number, width: number) => String(value).padStart(width);

/**
 * The report as lines of text: the requests, the headers, a table of chunks with their findings, other findings, a
 * verdict. With `strict`, warnings fail the page too, and the verdict says so.
 */
export function formatReport(report: UrlReport, { strict = false } = {}): string[] {
  const lines: string[] = [];
  for (const r of report.redirects ?? []) lines.push(`GET ${r.url}`, `HTTP ${r.status} -> ${r.location}`);
  lines.push(`GET ${report.url}`, `HTTP ${report.status}`);
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
  const warned = report.findings.length - errors;
  const warnings = warned ? `, ${plural(warned, 'warning')}` : '';
  const chunks = plural(report.chunks.length, 'chunk');
  const summary = `${plural(report.payloads, 'payload')} in ${chunks}, ${report.duration} ms`;
  if (!report.ok) lines.push(`FAIL: ${plural(errors, 'error')}${warnings} (${summary})`);
  else if (strict && warned) lines.push(`FAIL (--strict): ${plural(warned, 'warning')}, no errors (${summary})`);
  else lines.push(`ok: follows the bigpipe-js protocol v1 (${summary}${warnings})`);
  return lines;
}
