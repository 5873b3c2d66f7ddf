// Replays every conformance vector (conformance/*.json) in every engine and checks the outcome the
// vector expects. One browser per engine, one tab per vector; the fixture holds the stream on events
// the page reports, never on sleeps. Format: conformance/README.md.
import { describe, expect, it } from 'vitest';
import { useEngine } from './engine';
import { ENGINES, type Engine, type Tab } from '../support/drivers';
import { loadVectors, parseToken, startFixture, STEP_TIMEOUT, type Entry, type Vector } from './fixture';

const files = loadVectors();
const vectors = files.flatMap((f) => (f.vector ? [f.vector] : []));

describe('conformance vectors', () => {
  it.each(files)('$file follows conformance/schema.json', ({ problems }) => {
    expect(problems ?? []).toEqual([]);
  });
});

const RUNTIME_EVENT = /^(arrive|display|error|done)(:|@|$)/;

/** What must have been observed before the outcome is read: everything the expectations name. */
function awaited(v: Vector): Map<string, number> {
  const want = new Map<string, number>([
    ['done', 1],
    ['ready', 1],
  ]);
  const atLeast = (token: string, k: number) => want.set(token, Math.max(want.get(token) ?? 0, k));
  const counted = (tokens: string[]) => {
    const k = new Map<string, number>();
    for (const t of tokens) k.set(t, (k.get(t) ?? 0) + 1);
    k.forEach((n, t) => atLeast(t, n));
  };
  const x = v.expect;
  counted(x.events ?? []);
  counted((x.runs ?? []).map((label) => `run:${label}`));
  const named = [
    ...(x.order ?? []).flat(),
    ...Object.keys(x.readyState ?? {}),
    ...Object.keys(x.errorMessages ?? {}),
    ...(x.styleAtDisplay ?? []).map((s) => s.on),
  ];
  for (const t of named) atLeast(...parseToken(t));
  return want;
}

interface Observed {
  log: Entry[];
  html: Record<string, string | null>;
  errors: string[];
  requests: Map<string, number>;
}

/** The n-th entry for token#n, or undefined. */
const find = (log: Entry[], t: string): Entry | undefined => {
  const [token, nth] = parseToken(t);
  return log.filter((e) => e.token === token)[nth - 1];
};

function verify(v: Vector, o: Observed) {
  const x = v.expect;
  const tokens = o.log.map((e) => e.token);
  const sorted = (a: string[]) => [...a].sort();
  const runtimeEvents = tokens.filter((t) => RUNTIME_EVENT.test(t));

  expect(
    runtimeEvents.filter((t) => t === 'done'),
    'bigpipe:done fires exactly once',
  ).toEqual(['done']);
  if (x.events) expect(sorted(runtimeEvents), 'runtime events (compared as a multiset)').toEqual(sorted(x.events));
  for (const chain of x.order ?? []) {
    // Shown as the chain sorted by when each token happened: a diff against the chain shows what came early.
    const at = chain.map((t) => ({ t, e: find(o.log, t) }));
    const observed = at
      .filter((a) => a.e)
      .sort((a, b) => a.e!.seq - b.e!.seq)
      .map((a) => a.t);
    const missing = at.filter((a) => !a.e).map((a) => `(never observed) ${a.t}`);
    expect([...observed, ...missing], `order of ${chain.join(' < ')}`).toEqual(chain);
  }
  if (x.never)
    expect(
      x.never.filter((t) => find(o.log, t)),
      'observed, but must never happen',
    ).toEqual([]);
  if (x.runs)
    expect(
      tokens.filter((t) => t.startsWith('run:')).map((t) => t.slice(4)),
      'scripts that ran, in order',
    ).toEqual(x.runs);
  if (x.requests) {
    const got = Object.fromEntries(Object.keys(x.requests).map((k) => [k, o.requests.get(k) ?? 0]));
    expect(got, 'requests per resource').toEqual(x.requests);
  }
  if (x.placeholders)
    expect(o.html, 'innerHTML of the placeholders').toEqual(
      Object.fromEntries(x.placeholders.map((p) => [p.id, p.html])),
    );
  if (x.styleAtDisplay) {
    const key = (s: { on: string; selector: string; property: string }) => `${s.on} ${s.selector} ${s.property}`;
    const got = Object.fromEntries(
      x.styleAtDisplay.map((s) => [key(s), find(o.log, s.on)?.styles?.[s.selector]?.[s.property]]),
    );
    expect(got, 'computed style at display').toEqual(
      Object.fromEntries(x.styleAtDisplay.map((s) => [key(s), s.value])),
    );
  }
  for (const [t, states] of Object.entries(x.readyState ?? {}))
    expect(states, `document.readyState at ${t}`).toContain(find(o.log, t)?.readyState);
  for (const [t, pattern] of Object.entries(x.errorMessages ?? {}))
    expect(find(o.log, t)?.error ?? '(no error message)', `detail.error of ${t}`).toMatch(new RegExp(pattern, 'i'));
  if (x.pageErrors) {
    const allowed = x.pageErrors.map((p) => new RegExp(p, 'i'));
    expect(
      o.errors.filter((e) => !allowed.some((p) => p.test(e))),
      'console errors, uncaught errors, CSP violations',
    ).toEqual([]);
  }
}

async function run(engine: Engine, vector: Vector) {
  const fx = await startFixture(vector);
  let tab: Tab | undefined;
  try {
    tab = await engine.open(fx.url).catch((e: Error) => {
      throw new Error(
        `${e.message} [the fixture ${fx.requested() ? 'had answered GET / with the shell' : 'never received GET /'}]`,
        { cause: e },
      );
    });
    await fx.streamed;
    await fx.until(awaited(fx.vector), STEP_TIMEOUT);
    const ids = (fx.vector.expect.placeholders ?? []).map((p) => p.id);
    const page = await tab.eval<{ log: Entry[]; pageErrors: string[]; html: Record<string, string | null> }>(`(() => {
      const html = {};
      for (const id of ${JSON.stringify(ids)}) { const el = document.getElementById(id); html[id] = el ? el.innerHTML : null; }
      return { log: window.__bp.log, pageErrors: window.__bp.pageErrors, html };
    })()`);
    const errors = [...page.pageErrors, ...(await tab.errors())];
    verify(fx.vector, { log: page.log, html: page.html, errors, requests: fx.requests });
  } finally {
    await tab?.close();
    await fx.close();
  }
}

describe.each(ENGINES)('%s', (name) => {
  const engine = useEngine(name, 'conformance vectors');

  for (const vector of vectors) it(vector.name, () => run(engine(), vector));
});
