/**
 * The protocol checker behind `npx bigpipe-js check <url>`: fetches a page, reads its body chunk by chunk and reports
 * whether it follows PROTOCOL.md, and when each chunk arrived. checkStream() is the whole check, without the network;
 * checkUrl() feeds it a real response; main() is the command line (bin/bigpipe-js.mjs).
 * No Node imports: fetch, TextDecoder and performance are Web APIs (Node >= 18).
 */
export { main, USAGE } from './cli';
export { BROWSER_AGENT, checkUrl } from './fetch';
export { formatReport } from './format';
export { END_WINDOW_MS, LONG_MS } from './rules';
export { checkStream } from './stream';
export type { Arrival, CheckOptions, ChunkReport, Finding, Report, ResponseInfo, UrlReport } from './types';
