/** Reading a real response chunk by chunk, for the checker's and the recipes' tests. */
import { BROWSER_AGENT, type Arrival, type ResponseInfo } from '../../src/check';

export interface Body {
  response: Response;
  /** for checkStream(): status, headers and when they arrived */
  info: ResponseInfo;
  /** every chunk so far, with its arrival time in ms since the request */
  arrivals: Arrival[];
  text(): string;
  /** Reads until `predicate(text)` holds; rejects naming `what` on timeout or when the body ends first. */
  until(predicate: (text: string) => boolean, what: string, ms?: number): Promise<string>;
  /** Reads to the end; resolves with the whole text. */
  end(): Promise<string>;
}

/** GETs `url` as a browser would (a browser's User-Agent, so pickMode() picks the pipeline). */
export async function get(url: string, headers: Record<string, string> = {}): Promise<Body> {
  const start = performance.now();
  const response = await fetch(url, { headers: { 'user-agent': BROWSER_AGENT, ...headers } });
  const info: ResponseInfo = { status: response.status, headers: response.headers, at: performance.now() - start };
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const arrivals: Arrival[] = [];
  let text = '';
  let done = false;
  const readOne = async () => {
    const result = await reader.read();
    if (result.done) done = true;
    else {
      arrivals.push({ at: performance.now() - start, data: result.value });
      text += decoder.decode(result.value, { stream: true });
    }
  };
  return {
    response,
    info,
    arrivals,
    text: () => text,
    async until(predicate, what, ms = 5000) {
      const deadline = Date.now() + ms;
      while (!predicate(text)) {
        if (done) throw new Error(`the response ended before ${what}`);
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no ${what} after ${ms} ms`)), Math.max(0, deadline - Date.now()));
        });
        try {
          await Promise.race([readOne(), timeout]);
        } finally {
          clearTimeout(timer);
        }
      }
      return text;
    },
    async end() {
      while (!done) await readOne();
      return text;
    },
  };
}

/** The findings of a report as "level: message" strings, for readable failures. */
export const messages = (report: { findings: { level: string; message: string }[] }) =>
  report.findings.map((f) => `${f.level}: ${f.message}`);
