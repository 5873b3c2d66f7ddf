// Campaign 5, Trusted Types: under `require-trusted-types-for 'script'; trusted-types bigpipe` and a nonce'd
// script-src, a page streamed by renderToNodeResponse with the Trusted Types build (dist/bigpipe.tt.min.js: inlined
// by the server with runtime 'inline-trusted-types', from a script tag, or async through the loader of PROTOCOL §5) works fully (html,
// css, css_links, js_links, js) with no violation. What the default build (inlined, no Trusted Types) does on such
// a page is shown too.
//   node stress/trusted-types.mjs [engines]      (default chromium,firefox,webkitgtk: the engines that have Trusted Types)
import { readFileSync } from 'node:fs';
import { placeholder, renderToNodeResponse } from 'bigpipe-js/server';
import { HTML, serve } from '../test/support/loopback.mjs';
import { machineLine } from '../test/support/machine.mjs';
import { AFTER_HEAD, RECORDER } from '../test/support/recorder.mjs';
import { goal, isMain, loadDrivers, report, withEngine } from './lib.mjs';

const NONCE = 'dHJ1c3RlZC10eXBlcw';
export const CSP =
  `default-src 'self'; script-src 'self' 'nonce-${NONCE}'; style-src 'self' 'nonce-${NONCE}'; ` +
  `require-trusted-types-for 'script'; trusted-types bigpipe`;

const pagelets = () => [
  { id: 'a', render: () => ({ html: '<p class="a">inline css</p>', css: '#a .a{color:rgb(1, 2, 3)}' }) },
  {
    id: 'b',
    render: () =>
      new Promise((r) => setTimeout(r, 20, { html: '<p class="b">linked css</p>', css_links: ['/tt/b.css'] })),
  },
  {
    id: 'c',
    render: () => ({ html: '<p>scripts</p>', js_links: ['/tt/c.js'], js: 'window.cInline = window.cLinked' }),
  },
  {
    id: 'd',
    render: () =>
      new Promise((r) =>
        setTimeout(r, 10, {
          html: '<b>inert</b><script>window.pwned = 1</script>',
          js: 'document.querySelector("#d b").dataset.ran = "yes"',
        }),
      ),
  },
];

/** What the page shows once bigpipe:done has fired. */
const CHECK = `(async () => {
  ${AFTER_HEAD}
  await window.__done;
  const color = (sel) => { const el = document.querySelector(sel); return el && getComputedStyle(el).color; };
  const count = (type) => __rec.events.filter((e) => e.type === type).length;
  return {
    trustedTypes: typeof window.trustedTypes === 'object' && window.trustedTypes !== null,
    displayed: count('display'), done: count('done'), errorEvents: __rec.events.filter((e) => e.type === 'error'),
    inlineCss: color('#a .a'), linkedCss: color('#b .b'),
    jsLinkRuns: window.cLinked, jsAfterLinks: window.cInline, jsRan: document.querySelector('#d b') && document.querySelector('#d b').dataset.ran,
    pwned: window.pwned, violations: __rec.violations, pageErrors: __rec.errors, console: __rec.console,
  };
})()`;

/** For a page that may never finish: what it shows once loaded (the load event waits for every payload). */
const CHECK_LOADED = CHECK.replace(
  'await window.__done;',
  "if (document.readyState !== 'complete') await new Promise((r) => addEventListener('load', r));",
);

/** A control: the same CSP is enforced in this engine (a string assigned to innerHTML throws and is reported). */
const CONTROL = `(async () => {
  ${AFTER_HEAD}
  let threw = false;
  try { document.createElement('div').innerHTML = '<b>x</b>'; } catch (e) { threw = e instanceof TypeError; }
  await new Promise((r) => setTimeout(r, 50)); // the violation event is queued as a task
  return { threw, violations: __rec.violations.length };
})()`;

