// One small interface over three real browsers, so the e2e suite is written once:
//   chromium → playwright-core (CDP), firefox → puppeteer-core (WebDriver BiDi),
//   webkit → selenium-webdriver + WPEWebDriver + cog (classic WebDriver).
// Every error thrown from here starts with "[engine] ". Quirks behind the choices: see comments
// and TOOLCHAIN.md in the team's shared notes.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { chromium, type Browser as PwBrowser } from 'playwright-core';
import puppeteer, { type Browser as PpBrowser, type Page as PpPage } from 'puppeteer-core';
import { Builder, type WebDriver } from 'selenium-webdriver';

export type EngineName = 'chromium' | 'firefox' | 'webkit';

const ALL: EngineName[] = ['chromium', 'firefox', 'webkit'];
export const ENGINES: EngineName[] = (() => {
  const wanted = process.env.E2E_ENGINES?.split(',').map((s) => s.trim()).filter(Boolean);
  if (!wanted?.length) return ALL;
  const bad = wanted.filter((n) => !ALL.includes(n as EngineName));
  if (bad.length) throw new Error(`E2E_ENGINES: unknown engine(s) ${bad.join(', ')}; known: ${ALL.join(', ')}`);
  return wanted as EngineName[];
})();

export interface OpenOptions {
  /** Default true. false = the page's own scripts never run (the driver can still read the DOM). */
  javaScript?: boolean;
}

export interface Engine {
  name: EngineName;
  version: string;
  /** Resolves as soon as the response commits: the page may still be streaming. */
  open(url: string, opts?: OpenOptions): Promise<Tab>;
  close(): Promise<void>;
}

export interface Tab {
  /** Evaluates a JS expression in the page; a returned promise is awaited. The result travels as
   *  JSON (undefined stays undefined). Works while the document is still loading. */
  eval<T = unknown>(expression: string, opts?: { timeout?: number }): Promise<T>;
  /** outerHTML of the first match, or null. Works with JavaScript disabled. */
  html(selector: string): Promise<string | null>;
  /** Console errors and uncaught page errors (incl. CSP violations) since open.
   *  webkit: only those after open() returned — see WebKitTab. Always [] with JavaScript disabled
   *  in webkit. */
  errors(): Promise<string[]>;
  close(): Promise<void>;
}

/** Default for eval, html and open. Below the e2e project's 60 s test timeout. */
export const DEFAULT_TIMEOUT = 30_000;

/** A Tab over a driver that evaluates a code string in the page (playwright and puppeteer alike). */
function evaluatingTab(E: EngineName, evaluate: (code: string) => Promise<unknown>, errors: string[], close: () => Promise<unknown>): Tab {
  return {
    async eval<T>(expression: string, o: { timeout?: number } = {}) {
      const r = await guard(E, `eval(${short(expression)})`, o.timeout ?? DEFAULT_TIMEOUT, evaluate(pageSide(expression)) as Promise<PageResult>);
      return unwrap<T>(E, expression, r);
    },
    html: (selector) => guard(E, `html(${selector})`, DEFAULT_TIMEOUT, evaluate(htmlOf(selector)) as Promise<string | null>),
    errors: async () => [...errors],
    close: () => guard(E, 'tab.close', DEFAULT_TIMEOUT, close()).then(() => {}),
  };
}

export async function launch(name: EngineName): Promise<Engine> {
  try {
    switch (name) {
      case 'chromium': return await launchChromium();
      case 'firefox': return await launchFirefox();
      case 'webkit': return await launchWebKit();
      default: throw new Error(`unknown engine ${String(name)}`);
    }
  } catch (e) {
    throw engineError(name, 'launch', e);
  }
}

// ---------------------------------------------------------------- shared helpers

function engineError(engine: EngineName, what: string, e: unknown): Error {
  const msg = e instanceof Error ? e.message : String(e);
  if (msg.startsWith(`[${engine}]`)) return e as Error;
  return new Error(`[${engine}] ${what}: ${msg}`, { cause: e });
}

const short = (s: string) => (s.length > 80 ? `${s.slice(0, 77)}...` : s).replace(/\s+/g, ' ');

/** Races a driver call against a timer. The losing driver promise gets a catch, so a call still
 *  pending when its tab closes does not surface as an unhandled rejection. */
