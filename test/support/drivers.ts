// One small interface over real browsers, so the e2e suite is written once:
//   chromium → playwright-core (CDP), firefox → puppeteer-core (WebDriver BiDi),
//   webkit → selenium-webdriver + WPEWebDriver + cog (classic WebDriver), WPE WebKit 2.38;
//   webkitgtk → the same over WebKitWebDriver + MiniBrowser on a private Xvfb, WebKitGTK 2.50.
// Two WebKits: WPE 2.38 (2022) is what Debian ships headless; WebKitGTK 2.50 is close to today's Safari.
// Every error thrown from here starts with "[engine] ". Quirks behind the choices: see comments
// and TOOLCHAIN.md in the team's shared notes.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { chromium, type Browser as PwBrowser } from 'playwright-core';
import puppeteer, { type Browser as PpBrowser, type Page as PpPage } from 'puppeteer-core';
import { Builder, type WebDriver } from 'selenium-webdriver';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.mjs';
import { freePort } from './loopback.mjs';

export type EngineName = 'chromium' | 'firefox' | 'webkit' | 'webkitgtk';

const ALL: EngineName[] = ['chromium', 'firefox', 'webkit', 'webkitgtk'];
/** All of them, in this order, unless E2E_ENGINES names some (e.g. E2E_ENGINES=chromium,webkitgtk). */
export const ENGINES: EngineName[] = (() => {
  const wanted = process.env.E2E_ENGINES?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
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
   *  webkit, webkitgtk: only those after open() returned — see RECORDER. Always [] with JavaScript
   *  disabled in webkit and webkitgtk. */
  errors(): Promise<string[]>;
  close(): Promise<void>;
}

/** Default for eval, html and open. Below the e2e project's 60 s test timeout. */
export const DEFAULT_TIMEOUT = 30_000;

/** A Tab over a driver that evaluates a code string in the page (playwright and puppeteer alike). */
function evaluatingTab(
  E: EngineName,
  evaluate: (code: string) => Promise<unknown>,
  errors: string[],
  close: () => Promise<unknown>,
): Tab {
  return {
    async eval<T>(expression: string, o: { timeout?: number } = {}) {
      const r = await guard(
        E,
        `eval(${short(expression)})`,
        o.timeout ?? DEFAULT_TIMEOUT,
        evaluate(pageSide(expression)) as Promise<PageResult>,
      );
      return unwrap<T>(E, expression, r);
    },
    html: (selector) =>
      guard(E, `html(${selector})`, DEFAULT_TIMEOUT, evaluate(htmlOf(selector)) as Promise<string | null>),
    errors: async () => [...errors],
    close: () => guard(E, 'tab.close', DEFAULT_TIMEOUT, close()).then(() => {}),
  };
}

export async function launch(name: EngineName): Promise<Engine> {
  try {
    switch (name) {
      case 'chromium':
        return await launchChromium();
      case 'firefox':
        return await launchFirefox();
      case 'webkit':
        return await launchWebKit(WPE);
      case 'webkitgtk':
        return await launchWebKit(GTK);
      default:
        throw new Error(`unknown engine ${String(name)}`);
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
  if (r?.e !== undefined && r.e !== null)
    throw new Error(`[${engine}] eval(${short(expression)}) threw in the page: ${r.e}`);
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
 *  cores busy most navigations lose their first probe, and with this bound 0 of 150 failed.
 *  WebKitWebDriver 2.50 (webkitgtk) answered every probe here: 0 unanswered in ~300 navigations,
 *  idle and with both cores busy (WPE in the same runs: 6 in ~230). */
const untilCommitted = (probe: () => Promise<unknown>) =>
  poll('no commit', DEFAULT_TIMEOUT, () => {
    const answer = probe();
    answer.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const unanswered = new Promise<false>((r) => {
      timer = setTimeout(r, PROBE_TIMEOUT, false);
    });
    return Promise.race([
      answer.then(
        (url) => typeof url === 'string' && url !== 'about:blank',
        () => false,
      ),
      unanswered,
    ]).finally(() => clearTimeout(timer));
  });
const PROBE_TIMEOUT = 1_500;

// ---------------------------------------------------------------- chromium (playwright-core)

async function launchChromium(): Promise<Engine> {
  const browser: PwBrowser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const E: EngineName = 'chromium';
  return {
    name: E,
    version: browser.version(),
    async open(url, opts = {}) {
      // One context per tab: javaScriptEnabled is a context option, and tabs stay isolated.
      const context = await guard(
        E,
        'newContext',
        DEFAULT_TIMEOUT,
        browser.newContext({ javaScriptEnabled: opts.javaScript !== false }),
      );
      const page = await guard(E, 'newPage', DEFAULT_TIMEOUT, context.newPage());
      const errors: string[] = [];
      // CSP violations arrive here as console errors. So does the 404 of the browser's own
      // /favicon.ico request, which is not the page's doing: dropped.
      page.on('console', (m) => {
        if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico'))
          errors.push(`console.error: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      await guard(E, `open(${url})`, DEFAULT_TIMEOUT, page.goto(url, { waitUntil: 'commit' })).catch(async (e) => {
        await context.close().catch(() => {});
        throw e;
      });
      // CDP evaluation still works with the context's JavaScript disabled.
      return evaluatingTab(
        E,
        (code) => page.evaluate(code),
        errors,
        () => context.close(),
      );
    },
    close: () => guard(E, 'close', DEFAULT_TIMEOUT, browser.close()),
  };
}

// ---------------------------------------------------------------- firefox (puppeteer-core, BiDi)

async function launchFirefoxBrowser(prefs?: Record<string, unknown>): Promise<PpBrowser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: '/usr/bin/firefox-esr',
    headless: true,
    extraPrefsFirefox: prefs,
  });
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
      const owner = js
        ? browser
        : await guard(
            E,
            'launch (javascript.enabled=false)',
            DEFAULT_TIMEOUT,
            (noJs ??= launchFirefoxBrowser({ 'javascript.enabled': false })),
          );
      const context = await guard(E, 'createBrowserContext', DEFAULT_TIMEOUT, owner.createBrowserContext());
      const page: PpPage = await guard(E, 'newPage', DEFAULT_TIMEOUT, context.newPage());
      const errors: string[] = [];
      // Over BiDi, CSP violations arrive as page errors ("Content-Security-Policy: ...").
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`pageerror: ${e instanceof Error ? e.message : String(e)}`));
      // page.goto waits for at least DOMContentLoaded (and the response body), which a held-open
      // stream never reaches; the BiDi navigate with wait 'none' returns at once.
      const frame = page.mainFrame() as unknown as {
        browsingContext: { navigate(url: string, wait: 'none'): Promise<void> };
      };
      await guard(
        E,
        `open(${url})`,
        DEFAULT_TIMEOUT,
        (async () => {
          await frame.browsingContext.navigate(url, 'none');
          await untilCommitted(() => page.evaluate('document.URL'));
        })(),
      ).catch(async (e) => {
        await context.close().catch(() => {});
        throw e;
      });
      // BiDi script.evaluate works with javascript.enabled=false.
      return evaluatingTab(
        E,
        (code) => page.evaluate(code),
        errors,
        () => context.close(),
      );
    },
    async close() {
      await guard(
        E,
        'close',
        DEFAULT_TIMEOUT,
        Promise.all([
          browser.close(),
          noJs?.then(
            (b) => b.close(),
            () => {},
          ),
        ]),
      );
    },
  };
}

// ---------------------------------------------------------------- webkit (WPEWebDriver + cog),
// ---------------------------------------------------------------- webkitgtk (WebKitWebDriver + MiniBrowser on Xvfb)

// Both WebKit ports speak classic WebDriver only (WebKitWebDriver 2.50 refuses webSocketUrl), allow
// one session per driver ("Maximum number of active sessions"), make JavaScript a per-browser-process
// setting, and run a session's commands one after another (a pending eval would block every other
// window). So each tab is its own driver + browser pair (measured idle: ~0.13 s to start with WPE,
// ~0.19 s with WebKitGTK). The pair started by launch() (needed to read the version) is kept for the
// first JS-on tab. Only how a pair starts differs between the ports:
interface WebKitPort {
  engine: 'webkit' | 'webkitgtk';
  /** Names the port in the no-commit hint. */
  label: string;
  /** The WebDriver server binary (Debian: wpewebkit-driver, webkit2gtk-driver). */
  driver: string;
  /** Session capabilities besides pageLoadStrategy. A JS-off browser still runs WebDriver scripts. */
  capabilities(javaScript: boolean): Record<string, unknown>;
  /** The browser needs an X server: launch() starts one Xvfb per engine for all its pairs. */
  x11: boolean;
}

// --enable-javascript=false (not --enable-javascript-markup=false), a WebKitSettings flag both cog and
// MiniBrowser take: the page's scripts do not run, <noscript> is parsed as markup, and WebDriver
// scripts still run.
const noJs = (javaScript: boolean) => (javaScript ? [] : ['--enable-javascript=false']);

const WPE: WebKitPort = {
  engine: 'webkit',
  label: 'WPE',
  driver: 'WPEWebDriver',
  x11: false,
  capabilities: (javaScript) => ({
    browserName: 'cog',
    'wpe:browserOptions': {
      binary: '/usr/bin/cog',
      args: ['--automation', '--platform=headless', ...noJs(javaScript)],
    },
  }),
};

const GTK: WebKitPort = {
  engine: 'webkitgtk',
  label: 'WebKitGTK',
  driver: 'WebKitWebDriver',
  x11: true,
  capabilities: (javaScript) => ({
    browserName: 'MiniBrowser',
    // No binary: the driver's own MiniBrowser (/usr/lib/<multiarch>/webkit2gtk-4.1/MiniBrowser). args
    // replace the driver's default ['--automation'], so it is repeated. MiniBrowser (GTK 3) has no
    // headless mode: it needs a display.
    'webkitgtk:browserOptions': { args: ['--automation', ...noJs(javaScript)] },
  }),
};

const children = new Set<ChildProcess>();
// Backstop if a test run dies without close(): a driver's process group holds its browser and
// WebKit's helper processes.
process.once('exit', () => {
  for (const p of children) killGroup(p);
});

function killGroup(p: ChildProcess, signal: NodeJS.Signals = 'SIGKILL') {
  try {
    process.kill(-p.pid!, signal);
  } catch {
    /* already gone */
  }
  children.delete(p);
}

/** Spawns a helper in its own process group (so killGroup takes its descendants down with it),
 *  keeping the tail of its output for error messages. */
function spawnChild(command: string, args: string[], env?: NodeJS.ProcessEnv, extraFd = false) {
  const proc = spawn(command, args, {
    detached: true,
    env,
    stdio: ['ignore', 'pipe', 'pipe', ...(extraFd ? ['pipe' as const] : [])],
  });
  children.add(proc);
  let tail = '';
  const keep = (b: Buffer) => {
    tail = (tail + b.toString()).slice(-2000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  // A missing binary is reported as exited, not as an unhandled 'error' event.
  let failure = '';
  proc.once('error', (e) => {
    failure = `${e.message} (not installed?)`;
  });
  proc.once('exit', () => children.delete(proc));
  const gone = () =>
    failure || proc.exitCode !== null || proc.signalCode
      ? `${command} exited (${failure || (proc.exitCode ?? proc.signalCode)}): ${tail}`
      : '';
  return { proc, gone, log: () => tail };
}

interface Xvfb {
  display: string;
  proc: ChildProcess;
}

/** One private X server per engine. -displayfd: Xvfb takes the first free display number itself and
 *  writes it to fd 3, so parallel runs, xvfb-run -a and a desktop's :0 do not collide. */
async function startXvfb(E: EngineName): Promise<Xvfb> {
  const { proc, gone } = spawnChild(
    'Xvfb',
    ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1280x1024x24'],
    undefined,
    true,
  );
  let out = '';
  (proc.stdio[3] as NodeJS.ReadableStream).on('data', (b: Buffer) => {
    out += b.toString();
  });
  try {
    await poll('Xvfb reported no display', 10_000, async () => {
      if (gone()) throw new Error(gone());
      return out.includes('\n');
    });
    return { display: `:${out.trim()}`, proc };
  } catch (e) {
    killGroup(proc);
    throw engineError(E, 'Xvfb', e);
  }
}

/** SIGTERM lets Xvfb remove its /tmp/.X<n>-lock; SIGKILL after 2 s if it has not exited. */
async function stopXvfb(x: Xvfb) {
  if (x.proc.exitCode === null && !x.proc.signalCode) {
    const exited = new Promise((r) => x.proc.once('exit', r));
    killGroup(x.proc, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
  }
  killGroup(x.proc);
}

interface WebKitSession {
  driver: WebDriver;
  proc: ChildProcess;
  version: string;
}

async function startWebKitSession(
  port: WebKitPort,
  javaScript: boolean,
  env?: NodeJS.ProcessEnv,
): Promise<WebKitSession> {
  const E = port.engine;
  const tcp = await freePort();
  const { proc, gone, log } = spawnChild(port.driver, [`--port=${tcp}`], env);
  try {
    // The driver prints nothing when ready: wait until it accepts connections.
    await poll(`${port.driver} not listening`, 10_000, async () => {
      if (gone()) throw new Error(gone());
      return new Promise<boolean>((r) => {
        const c = net
          .connect(tcp, '127.0.0.1', () => {
            c.destroy();
            r(true);
          })
          .once('error', () => r(false));
      });
    });
    const driver = new Builder()
      .usingServer(`http://127.0.0.1:${tcp}`)
      .withCapabilities({
        // 'none': get() returns at once; 'normal'/'eager' would wait for load/DOMContentLoaded.
        pageLoadStrategy: 'none',
        ...port.capabilities(javaScript),
      })
      .build();
    const caps = await guard(E, 'session creation', 30_000, driver.getCapabilities());
    await driver.manage().setTimeouts({ script: DEFAULT_TIMEOUT });
    return { driver, proc, version: String(caps.get('browserVersion')) };
  } catch (e) {
    killGroup(proc);
    throw engineError(E, 'session creation', new Error(`${e instanceof Error ? e.message : e}\n${log()}`));
  }
}

async function endWebKitSession(s: WebKitSession) {
  // quit() closes the browser cleanly; the group kill covers a hung quit and any stragglers.
  await Promise.race([s.driver.quit().catch(() => {}), new Promise((r) => setTimeout(r, 5000).unref())]);
  killGroup(s.proc);
}

// Installed right after commit: WPEWebDriver 2.38 and WebKitWebDriver 2.50 have no log endpoint
// (GET /se/log → unknown command), no BiDi, no script-before-page-scripts hook, and cog's
// console-to-stdout setting is silent under automation. So errors raised before open() returns are
// not seen.
const RECORDER = `if (!window.__e2eErrors) {
  const errs = window.__e2eErrors = [];
  addEventListener('error', (e) => errs.push('pageerror: ' + (e.error ? e.error.name + ': ' + e.error.message : e.message)));
  addEventListener('unhandledrejection', (e) => errs.push('pageerror: unhandled rejection: ' + (e.reason instanceof Error ? e.reason.message : String(e.reason))));
  addEventListener('securitypolicyviolation', (e) => errs.push('pageerror: Content-Security-Policy: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')));
  const error = console.error;
  console.error = function (...a) { errs.push('console.error: ' + a.map(String).join(' ')); return error.apply(this, a); };
}`;

async function launchWebKit(port: WebKitPort): Promise<Engine> {
  const E = port.engine;
  const x = port.x11 ? await startXvfb(E) : undefined;
  // GDK_BACKEND: never a Wayland compositor the run happens to inherit.
  const env = x && { ...process.env, DISPLAY: x.display, GDK_BACKEND: 'x11' };
  const start = (javaScript: boolean) => startWebKitSession(port, javaScript, env);
  let spare: WebKitSession | undefined = await start(true).catch(async (e) => {
    if (x) await stopXvfb(x);
    throw e;
  });
  const version = spare.version;
  const live = new Set<WebKitSession>();
  return {
    name: E,
    version,
    async open(url, opts = {}) {
      const js = opts.javaScript !== false;
      const s = spare && js ? spare : await start(js);
      if (s === spare) spare = undefined;
      live.add(s);
      const { driver } = s;
      let scriptTimeout = DEFAULT_TIMEOUT;
      try {
        await guard(
          E,
          `open(${url})`,
          DEFAULT_TIMEOUT,
          (async () => {
            await driver.get(url);
            await untilCommitted(() => driver.executeScript('return document.URL'));
            if (js) await driver.executeScript(RECORDER);
          })(),
        );
      } catch (e) {
        live.delete(s);
        await endWebKitSession(s);
        // An unreachable server shows no error here either: the tab just stays on about:blank.
        throw /timed out|no commit/.test((e as Error).message)
          ? new Error(
              `${(e as Error).message}: no commit. ${port.label} commits only after 512 bytes of body (or the` +
                ' end of the response) arrived; or the server was unreachable',
              { cause: e },
            )
          : e;
      }
      return {
        async eval<T>(expression: string, o: { timeout?: number } = {}) {
          const ms = o.timeout ?? DEFAULT_TIMEOUT;
          const what = `eval(${short(expression)})`;
          // The session's script timeout bounds the pending executeAsyncScript in the browser, so a
          // timed-out eval does not keep blocking the session's next command.
          const run = async () => {
            if (ms !== scriptTimeout) {
              await driver.manage().setTimeouts({ script: ms });
              scriptTimeout = ms;
            }
            return driver
              .executeAsyncScript<PageResult>(`const done = arguments[arguments.length - 1];
const r = ${pageSide(expression)};
if (r && typeof r.then === 'function') r.then(done); else done(r);`)
              .catch((e: Error) => {
                throw e.name === 'ScriptTimeoutError' ? new Error(`[${E}] ${what} timed out after ${ms} ms`) : e;
              });
          };
          return unwrap<T>(E, expression, await guard(E, what, ms + 5000, run()));
        },
        // WebDriver scripts run even with --enable-javascript=false.
        html: (selector) =>
          guard(
            E,
            `html(${selector})`,
            DEFAULT_TIMEOUT,
            driver.executeScript<string | null>(`return ${htmlOf(selector)};`),
          ),
        errors: () =>
          guard(
            E,
            'errors',
            DEFAULT_TIMEOUT,
            driver.executeScript<string[] | null>('return window.__e2eErrors || [];').then((r) => r ?? []),
          ),
        async close() {
          if (live.delete(s)) await endWebKitSession(s);
        },
      };
    },
    async close() {
      await Promise.all([...live, ...(spare ? [spare] : [])].map(endWebKitSession));
      live.clear();
      spare = undefined;
      if (x) await stopXvfb(x);
    },
  };
}

/**
 * Polls a driver-side condition, bounded. Only for what the page cannot signal itself: pages whose JavaScript is
 * off, and what reaches Node from the page.
 */
export async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