/** The page in `engine`: the Trusted Types build inlined, from a script tag and async; the default build inlined; the control. */
export const trustedTypes = async (engine) => {
  const route = (runtime) => (_req, res) => {
    res.setHeader('Content-Security-Policy', CSP);
    void renderToNodeResponse(
      {
        head: `<script nonce="${NONCE}">${RECORDER}</script>`,
        body:
          `<p>${'Trusted Types page, streamed pagelet by pagelet. '.repeat(8)}</p>` +
          ['a', 'b', 'c', 'd'].map(placeholder).join(''),
        pagelets: pagelets(),
      },
      res,
      { nonce: NONCE, runtime },
    );
  };
  const server = await serve({
    '/inline': route('inline-trusted-types'),
    '/script-src': route({ src: '/bigpipe.tt.min.js' }),
    '/async': route({ src: '/bigpipe.tt.min.js', async: true }),
    '/default-inline': route('inline'),
    '/control': (_req, res) =>
      res
        .writeHead(200, { 'Content-Type': HTML, 'Content-Security-Policy': CSP })
        .end(
          `<!DOCTYPE html><html><head><meta charset="utf-8"><script nonce="${NONCE}">${RECORDER}</script></head><body><p>${'control '.repeat(80)}</p></body></html>`,
        ),
    '/bigpipe.tt.min.js': (_req, res) =>
      res
        .writeHead(200, { 'Content-Type': 'text/javascript' })
        .end(readFileSync(new URL('../dist/bigpipe.tt.min.js', import.meta.url))),
    '/tt/b.css': (_req, res) => res.writeHead(200, { 'Content-Type': 'text/css' }).end('#b .b{color:rgb(4, 5, 6)}'),
    '/tt/c.js': (_req, res) =>
      res.writeHead(200, { 'Content-Type': 'text/javascript' }).end('window.cLinked = (window.cLinked || 0) + 1;'),
  });
  const run = async (path, check) => {
    const tab = await engine.open(server.base + path);
    try {
      const seen = await tab.eval(check, { timeout: 20_000 });
      return { ...seen, driverErrors: await tab.errors() };
    } finally {
      await tab.close();
    }
  };
  try {
    return {
      engine: `${engine.name} ${engine.version}`,
      control: await run('/control', CONTROL),
      inline: await run('/inline', CHECK),
      scriptSrc: await run('/script-src', CHECK),
      async: await run('/async', CHECK),
      defaultInline: await run('/default-inline', CHECK_LOADED),
    };
  } finally {
    await server.close();
  }
};

/** The ways a page run differs from a fully working one (empty when it works). */
export const failures = (seen) => {
  const out = [];
  if (!seen.trustedTypes) out.push('window.trustedTypes missing');
  if (seen.displayed !== 4) out.push(`displayed ${seen.displayed} of 4`);
  if (seen.done !== 1) out.push(`bigpipe:done fired ${seen.done} times`);
  if (seen.errorEvents.length) out.push(`bigpipe:error ${JSON.stringify(seen.errorEvents)}`);
  if (seen.inlineCss !== 'rgb(1, 2, 3)') out.push(`inline css: ${seen.inlineCss}`);
  if (seen.linkedCss !== 'rgb(4, 5, 6)') out.push(`css_links: ${seen.linkedCss}`);
  if (seen.jsLinkRuns !== 1) out.push(`js_links ran ${seen.jsLinkRuns} times`);
  if (seen.jsAfterLinks !== 1) out.push(`js ran before its js_links (or not at all): ${seen.jsAfterLinks}`);
  if (seen.jsRan !== 'yes') out.push('inline js did not run');
  if (seen.pwned) out.push('a <script> inside html ran');
  for (const v of seen.violations) out.push(`violation: ${v}`);
  for (const e of [...seen.pageErrors, ...seen.console, ...seen.driverErrors]) out.push(`error: ${e}`);
  return out;
};

if (isMain(import.meta)) {
  const engines = (process.argv[2] ?? 'chromium,firefox,webkitgtk').split(',');
  console.log(machineLine());
  const drivers = await loadDrivers();
  for (const name of engines) {
    const f = await withEngine(drivers, name, (engine) => trustedTypes(engine));
    const works = 'none (html, css, css_links, js_links, js all work, 0 violations)';
    const d = f.defaultInline;
    report(`Trusted Types, ${f.engine}: CSP "${CSP}"`, {
      'control: string to innerHTML throws and is reported': `${f.control.threw} (${f.control.violations} violation)`,
      "dist/bigpipe.tt.min.js inlined (runtime 'inline-trusted-types'): problems": failures(f.inline).length
        ? failures(f.inline)
        : works,
      'dist/bigpipe.tt.min.js from a script tag: problems': failures(f.scriptSrc).length
        ? failures(f.scriptSrc)
        : works,
      'dist/bigpipe.tt.min.js async through the loader: problems': failures(f.async).length ? failures(f.async) : works,
      'default build inlined (not meant for Trusted Types)': `${d.displayed} of 4 displayed, ${d.violations.length} violations, ${d.pageErrors.length} uncaught errors, bigpipe:error ${d.errorEvents.length}`,
    });
    goal(`${name}: the policy is enforced (control)`, f.control.threw && f.control.violations === 1);
    goal(
      `${name}: the Trusted Types build works fully with 0 violations (inlined, script tag and async)`,
      ![f.inline, f.scriptSrc, f.async].some((run) => failures(run).length),
    );
  }
}
