// The checker and the ways of loading the runtime (PROTOCOL.md §5): a runtime that the browser runs only after the
// document's end (defer, a module without async) holds every pagelet until then.
import { describe, expect, it } from 'vitest';
import { checkStream, type Arrival } from '../../src/check';
import { STUB } from '../../src/protocol';
import { placeholder, runtimeTags, serializePagelet } from '../../src/server';
import { messages } from './helpers';

const shell = (runtime: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8">${runtime}</head><body>` +
  `<p>${'The page, streamed. '.repeat(30)}</p>${placeholder('a')}${placeholder('b')}`;
const END = '</body></html>';
const good = (target: string) => serializePagelet({ target, html: `<p>${target}</p>`, total: 2 });
const at = (...parts: string[]): Arrival[] => parts.map((data, i) => ({ at: i * 10, data }));
const check = (runtime: string) => messages(checkStream(at(shell(runtime), good('a'), good('b'), END)));

const HOLDS =
  'the browser runs it only once the document has been parsed to its end, which a streamed page reaches after its ' +
  'last payload, so every pagelet waits and they all show at once, at the end';

describe('the runtime loading modes', () => {
  it.each<[string, Parameters<typeof runtimeTags>[0]]>([
    ['inline', {}],
    ['script tag', { runtime: { src: '/bigpipe.min.js' } }],
    ['async + stub', { runtime: { src: '/bigpipe.min.js', async: true } }],
    ['module', { runtime: { src: '/bigpipe-app.js', module: true } }],
  ])("finds nothing wrong with the server module's %s runtime", (_, options) => {
    expect(check(runtimeTags(options))).toEqual([]);
  });

  it('reports a defer runtime as holding every pagelet to the end', () => {
    expect(check(`<script>${STUB}</script><script defer src="/bigpipe.min.js"></script>`)).toEqual([
      `error: the runtime /bigpipe.min.js loads with defer: ${HOLDS} (give it async, after the stub: PROTOCOL.md §5)`,
    ]);
  });

  it('reports a module runtime without async as holding every pagelet to the end', () => {
    expect(check(`<script>${STUB}</script><script type="module" src="/bigpipe-app.js"></script>`)).toEqual([
      `error: the runtime /bigpipe-app.js loads as a module script without async: ${HOLDS} (give it async, after the stub: PROTOCOL.md §5)`,
    ]);
    // defer changes nothing on a module
    expect(check(`<script>${STUB}</script><script type="module" defer src="/bigpipe-app.js"></script>`)).toHaveLength(
      1,
    );
  });

  it('says both when a deferred runtime also lacks the stub', () => {
    expect(check('<script defer src="/bigpipe.min.js"></script>')).toEqual([
      `error: the runtime /bigpipe.min.js loads with defer: ${HOLDS} (give it async, after the stub: PROTOCOL.md §5)`,
      'error: the runtime /bigpipe.min.js loads with defer but the stub is not before it: payloads that arrive first throw (put the stub of PROTOCOL.md §5 before it)',
    ]);
  });

  it('takes async over defer, as the browser does', () => {
    expect(check(`<script>${STUB}</script><script async defer src="/bigpipe.min.js"></script>`)).toEqual([]);
  });

  it('warns when every script after the stub runs after the end, in case the runtime is bundled there', () => {
    expect(
      check(
        `<script>${STUB}</script><script type="module" src="/app.js"></script><script defer src="/vendor.js"></script>`,
      ),
    ).toEqual([
      `warning: every script after the stub (/app.js as a module script without async, /vendor.js with defer) runs only after the document's end: if the runtime is bundled into one, ${HOLDS} (give it async: PROTOCOL.md §5)`,
    ]);
    expect(check(`<script>${STUB}</script><script type="module" async src="/app.js"></script>`)).toEqual([]);
  });
});
