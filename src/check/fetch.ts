/** checkUrl(): fetches a page and feeds its body, timed chunk by chunk, to checkStream(). */
import { checkStream } from './stream';
import type { Arrival, CheckOptions, ResponseInfo, UrlReport } from './types';

/** A desktop browser's User-Agent: isbot() (pickMode) takes any tool's name for a crawler. */
export const BROWSER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

const SHOWN_HEADERS = [
  'content-type',
  'x-accel-buffering',
  'cache-control',
  'content-encoding',
  'content-length',
  'transfer-encoding',
];

/** Fetches `url` and checks it; rejects only when nothing could be fetched (bad URL, connection refused). */
export async function checkUrl(url: string, options: CheckOptions = {}): Promise<UrlReport> {
  const { timeout = 30_000, userAgent = BROWSER_AGENT, fetch: get = fetch } = options;
  const start = performance.now();
  const since = () => performance.now() - start;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no end after ${timeout} ms`)), timeout);
  try {
    const headers = { 'user-agent': userAgent, accept: 'text/html' };
    const response = await get(url, { headers, signal: controller.signal });
    const info: ResponseInfo = { status: response.status, headers: response.headers, at: since() };
    const arrivals: Arrival[] = [];
    if (response.body) {
      const reader = response.body.getReader();
      try {
        for (let read; !(read = await reader.read()).done; ) arrivals.push({ at: since(), data: read.value });
      } catch (e) {
        info.cut = controller.signal.aborted ? `no end after ${timeout} ms` : String((e as Error)?.message ?? e);
      }
    }
    const shown = SHOWN_HEADERS.flatMap((name): [string, string][] => {
      const value = response.headers.get(name);
      return value === null ? [] : [[name, value]];
    });
    const report = checkStream(arrivals, info);
    const duration = Math.round(since());
    return { ...report, url: response.url || url, status: response.status, headers: shown, duration };
  } finally {
    clearTimeout(timer);
  }
}
