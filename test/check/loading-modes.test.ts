// The checker and the ways of loading the runtime (PROTOCOL.md §5): a runtime that the browser runs only after the
// document's end (defer, a module without async) holds every pagelet until then; the loader's tag, held in a
// <template> and inserted by a script, runs as soon as it is fetched.
import { describe, expect, it } from 'vitest';
import { checkStream, type Arrival } from '../../src/check';
import { LOADER, STUB } from '../../src/protocol';
import { placeholder, runtimeTags, serializePagelet } from '../../src/server';
import { messages } from './helpers';

const shell = (runtime: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8">${runtime}</head><body>` +
  `<p>${'The page, streamed. '.repeat(30)}</p>${placeholder('a')}${placeholder('b')}`;
const END = '</body></html>';
const good = (target: string) => serializePagelet({ target, html: `<p>${target}</p>`, total: 2 });
const at = (...parts: string[]): Arrival[] => parts.map((data, i) => ({ at: i * 10, data }));
const check = (runtime: string) => messages(checkStream(at(shell(runtime), good('a'), good('b'), END)));
const shellRow = (runtime: string) => checkStream(at(shell(runtime), good('a'), good('b'), END)).chunks[0]!.contents;

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
      `error: the runtime /bigpipe.min.js loads with defer: ${HOLDS} (load it with the loader of PROTOCOL.md §5)`,
    ]);
  });

  it('reports a module runtime without async as holding every pagelet to the end', () => {
    expect(check(`<script>${STUB}</script><script type="module" src="/bigpipe-app.js"></script>`)).toEqual([
      `error: the runtime /bigpipe-app.js loads as a module script without async: ${HOLDS} (load it with the loader of PROTOCOL.md §5)`,
    ]);
    // defer changes nothing on a module
    expect(check(`<script>${STUB}</script><script type="module" defer src="/bigpipe-app.js"></script>`)).toHaveLength(
      1,
    );
  });

  it('says both when a deferred runtime also lacks the stub', () => {
    expect(check('<script defer src="/bigpipe.min.js"></script>')).toEqual([
      `error: the runtime /bigpipe.min.js loads with defer: ${HOLDS} (load it with the loader of PROTOCOL.md §5)`,
      'error: the runtime /bigpipe.min.js loads with defer but the stub is not before it: payloads that arrive first throw (put the stub of PROTOCOL.md §5 before it)',
    ]);
  });

  it('takes async over defer, as the browser does: no error, only the warning of any parser-written async runtime', () => {
    expect(check(`<script>${STUB}</script><script async defer src="/bigpipe.min.js"></script>`)).toEqual([
      expect.stringMatching(/^warning: the runtime \/bigpipe\.min\.js is a parser-written async script: WebKit holds/),
    ]);
  });

  it('warns when every script after the stub runs after the end, in case the runtime is bundled there', () => {
    expect(
      check(
        `<script>${STUB}</script><script type="module" src="/app.js"></script><script defer src="/vendor.js"></script>`,
      ),
    ).toEqual([
      `warning: every script after the stub (/app.js as a module script without async, /vendor.js with defer) runs only after the document's end: if the runtime is bundled into one, ${HOLDS} (load it with the loader of PROTOCOL.md §5)`,
    ]);
    expect(check(`<script>${STUB}</script><script type="module" async src="/app.js"></script>`)).toEqual([]);
  });

  it.each<[string, Parameters<typeof runtimeTags>[0], string]>([
    ['async', { runtime: { src: '/bigpipe.min.js', async: true } }, 'loader, runtime /bigpipe.min.js'],
    // an app bundle's name need not say bigpipe: the loader's tag is the runtime
    [
      'module',
      { runtime: { src: '/app.js', module: true, integrity: 'sha384-x' } },
      'loader, runtime /app.js (module)',
    ],
  ])('names the loader and the runtime it inserts, %s', (_, options, row) => {
    expect(shellRow(runtimeTags({ ...options, nonce: 'N0nce' }))).toEqual([
      `shell (doctype, meta charset, ${row}, ids: a b)`,
    ]);
  });

  it("takes defer, or a module without async, in the loader's <template> as fine: an inserted script runs when fetched", () => {
    expect(
      check(`<template><script defer src="/bigpipe.min.js"></script></template><script>${LOADER}</script>`),
    ).toEqual([]);
    expect(
      check(`<template><script type="module" src="/app.js"></script></template><script>${LOADER}</script>`),
    ).toEqual([]);
  });

  it("warns of async on the loader's tag, which WebKit holds until the first paint", () => {
    expect(
      check(`<template><script type="module" async src="/app.js"></script></template>\n<script>${LOADER}</script>`),
    ).toEqual([
      "warning: the runtime /app.js in the loader's <template> has async: WebKit holds a script with that attribute until the page first paints, so pagelets wait for it there (drop it: the loader inserts the script, which then runs as soon as it is fetched, PROTOCOL.md §5)",
    ]);
  });

  it('reports a loader with no <template> tag before it', () => {
    expect(check(`<script>${LOADER}</script>`)).toEqual([
      "error: the loader of PROTOCOL.md §5 has no <template> holding the runtime's script tag before it: the runtime never loads",
    ]);
  });

  it('counts no tag in a <template> as a runtime without the loader: the parser never runs it', () => {
    expect(check('<template><script src="/bigpipe.min.js"></script></template>')).toEqual([
      'error: no runtime or stub before the first payload: BigPipe is not defined when it arrives (PROTOCOL.md §5)',
    ]);
  });
});