async function guard<T>(engine: EngineName, what: string, ms: number, work: Promise<T>): Promise<T> {
  work.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`[${engine}] ${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } catch (e) {
    throw engineError(engine, what, e);
  } finally {
    clearTimeout(timer);
  }
}

/** The page side of eval: same semantics and error text in every engine. The expression is spliced
 *  into the script rather than passed to page eval(), so a strict CSP (no 'unsafe-eval') does not
 *  block it (WebKit applies the page's CSP to eval() called from a WebDriver script). A
 *  synchronous result is returned synchronously: JS-disabled pages may not run microtasks. */
function pageSide(expression: string): string {
  return `(() => {
  const ok = (v) => ({ v: v === undefined ? undefined : JSON.stringify(v) });
  const ko = (e) => ({ e: e instanceof Error ? e.name + ': ' + e.message : String(e) });
  try {
    const r = (
${expression}
    );
    return r && typeof r.then === 'function' ? r.then(ok, ko) : ok(r);
  } catch (e) { return ko(e); }
})()`;
}

type PageResult = { v?: string | null; e?: string } | null;

function unwrap<T>(engine: EngineName, expression: string, r: PageResult): T {
  if (r?.e !== undefined && r.e !== null) throw new Error(`[${engine}] eval(${short(expression)}) threw in the page: ${r.e}`);
  return (r?.v == null ? undefined : JSON.parse(r.v)) as T;
}

const htmlOf = (selector: string) =>
  `(document.querySelector(${JSON.stringify(selector)}) || { outerHTML: null }).outerHTML`;

/** Polls a driver-side condition (not a page event) every 20 ms; gives up after ms, so no loop
 *  outlives its caller. */
async function poll(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until the tab shows a document other than the initial about:blank: drivers without a
 *  "commit" wait (BiDi 'none', WebDriver pageLoadStrategy 'none') return before the new document
 *  exists. A probe that throws (context torn down mid-navigation) counts as "not yet", and so does
 *  one left unanswered for PROBE_TIMEOUT: WPEWebDriver 2.38 never answers a script sent while the
 *  navigation replaces the document (until the session ends), yet answers the next one. Measured
 *  here on streamed pages: unbounded, 4 of 200 navigations hung until the 30 s timeout; with both
 *  cores busy most navigations lose their first probe, and with this bound 0 of 150 failed. */
const untilCommitted = (probe: () => Promise<unknown>) =>
  poll('no commit', DEFAULT_TIMEOUT, () => {
    const answer = probe();
    answer.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const unanswered = new Promise<false>((r) => { timer = setTimeout(r, PROBE_TIMEOUT, false); });
    return Promise.race([answer.then((url) => typeof url === 'string' && url !== 'about:blank', () => false), unanswered])
      .finally(() => clearTimeout(timer));
  });
const PROBE_TIMEOUT = 1_500;

// ---------------------------------------------------------------- chromium (playwright-core)

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

async function launchChromium(): Promise<Engine> {
  const browser: PwBrowser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const E: EngineName = 'chromium';
  return {
    name: E,
    version: browser.version(),
    async open(url, opts = {}) {
      // One context per tab: javaScriptEnabled is a context option, and tabs stay isolated.
      const context = await guard(E, 'newContext', DEFAULT_TIMEOUT,
        browser.newContext({ javaScriptEnabled: opts.javaScript !== false }));
      const page = await guard(E, 'newPage', DEFAULT_TIMEOUT, context.newPage());
      const errors: string[] = [];
      // CSP violations arrive here as console errors. So does the 404 of the browser's own
      // /favicon.ico request, which is not the page's doing: dropped.
      page.on('console', (m) => {
        if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) errors.push(`console.error: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      await guard(E, `open(${url})`, DEFAULT_TIMEOUT, page.goto(url, { waitUntil: 'commit' }))
        .catch(async (e) => { await context.close().catch(() => {}); throw e; });
      // CDP evaluation still works with the context's JavaScript disabled.
      return evaluatingTab(E, (code) => page.evaluate(code), errors, () => context.close());
    },
    close: () => guard(E, 'close', DEFAULT_TIMEOUT, browser.close()),
  };
}

// ---------------------------------------------------------------- firefox (puppeteer-core, BiDi)

async function launchFirefoxBrowser(prefs?: Record<string, unknown>): Promise<PpBrowser> {
  return puppeteer.launch({ browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true, extraPrefsFirefox: prefs });
}

