/**
 * The protocol checker behind `npx bigpipe-js check <url>`: fetches a page, reads its body chunk by chunk and reports
 * whether it follows PROTOCOL.md, and when each chunk arrived. createChecker() is the whole check, fed piece by piece
 * without the network, and checkStream() runs it over recorded pieces; checkUrl() feeds it a real response, bounded;
 * main() is the command line (bin/bigpipe-js.mjs). One job per file:
 *   html.ts     reading HTML in one pass (tags, attributes, raw text, ids)
 *   payload.ts  one payload script: the call, its escaping, its JSON and fields
 *   rules.ts    the page-level rules: headers, shell, placeholders, total, timing
 *   stream.ts   the checker: pieces in, the rules applied as it goes, a report out
 *   fetch.ts    the network: redirects, timeout, byte cap, arrival times
 *   format.ts   the report as text;  cli.ts  the command line;  types.ts  the shapes
 * No Node imports: fetch, TextDecoder and performance are Web APIs (Node >= 18).
 */
export { main, USAGE } from './cli';
export { BROWSER_AGENT, checkUrl, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT } from './fetch';
export { formatReport } from './format';
export { END_WINDOW_MS, LONG_MS } from './rules';
export { checkStream, createChecker, type Checker } from './stream';
export type { Arrival, CheckOptions, ChunkReport, Finding, Redirect, Report, ResponseInfo, UrlReport } from './types';
