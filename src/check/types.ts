/** The checker's shapes: what it reads (arrivals, the response) and what it reports. */

/** One piece of the body as it arrived: `at` is ms since the request was sent. */
export interface Arrival {
  at: number;
  data: Uint8Array | string;
}

/** What the checker needs of the HTTP response; without it the HTTP checks are skipped. */
export interface ResponseInfo {
  status: number;
  headers: { get(name: string): string | null };
  /** ms since the request when the headers arrived */
  at?: number;
  /** why the body did not end (timeout, reset), when it did not */
  cut?: string;
  /** why the check stopped reading before the end (the body went past CheckOptions.maxBytes), when it did */
  stopped?: string;
}

export interface Finding {
  level: 'error' | 'warning';
  message: string;
  /** 1-based index of the chunk it is about */
  chunk?: number;
}

export interface ChunkReport {
  /** 1-based */
  index: number;
  /** ms since the request */
  at: number;
  bytes: number;
  /** what completed in this chunk: `shell (…)`, `payload "feed" (…)`, `</html>` */
  contents: string[];
}

export interface Report {
  /** no errors (warnings allowed) */
  ok: boolean;
  chunks: ChunkReport[];
  payloads: number;
  findings: Finding[];
}

export interface CheckOptions {
  /** ms before giving up on the body (default 30000; Infinity for none; longer than 2^31-1 ms counts as that) */
  timeout?: number;
  /** decoded bytes of body to read at most (default 32 MiB); past it the check stops reading and reports an error */
  maxBytes?: number;
  /** same-origin redirects to follow (default 10); a redirect to another origin is reported, never followed */
  maxRedirects?: number;
  /** default BROWSER_AGENT, so that pickMode() serves the pipeline page and not the crawlers' inline one */
  userAgent?: string;
  fetch?: typeof fetch;
  /** ms for arrival times (default performance.now): tests and replays pass their own */
  clock?: () => number;
}

/** A redirect that was followed: the URL that answered with it, its status, and where it led. */
export interface Redirect {
  url: string;
  status: number;
  location: string;
}

export interface UrlReport extends Report {
  /** the URL whose response was checked (after same-origin redirects) */
  url: string;
  status: number;
  /** the headers that matter to the protocol, as received */
  headers: [string, string][];
  /** ms from the request to the end of the body */
  duration: number;
  /** the same-origin redirects followed to get there */
  redirects: Redirect[];
}