async function launchFirefox(): Promise<Engine> {
  const E: EngineName = 'firefox';
  const browser = await launchFirefoxBrowser();
  // Firefox ESR 153 answers BiDi emulation.setScriptingEnabled (page.setJavaScriptEnabled) with
  // "unknown command", so JS-off tabs live in a second browser with javascript.enabled=false,
  // launched on first use.
  let noJs: Promise<PpBrowser> | undefined;
  return {
    name: E,
    version: await browser.version(),
    async open(url, opts = {}) {
      const js = opts.javaScript !== false;
      const owner = js ? browser : await guard(E, 'launch (javascript.enabled=false)', DEFAULT_TIMEOUT,
        (noJs ??= launchFirefoxBrowser({ 'javascript.enabled': false })));
      const context = await guard(E, 'createBrowserContext', DEFAULT_TIMEOUT, owner.createBrowserContext());
      const page: PpPage = await guard(E, 'newPage', DEFAULT_TIMEOUT, context.newPage());
      const errors: string[] = [];
      // Over BiDi, CSP violations arrive as page errors ("Content-Security-Policy: ...").
      page.on('console', (m) => { if (m.type() === 'error') errors.push(`console.error: ${m.text()}`); });
      page.on('pageerror', (e) => errors.push(`pageerror: ${e instanceof Error ? e.message : String(e)}`));
      // page.goto waits for at least DOMContentLoaded (and the response body), which a held-open
      // stream never reaches; the BiDi navigate with wait 'none' returns at once.
      const frame = page.mainFrame() as unknown as { browsingContext: { navigate(url: string, wait: 'none'): Promise<void> } };
      await guard(E, `open(${url})`, DEFAULT_TIMEOUT, (async () => {
        await frame.browsingContext.navigate(url, 'none');
        await untilCommitted(() => page.evaluate('document.URL'));
      })()).catch(async (e) => { await context.close().catch(() => {}); throw e; });
      // BiDi script.evaluate works with javascript.enabled=false.
      return evaluatingTab(E, (code) => page.evaluate(code), errors, () => context.close());
    },
    async close() {
      await guard(E, 'close', DEFAULT_TIMEOUT, Promise.all([browser.close(), noJs?.then((b) => b.close(), () => {})]));
    },
  };
}

// ---------------------------------------------------------------- webkit (WPEWebDriver + cog)

// WPEWebDriver allows one session at a time ("Maximum number of active sessions"), JavaScript is a
// per-cog-process setting, and a session runs its commands one after another (a pending eval would
// block every other window). So each tab is its own WPEWebDriver + cog pair (~0.5 s to start).
// The pair started by launch() (needed to read the version) is kept for the first JS-on tab.

const drivers = new Set<ChildProcess>();
// Backstop if a test run dies without close(): the driver's process group holds cog and WebKit's
// helper processes.
process.once('exit', () => { for (const p of drivers) killGroup(p); });

function killGroup(p: ChildProcess) {
  try { process.kill(-p.pid!, 'SIGKILL'); } catch { /* already gone */ }
  drivers.delete(p);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Waits until the freshly spawned driver accepts connections (it prints nothing when ready). */
const listening = (port: number, proc: ChildProcess, log: () => string) =>
  poll('WPEWebDriver not listening', 10_000, async () => {
    if (proc.exitCode !== null || proc.signalCode) throw new Error(`WPEWebDriver exited (${proc.exitCode ?? proc.signalCode}): ${log()}`);
    return new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1', () => { c.destroy(); r(true); }).once('error', () => r(false));
    });
  });

interface WpeSession { driver: WebDriver; proc: ChildProcess; version: string }

