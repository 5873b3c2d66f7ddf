/**
 * A page in jsdom running a built runtime (dist/bigpipe.min.js by default: the shipped bytes are the tested bytes).
 * Stylesheet and script requests are held until the test answers them, and the parser state is the test's
 * to set: the page stays 'loading' until end(), like a document whose stream is still open.
 */
import { readFileSync } from 'node:fs';
import { JSDOM, requestInterceptor, VirtualConsole } from 'jsdom';
import { EVENTS, STUB } from '../../src/protocol';

const built = (file: string) => readFileSync(new URL('../../dist/' + file, import.meta.url), 'utf8');
/** The two shipped script-tag builds: the default one and the one with Trusted Types support. */
export const BUILDS = { default: built('bigpipe.min.js'), tt: built('bigpipe.tt.min.js') };
export const ORIGIN = 'https://page.test';

export interface PageOptions {
  body?: string;
  /** extra markup in the head, before the runtime */
  head?: string;
  /** install the async stub and queue these payloads before the runtime loads */
  queued?: unknown[];
  /** run before the runtime loads, with the window (e.g. to remove features) */
  before?: (window: any) => void;
  /** skip loading the runtime (load it later with loadRuntime) */
  deferRuntime?: boolean;
  nonce?: string;
  /** which build runs (default: dist/bigpipe.min.js) */
  build?: keyof typeof BUILDS;
}

export interface Logged {
  type: string;
  target?: unknown;
  url?: string;
  error?: string;
}

export function createPage(options: PageOptions = {}) {
  const requests: string[] = [];
  const pending = new Map<string, ((response: Response) => void)[]>(); // every held request per URL
  const waiters = new Map<string, () => void>();
  const hold = (url: string, answer: (response: Response) => void) => {
    requests.push(url);
    waiters.get(url)?.();
    pending.set(url, [...(pending.get(url) ?? []), answer]);
  };
  const preloaded = new Map<string, string>();
  const virtualConsole = new VirtualConsole();
  const pageErrors: string[] = [];
  virtualConsole.on('jsdomError', (e) => pageErrors.push(e.message));
  const dom = new JSDOM(
    `<!DOCTYPE html><html><head>${options.head ?? ''}</head><body>${options.body ?? ''}</body></html>`,
    {
      url: ORIGIN + '/',
      runScripts: 'dangerously',
      virtualConsole,
      resources: {
        interceptors: [
          requestInterceptor((request, { element }) => {
            // A style preload answers the stylesheet link of its URL only, not a script of the same URL.
            const cached = element?.localName === 'link' ? preloaded.get(request.url) : undefined;
            if (cached !== undefined) return new Response(cached, { headers: { 'Content-Type': 'text/css' } });
            return new Promise<Response>((resolve) => hold(request.url, resolve));
          }),
        ],
      },
    },
  );
  const window = dom.window as any;
  const document = window.document as Document;
  let readyState: DocumentReadyState = 'loading';
  Object.defineProperty(document, 'readyState', { configurable: true, get: () => readyState });

  const log: Logged[] = [];
  for (const type of Object.values(EVENTS))
    document.addEventListener(type, (e: any) => log.push({ type, ...stripUndefined(e.detail) }));

  const run = (code: string) => {
    const script = document.createElement('script');
    if (options.nonce) script.setAttribute('nonce', options.nonce);
    script.textContent = code;
    document.head.appendChild(script);
  };
  const loadRuntime = () => run(BUILDS[options.build ?? 'default']);
  // jsdom runs an inserted <script> only after the page's pending scripts, browsers at once: where that matters, the
  // runtime is evaluated directly (it then has no currentScript, so no nonce).
  const evalRuntime = () => window.eval(BUILDS[options.build ?? 'default']);

  // What jsdom lacks and browsers do: fetch a <link rel=preload>, and fetch a link again when its rel changes.
  // The runtime relies on both (a stylesheet starts as a preload and becomes a stylesheet once loaded), so they
  // are emulated here: the preload is a held request like any other, answered by respond(); the switch to
  // stylesheet is then answered from the preload cache, uncounted, as in browsers (one request per sheet).
  new window.MutationObserver((records: MutationRecord[]) => {
    for (const r of records) {
      const link = r.target as HTMLLinkElement;
      if (r.type === 'attributes' && link.isConnected && link.rel === 'stylesheet')
        link.setAttribute('href', link.getAttribute('href')!); // jsdom fetches on an href change only
      for (const node of r.addedNodes)
        if ((node as HTMLLinkElement).rel === 'preload') {
          const preload = node as HTMLLinkElement;
          hold(preload.href, async (response) => {
            if (response.ok) preloaded.set(preload.href, await response.text());
            preload.dispatchEvent(new window.Event(response.ok ? 'load' : 'error'));
          });
        }
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['rel'] });

  options.before?.(window);
  if (options.queued) {
    run(STUB);
    for (const p of options.queued) window.BigPipe.onPageletArrive(p);
  }
  if (!options.deferRuntime) loadRuntime();

  const url = (path: string) => new URL(path, ORIGIN).href;
  const events = () => log.map((e) => (e.type === 'bigpipe:error' ? e : { type: e.type, target: e.target }));

  return {
    window,
    document,
    log,
    events,
    pageErrors,
    loadRuntime,
    evalRuntime,
    run,
    arrive: (payload: unknown) => window.BigPipe.onPageletArrive(payload),
    /** the document finished parsing: DOMContentLoaded */
    end() {
      readyState = 'interactive';
      document.dispatchEvent(new window.Event('DOMContentLoaded'));
    },
    html: (id: string) => document.getElementById(id)?.innerHTML,
    /** how many times a URL was requested */
    requested: (path: string) => requests.filter((r) => r === url(path)).length,
    requests,
    /** resolves once the URL has been requested */
    whenRequested: (path: string) =>
      requests.includes(url(path)) ? Promise.resolve() : new Promise<void>((r) => waiters.set(url(path), r)),
    /** answers the held requests for a URL; the elements' load or error events follow */
    async respond(path: string, body = '', status = 200) {
      const type = path.endsWith('.css') ? 'text/css' : 'text/javascript';
      const answers = pending.get(url(path));
      if (!answers) throw new Error('not requested: ' + path);
      pending.delete(url(path));
      for (const resolve of answers) resolve(new Response(body, { status, headers: { 'Content-Type': type } }));
    },
    /** resolves at the next runtime event of this type */
    next: (type: string) =>
      new Promise<Logged>((resolve) =>
        document.addEventListener(type, (e: any) => resolve({ type, ...stripUndefined(e.detail) }), { once: true }),
      ),
  };
}

const stripUndefined = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
