// Replays a conformance vector (conformance/*.json, format in conformance/README.md) as a page streamed
// from loopback, and records what the page observed. Steps are gated on events the page reports (a
// recorder script POSTs them), so outcomes never depend on timing.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import Ajv2020 from 'ajv/dist/2020.js';
import { STUB, type Payload } from '../../src/protocol';
import { escapeJson, serializePagelet } from 'bigpipe-js/server';
import { listen } from '../support/loopback.mjs';
import { onRuntimeEvents, TOKEN } from '../support/recorder.mjs';

// ---------------------------------------------------------------- the vector format

export interface Repeat<T> {
  repeat: number;
  each: T;
}
type Markup = string | (string | Repeat<string>)[];

export interface Resource {
  body?: string;
  type?: string;
  status?: number;
  hold?: true;
  stall?: true;
  delay?: number;
}

export type Step =
  | { payload: Payload }
  | { badPayload: unknown }
  | { write: string }
  | { script: string }
  | { waitFor: string; count?: number }
  | { release: string }
  | { expectRequests: Record<string, number> }
  | { delay: number }
  | { end: true };

export interface Expect {
  events?: string[];
  order?: string[][];
  never?: string[];
  runs?: string[];
  requests?: Record<string, number>;
  placeholders?: { id: string; html: string }[];
  styleAtDisplay?: { on: string; selector: string; property: string; value: string }[];
  readyState?: Record<string, string[]>;
  errorMessages?: Record<string, string>;
  pageErrors?: string[];
}

/** A vector after its repeat items are expanded and its markup joined. */
export interface Vector {
  name: string;
  description: string;
  contract: string[];
  page: { runtime?: 'inline' | 'async'; timeout?: number; csp?: string; head?: string; body: string };
  resources: Record<string, Resource>;
  steps: Step[];
  expect: Expect;
}

export const CONFORMANCE_DIR = new URL('../../conformance/', import.meta.url);
const ROOT = new URL('../../', import.meta.url);

const schema = JSON.parse(readFileSync(new URL('schema.json', CONFORMANCE_DIR), 'utf8'));
const validate = new Ajv2020({ allErrors: true }).compile<any>(schema);

/** Replaces every "{i}" in the strings (and keys) of `value`. */
const withIndex = (value: unknown, i: number): unknown => substitute(value, (s) => s.replaceAll('{i}', String(i)));

const substitute = (value: unknown, f: (s: string) => string): unknown => {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => substitute(v, f));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [f(k), substitute(v, f)]));
  return value;
};

const isRepeat = (v: unknown): v is Repeat<unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).sort().join() === 'each,repeat';

/** Expands every repeat item of every list, depth first. */
const expand = (value: unknown): unknown => {
  if (Array.isArray(value))
    return value.flatMap((v) =>
      isRepeat(v) ? Array.from({ length: v.repeat }, (_, i) => expand(withIndex(v.each, i))) : [expand(v)],
    );
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v)]));
  return value;
};

const join = (m: Markup | undefined) => (Array.isArray(m) ? m.join('') : (m ?? ''));

