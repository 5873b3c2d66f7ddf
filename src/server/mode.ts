import { isbot } from 'isbot';
import { escapeAttribute } from './serialize';

/**
 * What pickMode reads of a request: a Node IncomingMessage, a Web Request, Hono's `c.req` (`header()` and `raw`),
 * or anything with `headers` (and `url` for the query).
 */
export interface RequestLike {
  url?: string;
  headers?: { get(name: string): string | null } | Record<string, string | string[] | undefined>;
  header?(name: string): string | undefined;
  raw?: { headers: { get(name: string): string | null } };
}

const header = (request: RequestLike, name: string): string => {
  const { headers } = request.raw ?? request;
  const value =
    typeof headers?.get === 'function'
      ? headers.get(name)
      : headers
        ? (headers as Record<string, unknown>)[name]
        : typeof request.header === 'function'
          ? request.header(name)
          : undefined;
  return Array.isArray(value) ? value.join('; ') : String(value ?? '');
};

/** The `bigpipe` query parameter of a URL or of a path with a query; URLSearchParams never throws. */
const queryParameter = (url: string): string | null => {
  const hash = url.indexOf('#');
  const path = hash < 0 ? url : url.slice(0, hash);
  const start = path.indexOf('?');
  return start < 0 ? null : new URLSearchParams(path.slice(start + 1)).get('bigpipe');
};

/**
 * 'inline' for crawlers (by User-Agent, with isbot) and for requests that opt out of JavaScript with the query
 * `?bigpipe=inline` or the cookie `bigpipe=inline` (what noscriptRedirect() leads to); otherwise 'pipeline'.
 * Never throws: a request it cannot read (a request line that is no URL, odd headers) gets 'pipeline'.
 */
export function pickMode(request: RequestLike): 'pipeline' | 'inline' {
  try {
    const optedOut =
      queryParameter(String(request.url ?? '')) === 'inline' ||
      /(?:^|;)\s*bigpipe=inline\s*(?:;|$)/.test(header(request, 'cookie'));
    return optedOut || isbot(header(request, 'user-agent')) ? 'inline' : 'pipeline';
  } catch {
    return 'pipeline';
  }
}

// Resolving against a base that no request can name tells a same-origin reference from one that leaves the page.
const BASE = 'http://bigpipe.invalid';

/**
 * For the head of a pipeline-mode page: browsers without JavaScript reload it in inline mode. Pass the request's
 * URL (path and query) to keep its path and query; without it the reload goes to `?bigpipe=inline` of the same
 * page. The target never leaves the page's origin, whatever it is given: anything that would (`//host`, `/\host`,
 * `http://host/`, `javascript:`) or cannot be parsed reloads `/` instead, and the path always starts with one `/`.
 */
export function noscriptRedirect(url = ''): string {
  let target = '?bigpipe=inline';
  if (url) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(String(url), BASE + '/');
    } catch {
      // not a URL at all: the site's root
    }
    const same = parsed?.origin === BASE;
    // The parser has removed tabs and newlines, turned `\` into `/` and percent-encoded the rest; several leading
    // slashes would make a network-path reference (`//host`), so they become one.
    const path = same ? parsed!.pathname.replace(/^\/+/, '/') : '/';
    const search = same ? parsed!.search : '';
    target = path + (search ? search + '&' : '?') + 'bigpipe=inline' + (same ? parsed!.hash : '');
  }
  return `<noscript><meta http-equiv="refresh" content="0;url=${escapeAttribute(target)}"></noscript>`;
}
