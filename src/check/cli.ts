/** The command line, `bigpipe-js check <url> [options]` (bin/bigpipe-js.mjs). */
import { badOption, checkUrl, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT } from './fetch';
import { formatReport } from './format';
import type { CheckOptions, UrlReport } from './types';

export const USAGE = `usage: bigpipe-js check <url> [--timeout <ms>] [--max-bytes <n>] [--user-agent <string>] [--strict]

Fetches the page and reports, chunk by chunk, whether it follows the bigpipe-js protocol v1 (PROTOCOL.md).
  --timeout <ms>        give up on the body after this long (default ${DEFAULT_TIMEOUT}; Infinity for never)
  --max-bytes <n>       stop reading the body after this many bytes, decompressed, and fail
                        (default ${DEFAULT_MAX_BYTES}, 32 MiB)
  --user-agent <ua>     the User-Agent to send (default: a desktop browser's, so crawler detection stays out)
  --strict              fail on warnings too
Redirects within the origin are followed (up to 10); one to another origin is reported as an error, not followed.
Exit code: 0 when the page follows the protocol, 1 when it does not or cannot be fetched, 2 for a usage error.`;

const HELP = new Set(['--help', '-h', 'help']);

/**
 * The command line, `bigpipe-js check <url> [options]`; resolves to the exit code. `defaults` are checkUrl()'s
 * options under those of the command line (a clock or a fetch, for tests).
 */
export async function main(
  args: string[],
  io: { out(line: string): void; err(line: string): void },
  defaults: CheckOptions = {},
): Promise<number> {
  const usage = (problem?: string) => {
    if (problem) io.err(`bigpipe-js: ${problem}`);
    io.err(USAGE);
    return 2;
  };
  const [command, ...rest] = args;
  if (HELP.has(command!) || (command === 'check' && rest.some((arg) => HELP.has(arg)))) return (io.out(USAGE), 0);
  if (command !== 'check') return usage(command ? `unknown command "${command}"` : undefined);
  let url: string | undefined;
  const options: CheckOptions = { ...defaults };
  let strict = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--strict') strict = true;
    else if (arg === '--timeout' || arg === '--max-bytes' || arg === '--user-agent') {
      const value = rest[++i];
      if (value === undefined) return usage(`${arg} needs a value`);
      // Number('') is 0, which would pass for a value
      const number = value.trim() ? Number(value) : NaN;
      if (arg === '--user-agent') options.userAgent = value;
      else if (arg === '--timeout') options.timeout = number;
      else options.maxBytes = number;
      const bad = badOption(options);
      if (bad) return usage(`${arg} ${bad[1]}, got "${value}"`);
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
  formatReport(report, { strict }).forEach((line) => io.out(line));
  return report.ok && !(strict && report.findings.length) ? 0 : 1;
}
