/** The page-level rules: HTTP headers, the shell, `total`, and the timing that shows buffering. */
import type { ChunkReport, Finding, ResponseInfo } from './types';

/** A body that goes on this long after the headers "took long"... */
export const LONG_MS = 250;
/** ...and payloads that arrived within this many ms of its end arrived "at the end". */
export const END_WINDOW_MS = 25;

const BUFFERING = 'compression without a flush per chunk, or a proxy without "X-Accel-Buffering: no" (PROTOCOL.md §8)';

/** A payload as the page-level rules see it. */
export interface Payload {
  target?: string;
  total?: unknown;
  chunk: number;
  at: number;
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function checkHeaders(response: ResponseInfo, add: (level: Finding['level'], message: string) => void) {
  const header = (name: string) => response.headers.get(name);
  const { status } = response;
  if (status < 200 || status > 299)
    add(
      'error',
      `the status is ${status}, not 2xx: ${status < 400 ? 'a redirect with nowhere to go' : 'an error'}, not a ` +
        'page (decide redirects and errors before the shell, PROTOCOL.md §8)',
    );
  else if (status !== 200) add('warning', `the status is ${status}, not 200`);
  const type = header('content-type');
  if (!type) add('error', 'no Content-Type: send "text/html; charset=utf-8" (PROTOCOL.md §8)');
  else {
    if (!/^\s*text\/html\s*(;|$)/i.test(type)) add('error', `Content-Type is "${type}", not text/html`);
    if (!/;\s*charset\s*=\s*"?utf-8"?\s*(;|$)/i.test(type))
      add(
        'error',
        `Content-Type "${type}" has no charset=utf-8: Firefox and WebKit may paint nothing until later chunks ` +
          '(send "text/html; charset=utf-8", PROTOCOL.md §8)',
      );
  }
  if (header('x-accel-buffering')?.trim().toLowerCase() !== 'no')
    add('warning', 'no "X-Accel-Buffering: no": an nginx-style proxy in front may buffer the stream (PROTOCOL.md §8)');
  if (header('content-length') !== null)
    add('warning', 'Content-Length is set: the server knew the whole body before sending it, so nothing was streamed');
}

/** A script of the shell, as the runtime rules need it. */
export interface ShellScript {
  start: number;
  /** its src, entities decoded; undefined for an inline script */
  src?: string;
  /** its content is the stub of §5 */
  stub: boolean;
  /** its content is the loader of §5: the stub, then the insertion of the tag in the <template> before it */
  loader: boolean;
  /** inside a <template>: the parser does not run it; the loader inserts it, as a script-inserted script */
  template: boolean;
  /** its content mentions onPageletArrive: an inline runtime (or the stub) */
  arrive: boolean;
  /** type="module" */
  module: boolean;
  /** the async attribute: an external script runs as soon as it is fetched */
  async: boolean;
  /** the defer attribute */
  defer: boolean;
}

/**
 * Whether the browser runs this script only once the document has been parsed to its end: an external `defer` one, or
 * a module one, unless it has `async` (which wins over defer; defer changes nothing on a module). On a streamed page
 * that is after the last payload.
 */
export const afterTheParse = (s: ShellScript) => !s.async && (s.module || (s.defer && s.src !== undefined));

/** "with defer" or "as a module without async", for a script that afterTheParse(). */
const how = (s: ShellScript) => (s.module ? 'as a module script without async' : 'with defer');

const HOLDS =
  'the browser runs it only once the document has been parsed to its end, which a streamed page reaches after its ' +
  'last payload, so every pagelet waits and they all show at once, at the end';

/** What the stream found in the shell (the page before its first payload). */
export interface Shell {
  doctype: boolean;
  /** the first <meta> that sets charset=utf-8: its offset and UTF-8 byte offset */
  meta?: { start: number; byte: number };
  scripts: ShellScript[];
  ids: Set<string>;
  /** UTF-8 bytes */
  bytes: number;
}

/** What WPE WebKit needs of a streamed document before it paints anything (PROTOCOL.md §8). */
export const FIRST_PAINT_BYTES = 512;

/**
 * The shell (§1, §5, §8): doctype, meta charset in the first 1024 bytes, the runtime (inline, a script tag, or the
 * stub before an async one) before the first payload, enough bytes for a first paint. Returns what it found, for the
 * chunk table.
 */
export function checkShell(
  shell: Shell,
  hasPayloads: boolean,
  add: (level: Finding['level'], message: string, offset?: number) => void,
): string[] {
  const found: string[] = [];
  if (shell.doctype) found.push('doctype');
  else add('error', 'the page does not start with <!DOCTYPE html> (browsers render it in quirks mode)', 0);
  const { meta } = shell;
  if (!meta) add('error', 'no <meta charset="utf-8"> in the shell (PROTOCOL.md §1)', 0);
  else if (meta.byte < 1024) found.push('meta charset');
  else {
    const message = `<meta charset="utf-8"> starts at byte ${meta.byte}: browsers only look in the first 1024 bytes`;
    add('error', message, meta.start);
  }

  const loader = shell.scripts.find((s) => s.loader && !s.template);
  // The loader inserts the last tag held in a <template> before it, whatever its name (an app bundle, say).
  const held = loader && shell.scripts.filter((s) => s.template && s.start < loader.start).at(-1);
  const scripts = shell.scripts.filter((s) => !s.template);
  const stub = scripts.find((s) => s.stub);
  const inline = scripts.find((s) => s.src === undefined && s !== stub && s !== loader && s.arrive);
  const external = scripts.filter((s) => s.src !== undefined);
  const runtime = external.find((s) => /bigpipe/i.test(s.src!) && !/bigpipe[.-]compat/i.test(s.src!));
  if (inline) found.push('runtime inline');
  else if (loader) {
    if (held?.src === undefined) {
      if (hasPayloads)
        add(
          'error',
          "the loader of PROTOCOL.md §5 has no <template> holding the runtime's script tag before it: the runtime never loads",
          loader.start,
        );
    } else {
      found.push(`loader, runtime ${held.src}${held.module ? ' (module)' : ''}`);
      // defer, or a module without async, changes nothing on an inserted script; async does, in WebKit
      if (held.async && hasPayloads)
        add(
          'warning',
          `the runtime ${held.src} in the loader's <template> has async: WebKit holds a script with that attribute ` +
            'until the page first paints, so pagelets wait for it there (drop it: the loader inserts the script, which ' +
            'then runs as soon as it is fetched, PROTOCOL.md §5)',
          held.start,
        );
    }
  } else if (runtime) {
    const late = runtime.async || afterTheParse(runtime);
    const attrs = [runtime.module && 'module', runtime.async ? 'async' : runtime.defer && 'defer'].filter(Boolean);
    if (afterTheParse(runtime) && hasPayloads)
      add(
        'error',
        `the runtime ${runtime.src} loads ${how(runtime)}: ${HOLDS} (load it with the loader of PROTOCOL.md §5)`,
        runtime.start,
      );
    if (!late) found.push(`runtime ${runtime.src}`);
    else if (stub && stub.start < runtime.start) {
      found.push(`stub, runtime ${runtime.src} (${attrs.join(', ')})`);
      // conforming (§5), but WebKit holds it while a page that has not painted is parsing
      if (runtime.async && hasPayloads)
        add(
          'warning',
          `the runtime ${runtime.src} is a parser-written async script: WebKit holds such a script until the page ` +
            'first paints, so there pagelets may wait for it (load it with the loader of PROTOCOL.md §5, which ' +
            "inserts the runtime's tag: an inserted script runs as soon as it is fetched)",
          runtime.start,
        );
    } else if (hasPayloads)
      add(
        'error',
        `the runtime ${runtime.src} loads ${runtime.async ? 'with async' : how(runtime)} but the stub is not before ` +
          'it: payloads that arrive first throw (put the stub of PROTOCOL.md §5 before it)',
        runtime.start,
      );
  } else if (stub && external.some((s) => s.start > stub.start)) {
    found.push('stub, runtime script');
    const after = external.filter((s) => s.start > stub.start);
    if (hasPayloads && after.every(afterTheParse))
      add(
        'warning',
        `every script after the stub (${after.map((s) => `${s.src} ${how(s)}`).join(', ')}) runs only after the ` +
          `document's end: if the runtime is bundled into one, ${HOLDS} (load it with the loader of PROTOCOL.md §5)`,
        after[0]!.start,
      );
  } else if (hasPayloads && external.length)
    add(
      'warning',
      'no bigpipe-js runtime recognized before the first payload (inline, <script src="…bigpipe…">, or the ' +
        `stub of PROTOCOL.md §5); if it is bundled into ${external.map((s) => s.src).join(', ')}, ignore this`,
    );
  else if (hasPayloads)
    add(
      'error',
      'no runtime or stub before the first payload: BigPipe is not defined when it arrives (PROTOCOL.md §5)',
    );
  if (hasPayloads && shell.bytes < FIRST_PAINT_BYTES)
    add(
      'warning',
      `the shell is ${plural(shell.bytes, 'byte')}: WPE WebKit paints nothing of a streamed document before ` +
        `${FIRST_PAINT_BYTES} bytes have arrived, so the page stays blank until the payloads come; make the first ` +
        `chunk at least ${FIRST_PAINT_BYTES} bytes (PROTOCOL.md §8)`,
    );
  return found;
}

/** Where the page's ids are: its markup, each pagelet's html, the text of payloads that could not be parsed. */
export interface Placeholders {
  ids: Set<string>;
  /** ids in pagelets' html: the first payload (0-based) that brings each, and whether another one does too */
  provided: Map<string, { by: number; more: boolean }>;
  /** ids in the text of payloads that could not be parsed, with the first such payload */
  unreadable: Map<string, number>;
}

/** Every target has a placeholder: in the page's markup, or in another pagelet's html (nested pagelets, §4.4). */
export function checkPlaceholders(
  payloads: Payload[],
  { ids, provided, unreadable }: Placeholders,
  add: (level: Finding['level'], message: string, chunk?: number) => void,
) {
  payloads.forEach(({ target, chunk }, i) => {
    if (target === undefined || ids.has(target)) return;
    const by = provided.get(target);
    if (by && (by.by !== i || by.more)) return;
    // in a payload that could not be read: that payload's error says what is wrong
    const maybe = unreadable.get(target);
    if (maybe !== undefined && maybe !== i) return;
    add(
      'error',
      `payload #${i + 1} "${target}": no element with id="${target}" in the page (or in another pagelet's html): ` +
        'the runtime reports bigpipe:error and the pagelet never shows (PROTOCOL.md §4.4)',
      chunk,
    );
  });
}

/**
 * `total` (§2): the same in every payload that has it, and equal to the number of payloads; or, sent late (a live
 * page, §4.5), equal to the position of the first payload that carries it. A page may send none: the runtime then
 * starts its JS phase at the end of the document (§4.5), so that is no finding. Returns whether any payload
 * carries it.
 */
export function checkTotals(payloads: Payload[], add: (level: Finding['level'], message: string) => void): boolean {
  if (!payloads.length) {
    add(
      'warning',
      'no payloads: nothing was pipelined. An inline-mode (no-JS) page? pickMode() serves it to crawlers and to ' +
        '?bigpipe=inline; check --user-agent',
    );
    return false;
  }
  const totals = new Map<number, number[]>();
  payloads.forEach(({ total }, i) => {
    if (typeof total !== 'number') return;
    const numbers = totals.get(total);
    if (numbers) numbers.push(i + 1);
    else totals.set(total, [i + 1]);
  });
  const [total] = totals.keys();
  if (total === undefined) return false;
  const first = totals.get(total)![0]!;
  if (totals.size > 1) {
    const which = [...totals].map(([value, numbers]) => `${value} (#${numbers.join(', #')})`);
    add('error', `the payloads disagree on "total": ${which.join(', ')}`);
  } else if (first > 1) {
    // A late total (a live page, §4.5): on the payload that completes the first round, counting it and every
    // payload before it; the updates after it are not counted.
    if (total !== first)
      add('error', `"total" arrives late on payload #${first}, so it must be ${first}, not ${total} (§4.5)`);
  } else if (total !== payloads.length)
    add('error', `"total" is ${total} but the page sent ${plural(payloads.length, 'payload')}`);
  return true;
}

/**
 * Buffering (compression without flush, a proxy) shows as every payload arriving at the end of a body that took
 * long: the whole body at once, or (with two payloads or more) every payload long after the shell.
 */
export function checkTiming(
  chunks: ChunkReport[],
  payloads: Payload[],
  headersAt: number,
  add: (level: Finding['level'], message: string) => void,
) {
  const last = chunks.at(-1);
  if (!last || !payloads.length) return;
  const took = Math.round(last.at - headersAt);
  if (took < LONG_MS || !payloads.every((p) => p.at >= last.at - END_WINDOW_MS)) return;
  if (chunks[0]!.at >= last.at - END_WINDOW_MS)
    add(
      'warning',
      `the whole body arrived at once, ${took} ms after the headers: something buffered the stream: ${BUFFERING}`,
    );
  else if (payloads.length > 1)
    add(
      'warning',
      `all ${payloads.length} payloads arrived in the last ${END_WINDOW_MS} ms, ${last.at - chunks[0]!.at} ms after ` +
        `the shell: if the pagelets finish at different times, something buffers them: ${BUFFERING}`,
    );
}
