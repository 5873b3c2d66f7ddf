/**
 * checkUrl(): fetches a page and feeds its body to the checker as it arrives, timing each chunk. Bounded: a byte cap
 * on the decoded body (a gzip bomb is capped after decompression), a timeout, a number of redirects, and never a
 * redirect to another origin.
 */
import { createChecker } from './stream';
import { bytesOf } from './format';
import type { CheckOptions, Finding, Redirect, ResponseInfo, UrlReport } from './types';

/** A desktop browser's User-Agent: isbot() (pickMode) takes any tool's name for a crawler. */
export const BROWSER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

export const DEFAULT_TIMEOUT = 30_000;
export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 10;
/** setTimeout's longest delay: a longer one (Infinity too) fires at once. */
const MAX_DELAY = 2 ** 31 - 1;
/** More chunks than this and the chunk table is no use (and costs memory): stop reading, as for maxBytes. */
export const MAX_CHUNKS = 100_000;

const SHOWN_HEADERS = [
  'content-type',
  'x-accel-buffering',
  'cache-control',
  'content-encoding',
  'content-length',
  'transfer-encoding',
  'location',
];

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The limit that is wrong and what it must be, if any: NaN, negative or fractional counts are mistakes. */
export function badOption(options: CheckOptions): [keyof CheckOptions, string] | undefined {
  const { timeout, maxBytes, maxRedirects } = options;
  if (timeout !== undefined && !(timeout > 0)) return ['timeout', 'must be a number of ms > 0 (or Infinity)'];
  if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes > 0))
    return ['maxBytes', 'must be a whole number of bytes > 0'];
  if (maxRedirects !== undefined && !(Number.isSafeInteger(maxRedirects) && maxRedirects >= 0))
    return ['maxRedirects', 'must be a whole number >= 0'];
  return undefined;
}

const parseUrl = (href: string, base?: string | URL): URL | undefined => {
  try {
    return new URL(href, base);
  } catch {
    return undefined;
  }
};

/** Fetches `url` and checks it; rejects only when nothing could be fetched (bad URL, connection refused). */
export async function checkUrl(url: string, options: CheckOptions = {}): Promise<UrlReport> {
  const {
    timeout = DEFAULT_TIMEOUT,
    maxBytes = DEFAULT_MAX_BYTES,
    maxRedirects = DEFAULT_MAX_REDIRECTS,
    userAgent = BROWSER_AGENT,
    fetch: get = fetch,
    clock = () => performance.now(),
  } = options;
  const bad = badOption(options);
  if (bad) throw new RangeError(`${bad[0]} ${bad[1]}, got ${String(options[bad[0]])}`);
  const start = clock();
  const since = () => clock() - start;
  const controller = new AbortController();
  const expired = `no end after ${timeout} ms`;
  const timer = setTimeout(() => controller.abort(new Error(expired)), Math.min(timeout, MAX_DELAY));
  try {
    const headers = { 'user-agent': userAgent, accept: 'text/html' };
    const redirects: Redirect[] = [];
    let current = parseUrl(url);
    if (!current) throw new TypeError(`invalid URL: ${url}`);
    let response: Response;
    let stopped: string | undefined;
    // Redirects by hand: a browser would follow one to another origin, but then the report would be about a server
    // the user did not name (and a list of URLs to check could be made to fetch any host).
    for (;;) {
      response = await get(current.href, { headers, signal: controller.signal, redirect: 'manual' });
      const location = response.headers.get('location');
      if (!REDIRECTS.has(response.status) || location === null) break;
      const next = parseUrl(location, current);
      if (!next || !/^https?:$/.test(next.protocol))
        stopped = `the page redirects (${response.status}) to "${location}", which is not an http(s) URL`;
      else if (next.origin !== current.origin)
        stopped =
          `the page redirects (${response.status}) to another origin, ${next.href}: not followed. The check is of ` +
          `${current.origin}; check ${next.href} itself if that is the page you meant`;
      else if (redirects.length >= maxRedirects)
        stopped = `more than ${maxRedirects} redirects (the last to ${next.href}): stopped following them`;
      if (stopped) break;
      redirects.push({ url: current.href, status: response.status, location: next!.href });
      await response.body?.cancel().catch(() => {});
      current = next!;
    }

    const shown = SHOWN_HEADERS.flatMap((name): [string, string][] => {
      const value = response.headers.get(name);
      return value === null ? [] : [[name, value]];
    });
    const base = { url: current.href, status: response.status, headers: shown, redirects };
    if (stopped) {
      await response.body?.cancel().catch(() => {});
      const findings: Finding[] = [{ level: 'error', message: stopped }];
      return { ok: false, chunks: [], payloads: 0, findings, duration: Math.round(since()), ...base };
    }

    const info: ResponseInfo = { status: response.status, headers: response.headers, at: since() };
    const checker = createChecker();
    if (response.body) {
      const reader = response.body.getReader();
      let bytes = 0;
      let chunks = 0;
      try {
        for (let read; !(read = await reader.read()).done; ) {
          const data = read.value;
          const room = maxBytes - bytes;
          if (data.byteLength > room || ++chunks > MAX_CHUNKS) {
            if (data.byteLength > room) {
              if (room > 0) checker.push({ at: since(), data: data.subarray(0, room) });
              info.stopped = `it is larger than ${bytesOf(maxBytes)} (the maxBytes cap, --max-bytes)`;
            } else info.stopped = `it came in more than ${MAX_CHUNKS} chunks`;
            // stop the transfer (and the decompression) now, not at the end of the body
            await reader.cancel().catch(() => {});
            controller.abort();
            break;
          }
          bytes += data.byteLength;
          checker.push({ at: since(), data });
        }
      } catch (e) {
        info.cut = controller.signal.aborted ? expired : String((e as Error)?.message ?? e);
      }
    }
    const report = checker.finish(info);
    return { ...report, duration: Math.round(since()), ...base };
  } finally {
    clearTimeout(timer);
  }
}