async function startWpeSession(javaScript: boolean): Promise<WpeSession> {
  const E: EngineName = 'webkit';
  const port = await freePort();
  // detached: own process group, so close() can take cog and WebKit's helpers down with it.
  const proc = spawn('WPEWebDriver', [`--port=${port}`], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  drivers.add(proc);
  let tail = '';
  const keep = (b: Buffer) => { tail = (tail + b.toString()).slice(-2000); };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  proc.once('exit', () => drivers.delete(proc));
  try {
    await listening(port, proc, () => tail);
    const driver = new Builder().usingServer(`http://127.0.0.1:${port}`).withCapabilities({
      browserName: 'cog',
      // 'none': get() returns at once; 'normal'/'eager' would wait for load/DOMContentLoaded.
      pageLoadStrategy: 'none',
      'wpe:browserOptions': {
        binary: '/usr/bin/cog',
        // --enable-javascript=false (not --enable-javascript-markup=false): the page's scripts do not
        // run, <noscript> is parsed as markup, and WebDriver scripts still run.
        args: ['--automation', '--platform=headless', ...(javaScript ? [] : ['--enable-javascript=false'])],
      },
    }).build();
    const caps = await guard(E, 'session creation', 30_000, driver.getCapabilities());
    await driver.manage().setTimeouts({ script: DEFAULT_TIMEOUT });
    return { driver, proc, version: String(caps.get('browserVersion')) };
  } catch (e) {
    killGroup(proc);
    throw engineError(E, 'session creation', new Error(`${e instanceof Error ? e.message : e}\n${tail}`));
  }
}

async function endWpeSession(s: WpeSession) {
  // quit() closes cog cleanly; the group kill covers a hung quit and any stragglers.
  await Promise.race([s.driver.quit().catch(() => {}), new Promise((r) => setTimeout(r, 5000).unref())]);
  killGroup(s.proc);
}

// Installed right after commit: WPEWebDriver 2.38 has no log endpoint (GET /se/log → unknown
// command), no BiDi, no script-before-page-scripts hook, and cog's console-to-stdout setting is
// silent under automation. So errors raised before open() returns are not seen.
const RECORDER = `if (!window.__e2eErrors) {
  const errs = window.__e2eErrors = [];
  addEventListener('error', (e) => errs.push('pageerror: ' + (e.error ? e.error.name + ': ' + e.error.message : e.message)));
  addEventListener('unhandledrejection', (e) => errs.push('pageerror: unhandled rejection: ' + (e.reason instanceof Error ? e.reason.message : String(e.reason))));
  addEventListener('securitypolicyviolation', (e) => errs.push('pageerror: Content-Security-Policy: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')));
  const error = console.error;
  console.error = function (...a) { errs.push('console.error: ' + a.map(String).join(' ')); return error.apply(this, a); };
}`;

async function launchWebKit(): Promise<Engine> {
  const E: EngineName = 'webkit';
  let spare: WpeSession | undefined = await startWpeSession(true);
  const version = spare.version;
  const live = new Set<WpeSession>();
  return {
    name: E,
    version,
    async open(url, opts = {}) {
      const js = opts.javaScript !== false;
      const s = spare && js ? spare : await startWpeSession(js);
      if (s === spare) spare = undefined;
      live.add(s);
      const { driver } = s;
      let scriptTimeout = DEFAULT_TIMEOUT;
      try {
        await guard(E, `open(${url})`, DEFAULT_TIMEOUT, (async () => {
          await driver.get(url);
          await untilCommitted(() => driver.executeScript('return document.URL'));
          if (js) await driver.executeScript(RECORDER);
        })());
      } catch (e) {
        live.delete(s);
        await endWpeSession(s);
        // An unreachable server shows no error here either: the tab just stays on about:blank.
        throw /timed out|no commit/.test((e as Error).message)
          ? new Error(`${(e as Error).message}: no commit. WPE commits only after 512 bytes of body (or the`
            + ' end of the response) arrived; or the server was unreachable', { cause: e })
          : e;
      }
      return {
        async eval<T>(expression: string, o: { timeout?: number } = {}) {
          const ms = o.timeout ?? DEFAULT_TIMEOUT;
          const what = `eval(${short(expression)})`;
          // The session's script timeout bounds the pending executeAsyncScript in the browser, so a
          // timed-out eval does not keep blocking the session's next command.
          const run = async () => {
            if (ms !== scriptTimeout) { await driver.manage().setTimeouts({ script: ms }); scriptTimeout = ms; }
            return driver.executeAsyncScript<PageResult>(`const done = arguments[arguments.length - 1];
const r = ${pageSide(expression)};
if (r && typeof r.then === 'function') r.then(done); else done(r);`).catch((e: Error) => {
              throw e.name === 'ScriptTimeoutError' ? new Error(`[${E}] ${what} timed out after ${ms} ms`) : e;
            });
          };
          return unwrap<T>(E, expression, await guard(E, what, ms + 5000, run()));
        },
        // WebDriver scripts run even with --enable-javascript=false.
        html: (selector) => guard(E, `html(${selector})`, DEFAULT_TIMEOUT, driver.executeScript<string | null>(`return ${htmlOf(selector)};`)),
        errors: () => guard(E, 'errors', DEFAULT_TIMEOUT, driver.executeScript<string[] | null>('return window.__e2eErrors || [];').then((r) => r ?? [])),
        async close() {
          if (live.delete(s)) await endWpeSession(s);
        },
      };
    },
    async close() {
      await Promise.all([...live, ...(spare ? [spare] : [])].map(endWpeSession));
      live.clear();
      spare = undefined;
    },
  };
}
