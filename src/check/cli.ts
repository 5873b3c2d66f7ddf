/** The command line, `bigpipe-js check <url> [options]` (bin/bigpipe-js.mjs). */
import { checkUrl } from './fetch';
import { formatReport } from './format';
import type { CheckOptions, UrlReport } from './types';

export const USAGE = `usage: bigpipe-js check <url> [--timeout <ms>] [--user-agent <string>] [--strict]

Fetches the page and reports, chunk by chunk, whether it follows the bigpipe-js protocol v1 (PROTOCOL.md).
  --timeout <ms>        give up on the body after this long (default 30000)
  --user-agent <ua>     the User-Agent to send (default: a desktop browser's, so crawler detection stays out)
  --strict              fail on warnings too
Exit code: 0 when the page follows the protocol, 1 when it does not or cannot be fetched, 2 for a usage error.`;

/** The command line, `bigpipe-js check <url> [options]`; resolves to the exit code. */
export async function main(args: string[], io: { out(line: string): void; err(line: string): void }): Promise<number> {
  const usage = (problem?: string) => {
    if (problem) io.err(`bigpipe-js: ${problem}`);
    io.err(USAGE);
    return 2;
  };
  const [command, ...rest] = args;
  if (command === '--help' || command === '-h' || command === 'help') return io.out(USAGE), 0;
  if (command !== 'check') return usage(command ? `unknown command "${command}"` : undefined);
  let url: string | undefined;
  const options: CheckOptions = {};
  let strict = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--strict') strict = true;
    else if (arg === '--timeout' || arg === '--user-agent') {
      const value = rest[++i];
      if (value === undefined) return usage(`${arg} needs a value`);
      if (arg === '--user-agent') options.userAgent = value;
      else if (Number(value) > 0) options.timeout = Number(value);
      else return usage(`--timeout must be a number of ms, got "${value}"`);
    } else if (arg.startsWith('-')) return usage(`unknown option "${arg}"`);
    else if (url) return usage('one URL at a time');
    else url = arg;
  }
  if (!url) return usage('which URL?');
  if (!/^https?:\/\//i.test(url)) url = `http://${url}`;
  let report: UrlReport;
  try {
    report = await checkUrl(url, options);
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    io.err(`bigpipe-js: cannot fetch ${url}: ${(e as Error).message}${cause ? ` (${cause})` : ''}`);
    return 1;
  }
  formatReport(report).forEach((line) => io.out(line));
  return report.ok && !(strict && report.findings.length) ? 0 : 1;
}