/** Every vector file: { file, vector } when valid, { file, problems } when not. */
export function loadVectors(): { file: string; vector?: Vector; problems?: string[] }[] {
  return readdirSync(CONFORMANCE_DIR)
    .filter((f) => f.endsWith('.json') && f !== 'schema.json')
    .sort()
    .map((file) => {
      let raw: any;
      try {
        raw = JSON.parse(readFileSync(new URL(file, CONFORMANCE_DIR), 'utf8'));
      } catch (e) {
        return { file, problems: [`not JSON: ${(e as Error).message}`] };
      }
      if (!validate(raw))
        return {
          file,
          problems: validate.errors!.map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`),
        };
      const problems: string[] = [];
      if (`${raw.name}.json` !== file) problems.push(`name "${raw.name}" does not match the file name`);
      const v = expand(raw) as any;
      const vector: Vector = {
        name: v.name,
        description: v.description,
        contract: v.contract,
        page: { ...v.page, head: join(v.page.head), body: join(v.page.body) },
        resources: v.resources ?? {},
        steps: v.steps,
        expect: v.expect,
      };
      for (const step of vector.steps) {
        if ('payload' in step) {
          try {
            serializePagelet(step.payload);
          } catch (e) {
            problems.push(
              `payload step for ${JSON.stringify(step.payload.target)}: ${(e as Error).message} (use badPayload)`,
            );
          }
        }
        if ('release' in step && !vector.resources[step.release]?.hold)
          problems.push(`release ${step.release}: not a hold resource`);
      }
      return problems.length ? { file, problems } : { file, vector };
    });
}

// ---------------------------------------------------------------- tokens

/** "display:feed#2" → ["display:feed", 2] */
export const parseToken = (t: string): [string, number] => {
  const m = /^(.*)#(\d+)$/.exec(t);
  return m ? [m[1]!, Number(m[2])] : [t, 1];
};

export interface Entry {
  seq: number;
  token: string;
  readyState: string;
  error?: string;
  styles?: Record<string, Record<string, string | null>>;
}

// ---------------------------------------------------------------- the page

// Visible text for the first chunk: WebKit delays the first paint of a tiny document, and WPE does not
// commit a navigation before 512 bytes of body (TOOLCHAIN.md).
const FILLER = `<p id="filler">${'This page is a bigpipe-js conformance fixture: the skeleton is flushed first and every pagelet streams in as its payload arrives. '.repeat(3)}</p>`;

/** The in-page recorder: logs runtime events, script runs, paints and readyState, and POSTs them in batches. */
const recorder = (styles: Record<string, [string, string][]>) => `(() => {
  const styles = ${JSON.stringify(styles)};
  const log = [], pageErrors = [];
  let batch = [], timer = 0;
  // XMLHttpRequest, not fetch(): Firefox holds fetch() requests back while a stylesheet is loading.
  const send = () => { timer = 0; const x = new XMLHttpRequest(); x.open('POST', '/__events'); x.send(JSON.stringify(batch)); batch = []; };
  const rec = (token, extra) => {
    const e = Object.assign({ seq: log.length, token, readyState: document.readyState }, extra);
    log.push(e); batch.push(e);
    if (!timer) timer = setTimeout(send);
  };
  window.__bp = { log, pageErrors };
  window.R = (label) => rec('run:' + label);
  ${onRuntimeEvents(`(type, d) => {
    const extra = {};
    if (d.error !== undefined) extra.error = String(d.error);
    if (type === 'display') {
      const probes = styles[String(d.target)];
      if (probes) {
        extra.styles = {};
        for (const [selector, property] of probes) {
          const el = document.querySelector(selector);
          (extra.styles[selector] = extra.styles[selector] || {})[property] = el ? getComputedStyle(el).getPropertyValue(property) : null;
        }
      }
      requestAnimationFrame(() => requestAnimationFrame(() => rec('paint:' + d.target)));
    }
    rec((${TOKEN})(type, d), extra);
  }`)}
  document.addEventListener('DOMContentLoaded', () => rec('ready'));
  addEventListener('load', () => rec('load'));
  addEventListener('error', (e) => pageErrors.push('uncaught: ' + e.message));
  document.addEventListener('securitypolicyviolation', (e) => pageErrors.push('CSP: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')));
})();`;

let runtimeSource: string | undefined;
/** dist/bigpipe.min.js, read once: the shipped bytes are the tested bytes. */
export function runtime(): string {
  try {
    return (runtimeSource ??= readFileSync(new URL('dist/bigpipe.min.js', ROOT), 'utf8').trim());
  } catch {
    throw new Error('dist/bigpipe.min.js is missing: run `npx rollup -c` first');
  }
}

const typeOf = (key: string, r: Resource) =>
  r.type ?? (key.endsWith('.css') ? 'text/css' : key.endsWith('.js') ? 'text/javascript' : 'text/plain');

export interface Fixture {
  /** The page's URL. */
  url: string;
  /** The vector as this run serves it: {self}, {other} and {nonce} substituted. */
  vector: Vector;
  /** Settles when every step ran and the response ended; rejects with the failing step. */
  streamed: Promise<void>;
  /** Resolves when each token was observed at least as many times as given; rejects after ms. */
  until(want: Map<string, number>, ms: number): Promise<void>;
  requests: Map<string, number>;
  /** Whether the browser has requested the page yet (for diagnosing a navigation that never commits). */
  requested(): boolean;
  close(): Promise<void>;
}

/** Bound on every waitFor step and on the final wait; E2E_STEP_TIMEOUT overrides it (ms). */
export const STEP_TIMEOUT = Number(process.env.E2E_STEP_TIMEOUT) || 10_000;

/** Starts the page's server and a second origin for {other}/ resources; the page streams when requested. */
export async function startFixture(source: Vector): Promise<Fixture> {
  const page = http.createServer();
  const other = http.createServer();
  const pageServer = await listen(page);
  const otherServer = await listen(other);
  const [self, otherBase] = [pageServer.base, otherServer.base];
  const nonce = source.page.csp ? randomBytes(12).toString('base64') : undefined;
  const v = substitute(source, (s) =>
    s
      .replaceAll('{self}', self)
      .replaceAll('{other}', otherBase)
      .replaceAll('{nonce}', nonce ?? ''),
  ) as Vector;
  const n = nonce ? ` nonce="${nonce}"` : '';

  const requests = new Map<string, number>();
  const received: Entry[] = [];
  const held = new Map<string, (() => void)[]>();
  const released = new Set<string>();
  let changed = () => {};
  const notify = () => changed();

  const count = (token: string) =>
    token.startsWith('request:')
      ? (requests.get(token.slice(8)) ?? 0)
      : received.reduce((c, e) => c + (e?.token === token ? 1 : 0), 0);

  const seen = () =>
    received
      .filter(Boolean)
      .map((e) => e.token)
      .join(', ') || 'nothing';
  const waiters = new Set<() => void>();
  changed = () => waiters.forEach((w) => w());
  const waitUntil = (ok: () => boolean, what: () => string, ms: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!ok()) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(
            `${what()} after ${ms} ms; the page reported: ${seen()}; requests: ${JSON.stringify(Object.fromEntries(requests))}`,
          ),
        );
      }, ms);
      waiters.add(check);
      check();
    });

  const serve = (key: string, res: http.ServerResponse) => {
    requests.set(key, (requests.get(key) ?? 0) + 1);
    notify();
    let r = v.resources[key];
    if (key === '/bigpipe.min.js') r = { body: runtime(), ...r };
    if (!r)
      return void res.writeHead(404, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' }).end('not found');
    if (r.stall) return; // answered never; close() drops the connection
    const answer = () => {
      const send = () =>
        res
          .writeHead(r.status ?? 200, { 'Content-Type': typeOf(key, r), 'Cache-Control': 'no-store' })
          .end(r.body ?? '');
      if (r.delay) setTimeout(send, r.delay);
      else send();
    };
    if (r.hold && !released.has(key)) held.set(key, [...(held.get(key) ?? []), answer]);
    else answer();
  };

  other.on('request', (req, res) => serve(otherBase + new URL(req.url!, otherBase).pathname, res));

  const { page: p, expect: x } = v;
  // Style probes come from the expectations: read in the display listener of their target.
  const styles: Record<string, [string, string][]> = {};
  for (const s of x.styleAtDisplay ?? [])
    (styles[parseToken(s.on)[0].slice('display:'.length)] ??= []).push([s.selector, s.property]);
  const timeout = p.timeout ? `<script${n}>BigPipe.timeout=${p.timeout}</script>` : '';
  const runtimeTags =
    p.runtime === 'async'
      ? `<script${n}>${STUB}</script>${timeout}<script${n} async src="/bigpipe.min.js"></script>`
      : `<script${n}>${runtime()}</script>${timeout}`;
  const shell = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${v.name}</title><script${n}>${recorder(styles)}</script>${runtimeTags}${p.head ?? ''}</head><body>${FILLER}${p.body}`;

  let streaming = false;
  let resolveStreamed!: () => void;
  let rejectStreamed!: (e: Error) => void;
  const streamed = new Promise<void>((res, rej) => ((resolveStreamed = res), (rejectStreamed = rej)));
  streamed.catch(() => {}); // observed by the test; never unhandled

  const stream = async (res: http.ServerResponse) => {
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
    };
    if (p.csp) headers['Content-Security-Policy'] = p.csp;
    res.writeHead(200, headers);
    res.write(shell);
    let ended = false;
    const end = () => {
      if (!ended) res.end('</body></html>');
      ended = true;
    };
    try {
      for (const [i, step] of v.steps.entries()) {
        const where = `step ${i + 1} ${JSON.stringify(step).slice(0, 120)}`;
        const write = (chunk: string) => {
          if (ended) throw new Error(`${where}: the response has already ended`);
          res.write(chunk);
        };
        if ('payload' in step) write(serializePagelet(step.payload, { nonce }));
        else if ('badPayload' in step)
          write(`<script${n}>BigPipe.onPageletArrive(${escapeJson(step.badPayload)})</script>`);
        else if ('write' in step) write(step.write);
        else if ('script' in step) write(`<script${n}>${step.script}</script>`);
        else if ('waitFor' in step) {
          const [token, nth] = parseToken(step.waitFor);
          const times = step.count ?? nth;
          await waitUntil(
            () => count(token) >= times,
            () => `${where}: ${token} not observed ${times} time(s)`,
            STEP_TIMEOUT,
          );
        } else if ('release' in step) {
          released.add(step.release);
          held.get(step.release)?.forEach((answer) => answer());
          held.delete(step.release);
        } else if ('expectRequests' in step) {
          for (const [key, want] of Object.entries(step.expectRequests)) {
            const got = requests.get(key) ?? 0;
            if (got !== want)
              throw new Error(`${where}: ${key} was requested ${got} time(s) at this point, expected ${want}`);
          }
        } else if ('delay' in step) await new Promise((r) => setTimeout(r, step.delay));
        else if ('end' in step) end();
      }
      end();
      resolveStreamed();
    } catch (e) {
      end();
      rejectStreamed(e as Error);
    }
  };

  page.on('request', (req, res) => {
    const path = new URL(req.url!, self).pathname;
    if (req.method === 'POST' && path === '/__events') {
      let body = '';
      req
        .setEncoding('utf8')
        .on('data', (c) => (body += c))
        .on('end', () => {
          for (const e of JSON.parse(body) as Entry[]) received[e.seq] = e;
          res.writeHead(204).end();
          notify();
        });
      return;
    }
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    if (path === '/') {
      if (streaming) return void res.writeHead(409).end('the page was requested twice');
      streaming = true;
      return void stream(res);
    }
    serve(path, res);
  });

  return {
    url: `${self}/`,
    vector: v,
    streamed,
    until(want, ms) {
      const missing = () =>
        [...want].filter(([t, k]) => count(t) < k).map(([t, k]) => (k > 1 ? `${t} (${count(t)} of ${k})` : t));
      return waitUntil(
        () => !missing().length,
        () => `never observed ${missing().slice(0, 10).join(', ')}`,
        ms,
      );
    },
    requests,
    requested: () => streaming,
    async close() {
      await pageServer.close();
      await otherServer.close();
    },
  };
}
