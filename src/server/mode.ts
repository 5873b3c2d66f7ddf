import { isbot } from 'isbot';
import { escapeAttribute } from './serialize';

/** A Node IncomingMessage, a Web Request, or anything with `headers` (and `url` for the query). */
export interface RequestLike {
  url?: string;
  headers: { get(name: string): string | null } | Record<string, string | string[] | undefined>;
}

const header = (headers: RequestLike['headers'], name: string): string => {
  const value = typeof headers.get === 'function' ? headers.get(name) : (headers as Record<string, unknown>)[name];
  return Array.isArray(value) ? value.join('; ') : String(value ?? '');
};

/**
 * 'inline' for crawlers (by User-Agent, with isbot) and for requests that opt out of JavaScript with the query
 * `?bigpipe=inline` or the cookie `bigpipe=inline` (what noscriptRedirect() leads to); otherwise 'pipeline'.
 */
export function pickMode(request: RequestLike): 'pipeline' | 'inline' {
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams.get('bigpipe');
  const optedOut = query === 'inline' || /(?:^|;)\s*bigpipe=inline\s*(?:;|$)/.test(header(request.headers, 'cookie'));
  return optedOut || isbot(header(request.headers, 'user-agent')) ? 'inline' : 'pipeline';
}

/**
 * For the head of a pipeline-mode page: browsers without JavaScript reload it in inline mode. Pass the request's
 * URL (path and query) to keep its query; without it the reload goes to the same path with `?bigpipe=inline` only.
 */
export function noscriptRedirect(url = ''): string {
  const hash = url.indexOf('#');
  const path = hash < 0 ? url : url.slice(0, hash);
  const target = path + (path.includes('?') ? '&' : '?') + 'bigpipe=inline' + (hash < 0 ? '' : url.slice(hash));
  return `<noscript><meta http-equiv="refresh" content="0;url=${escapeAttribute(target)}"></noscript>`;
}
