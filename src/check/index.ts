/**
 * The protocol checker behind `npx bigpipe-js check <url>`: fetches a page, reads its body chunk by chunk and reports
 * whether it follows PROTOCOL.md, and when each chunk arrived. checkStream() is the whole check, without the network;
 * checkUrl() feeds it a real response; main() is the command line (bin/bigpipe-js.mjs).
 * No Node imports: fetch, TextDecoder and performance are Web APIs (Node >= 18).
 */
import { ARRIVE, FIELDS, GLOBAL, hasFieldType, STUB } from '../protocol';

/** One piece of the body as it arrived: `at` is ms since the request was sent. */
export interface Arrival {
  at: number;
  data: Uint8Array | string;
}

/** What the checker needs of the HTTP response; without it the HTTP checks are skipped. */
export interface ResponseInfo {
  status: number;
  headers: { get(name: string): string | null };
  /** ms since the request when the headers arrived */
  at?: number;
  /** why the body did not end (timeout, reset), when it did not */
  cut?: string;
}

export interface Finding {
  level: 'error' | 'warning';
  message: string;
  /** 1-based index of the chunk it is about */
  chunk?: number;
}

export interface ChunkReport {
  /** 1-based */
  index: number;
  /** ms since the request */
  at: number;
  bytes: number;
  /** what completed in this chunk: `shell (…)`, `payload "feed" (…)`, `</html>` */
  contents: string[];
}

export interface Report {
  /** no errors (warnings allowed) */
  ok: boolean;
  chunks: ChunkReport[];
  payloads: number;
  findings: Finding[];
}

/** A body that goes on this long after the headers "took long"... */
export const LONG_MS = 250;
/** ...and payloads that arrived within this many ms of its end arrived "at the end". */
export const END_WINDOW_MS = 25;

const PREFIX = `${GLOBAL}.${ARRIVE}(`;
// Comments, and the elements whose content is raw text: nothing inside them is markup.
const RAW = /<!--[\s\S]*?(?:-->|$)|<(script|style|textarea|title)(?=[\s/>])([^>]*)>/gi;
const ID = /<[a-z][^\s/>]*(?:\s[^>]*?)?\sid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
const META_CHARSET = /<meta\s[^>]*charset\s*=\s*["']?\s*utf-?8(?![\w-])/i;
const CALL_END = /\)\s*;?\s*$/;
const ESCAPE_LT = 'write every "<" as \\u003c (PROTOCOL.md §3)';
const BUFFERING =
  'compression without a flush per chunk, or a proxy without "X-Accel-Buffering: no" (PROTOCOL.md §8)';

interface Script {
  start: number;
  end: number;
  attrs: string;
  content: string;
}

interface Payload {
  target?: string;
  total?: unknown;
  html?: unknown;
  chunk: number;
  at: number;
}

const ENTITIES: Record<string, string> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>' };
const decodeEntities = (text: string) =>
  text.replace(/&(?:#(\d+)|#x([\da-f]+)|(\w+));/gi, (all, dec, hex, name) =>
    dec || hex ? codePoint(parseInt(dec ?? hex, dec ? 10 : 16)) : (ENTITIES[name.toLowerCase()] ?? all),
  );
const codePoint = (n: number) => (n <= 0x10ffff ? String.fromCodePoint(n) : '\ufffd');

/** The scripts in `html` with their content, and the ranges of raw text (comments, script/style/… content). */
function scan(html: string) {
  const scripts: Script[] = [];
  const raw: [number, number][] = [];
  const tags = new RegExp(RAW);
  for (let m; (m = tags.exec(html)); ) {
    const start = m.index;
    if (!m[1]) {
      raw.push([start, tags.lastIndex]);
      continue;
    }
    const from = tags.lastIndex;
    const close = new RegExp(`</${m[1]}(?=[\\s/>])[^>]*>?`, 'gi');
    close.lastIndex = from;
    const found = close.exec(html);
    const to = found ? found.index : html.length;
    raw.push([from, to]);
    tags.lastIndex = found ? close.lastIndex : html.length;
    if (m[1].toLowerCase() === 'script')
      scripts.push({ start, end: tags.lastIndex, attrs: m[2]!, content: html.slice(from, to) });
  }
  return { scripts, raw };
}

/** Whether `offset` is inside one of the `raw` ranges from scan(). */
const inRaw = (raw: [number, number][], offset: number) => raw.some(([from, to]) => offset >= from && offset < to);

/** Element ids in `html`, outside comments and raw-text elements. */
function ids(html: string, raw = scan(html).raw): Set<string> {
  const out = new Set<string>();
  for (const m of html.matchAll(ID)) if (!inRaw(raw, m.index!)) out.add(decodeEntities(m[1] ?? m[2] ?? m[3]!));
  return out;
}

/** An attribute's value ('' when present without one), or undefined when absent. */
const attr = (attrs: string, name: string): string | undefined => {
  const m = new RegExp(`(?:^|\\s)${name}(?:\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+)))?(?=\\s|/|$)`, 'i').exec(attrs);
  return m ? decodeEntities(m[1] ?? m[2] ?? m[3] ?? '') : undefined;
};

const typeOf = (value: unknown) => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Up to 20 characters either side of `at`, quoted. */
const around = (text: string, at: number) => {
  const excerpt = text.slice(Math.max(0, at - 20), at + 20);
  return JSON.stringify((at > 20 ? '…' : '') + excerpt + (at + 20 < text.length ? '…' : ''));
};

/** What is wrong with a parsed payload (PROTOCOL.md §2): errors, and warnings for unknown fields. */
function payloadFindings(value: unknown): Finding[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [{ level: 'error', message: `the payload is ${typeOf(value)}, not an object` }];
  const payload = value as Record<string, unknown>;
  const out: Finding[] = [];
  for (const [field, type] of Object.entries(FIELDS)) {
    const v = payload[field];
    if (v === undefined) {
      if (field === 'target') out.push({ level: 'error', message: 'no "target" (the id of its placeholder)' });
      continue;
    }
    if (!hasFieldType(v, type)) out.push({ level: 'error', message: `"${field}" is ${typeOf(v)}, must be ${type}` });
  }
  if (payload.target === '') out.push({ level: 'error', message: '"target" is empty' });
  for (const field of Object.keys(payload))
    if (!(field in FIELDS))
      out.push({ level: 'warning', message: `unknown field "${field}" (a v1 runtime ignores it)` });
  return out;
}

function checkHeaders(response: ResponseInfo, add: (level: Finding['level'], message: string) => void) {
  const header = (name: string) => response.headers.get(name);
  if (response.status !== 200) add('warning', `the status is ${response.status}, not 200`);
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

/**
 * Checks a page's body, given as the pieces it arrived in, and (optionally) its HTTP response. Pure: tests and other
 * tools can feed it recorded chunks.
 */
export function checkStream(arrivals: Arrival[], response?: ResponseInfo): Report {
  const findings: Finding[] = [];
  const add = (level: Finding['level'], message: string, chunk?: number) => findings.push({ level, message, chunk });

  // Decode as the protocol says (UTF-8), remembering where each chunk ends in the text.
  let decoder = new TextDecoder('utf-8', { fatal: true });
  let text = '';
  const ends: number[] = [];
  const chunks: ChunkReport[] = arrivals.map(({ at, data }, i) => {
    if (typeof data === 'string') text += data;
    else
      try {
        text += decoder.decode(data, { stream: true });
      } catch {
        add('error', 'the body is not valid UTF-8 here', i + 1);
        decoder = new TextDecoder('utf-8');
        text += decoder.decode(data, { stream: true });
      }
    ends.push(text.length);
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data).length : data.byteLength;
    return { index: i + 1, at: Math.round(at), bytes, contents: [] };
  });
  text += decoder.decode();
  /** The chunk (1-based) holding the character at `offset`. */
  const chunkAt = (offset: number) => {
    const i = ends.findIndex((end) => end > offset);
    return (i < 0 ? ends.length - 1 : i) + 1;
  };
  const note = (offset: number, what: string) => chunks[chunkAt(offset) - 1]?.contents.push(what);
  const report = (payloads: number) => ({ ok: !findings.some((f) => f.level === 'error'), chunks, payloads, findings });

  if (response) {
    checkHeaders(response, add);
    if (response.cut) add('error', `the body did not end: ${response.cut}`, chunks.length || undefined);
  }
  if (!text.trim()) {
    add('error', 'the body is empty');
    return report(0);
  }

  const { scripts, raw } = scan(text);
  const payloadScripts = scripts.filter((s) => s.content.startsWith(PREFIX));
  const first = payloadScripts[0]?.start ?? text.length;
  const shell = text.slice(0, first);
  const shellIds = ids(shell, raw);
  const parts = checkShell(shell, scripts, first, payloadScripts.length > 0, (level, message, offset) =>
    add(level, message, offset === undefined ? undefined : chunkAt(offset)),
  );
  if (shellIds.size) parts.push(`ids: ${[...shellIds].join(' ')}`);
  note(first - 1, `shell (${parts.join(', ')})`);

  // Each payload: one script, escaped (§3), its argument JSON, its fields of the right types (§2).
  const bodyEnd = [...text.matchAll(/<\/body\s*>/gi)].find((m) => !inRaw(raw, m.index!))?.index ?? -1;
  const payloads: Payload[] = payloadScripts.map((script, i) => {
    const chunk = chunkAt(script.end - 1);
    const found: Finding[] = [];
    const problem = (message: string) => found.push({ level: 'error', message });
    const arg = script.content.slice(PREFIX.length);
    const lt = arg.indexOf('<');
    const cut = !CALL_END.test(arg);
    if (cut) {
      // A raw "</script" in the JSON ends the element early: the call's ")</script>" then follows as page text.
      const next = scripts.find((s) => s.start >= script.end)?.start ?? text.length;
      const early = /\)\s*;?\s*<\/script/i.test(text.slice(script.end, next));
      problem(
        'the script ends before the call\'s ")"' +
          (early ? `: a raw "</script" inside the JSON closed it early: ${ESCAPE_LT}` : ''),
      );
    } else if (lt >= 0) problem(`raw "<" in the JSON at ${around(arg, lt)}: ${ESCAPE_LT}`);
    const json = arg.replace(CALL_END, '');
    if (/[\u2028\u2029]/.test(json))
      problem('raw U+2028/U+2029 in the JSON: write them as \\u2028/\\u2029 (PROTOCOL.md §3)');
    let value: unknown;
    if (!cut)
      try {
        value = JSON.parse(json);
        found.push(...payloadFindings(value));
      } catch (e) {
        problem(`the argument is not valid JSON (${(e as Error).message})`);
      }
    if (bodyEnd >= 0 && script.start > bodyEnd) problem('it comes after </body>');

    const payload = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const target = typeof payload.target === 'string' ? payload.target : undefined;
    const name = target === undefined ? `#${i + 1}` : JSON.stringify(target);
    const label = `payload #${i + 1}${target === undefined ? '' : ` ${name}`}`;
    for (const f of found) findings.push({ ...f, message: `${label}: ${f.message}`, chunk });
    const details = Object.keys(payload).filter((f) => f !== 'target' && f !== 'total');
    if (payload.total !== undefined) details.push(`total ${JSON.stringify(payload.total)}`);
    note(script.end - 1, `payload ${name}${details.length ? ` (${details.join(', ')})` : ''}`);
    return { target, total: payload.total, html: payload.html, chunk, at: chunks[chunk - 1]!.at };
  });

  // Every target has a placeholder, in the shell or in another pagelet's html (nested pagelets, §4.4).
  payloads.forEach(({ target, chunk }, i) => {
    if (target === undefined || shellIds.has(target)) return;
    if (payloads.some((p, j) => j !== i && typeof p.html === 'string' && ids(p.html).has(target))) return;
    add(
      'error',
      `payload #${i + 1} "${target}": no element with id="${target}" in the shell (or in another pagelet's html): ` +
        'the runtime reports bigpipe:error and the pagelet never shows (PROTOCOL.md §4.4)',
      chunk,
    );
  });

  checkTotals(payloads, add);

  const end = /<\/html\s*>\s*$/i.exec(text);
  if (end) note(end.index, '</html>');
  else if (!response?.cut)
    add('error', 'the document is not closed: no </html> at the end (did the server stop mid-page?)', chunks.length);

  if (!response?.cut) checkTiming(chunks, payloads, response?.at ?? 0, add);

  // Chunks in which nothing completed: say what they are part of.
  chunks.forEach((c, i) => {
    if (c.contents.length) return;
    const start = ends[i - 1] ?? 0;
    const inside = payloadScripts.findIndex((s) => s.start <= start && start < s.end);
    const target = payloads[inside]?.target;
    const payload = target === undefined ? `#${inside + 1}` : JSON.stringify(target);
    c.contents.push(start < first ? '(part of the shell)' : inside >= 0 ? `(part of payload ${payload})` : '(markup)');
  });
  return report(payloads.length);
}

/**
 * The shell (§1, §5): doctype, meta charset in the first 1024 bytes, the runtime (inline, a script tag, or the stub
 * before an async one) before the first payload. Returns what it found, for the chunk table.
 */
function checkShell(
  shell: string,
  scripts: Script[],
  first: number,
  hasPayloads: boolean,
  add: (level: Finding['level'], message: string, offset?: number) => void,
): string[] {
  const found: string[] = [];
  if (/^\uFEFF?\s*<!doctype html\s*>/i.test(shell)) found.push('doctype');
  else add('error', 'the page does not start with <!DOCTYPE html> (browsers render it in quirks mode)', 0);
  const meta = META_CHARSET.exec(shell);
  if (!meta) add('error', 'no <meta charset="utf-8"> in the shell (PROTOCOL.md §1)', 0);
  else {
    const byte = new TextEncoder().encode(shell.slice(0, meta.index)).length;
    if (byte < 1024) found.push('meta charset');
    else {
      const message = `<meta charset="utf-8"> starts at byte ${byte}: browsers only look in the first 1024 bytes`;
      add('error', message, meta.index);
    }
  }

  const inShell = scripts.filter((s) => s.start < first);
  const src = (s: Script) => attr(s.attrs, 'src');
  const stub = inShell.find((s) => s.content.trim() === STUB);
  const inline = inShell.find((s) => src(s) === undefined && s !== stub && s.content.includes(ARRIVE));
  const external = inShell.filter((s) => src(s) !== undefined);
  const runtime = external.find((s) => /bigpipe/i.test(src(s)!));
  if (inline) found.push('runtime inline');
  else if (runtime) {
    // A module script runs deferred (or async) whatever its attributes say.
    const module = attr(runtime.attrs, 'type')?.trim().toLowerCase() === 'module';
    const deferred = module || attr(runtime.attrs, 'async') !== undefined || attr(runtime.attrs, 'defer') !== undefined;
    const how = module ? 'module' : 'async';
    if (!deferred) found.push(`runtime ${src(runtime)}`);
    else if (stub && stub.start < runtime.start) found.push(`stub, runtime ${src(runtime)} (${how})`);
    else if (hasPayloads)
      add(
        'error',
        `the runtime ${src(runtime)} loads ${module ? 'as a module (deferred)' : 'with async/defer'} but the stub is ` +
          'not before it: payloads that arrive first throw (put the stub of PROTOCOL.md §5 before it)',
        runtime.start,
      );
  } else if (stub && external.some((s) => s.start > stub.start)) found.push('stub, runtime script');
  else if (hasPayloads && external.length)
    add(
      'warning',
      'no bigpipe-js runtime recognized before the first payload (inline, <script src="…bigpipe…">, or the ' +
        `stub of PROTOCOL.md §5); if it is bundled into ${external.map(src).join(', ')}, ignore this`,
    );
  else if (hasPayloads)
    add(
      'error',
      'no runtime or stub before the first payload: BigPipe is not defined when it arrives (PROTOCOL.md §5)',
    );
  return found;
}

/** `total` (§2): the same in every payload that has it, and equal to the number of payloads. */
function checkTotals(payloads: Payload[], add: (level: Finding['level'], message: string) => void) {
  if (!payloads.length)
    return add(
      'warning',
      'no payloads: nothing was pipelined. An inline-mode (no-JS) page? pickMode() serves it to crawlers and to ' +
        '?bigpipe=inline; check --user-agent',
    );
  const totals = new Map<number, number[]>();
  payloads.forEach(({ total }, i) => {
    if (typeof total === 'number') totals.set(total, [...(totals.get(total) ?? []), i + 1]);
  });
  const [total] = totals.keys();
  if (total === undefined)
    add(
      'warning',
      'no payload carries "total": the runtime starts the JS phase only once the document has ended ' +
        '(PROTOCOL.md §4.5)',
    );
  else if (totals.size > 1) {
    const which = [...totals].map(([value, numbers]) => `${value} (#${numbers.join(', #')})`);
    add('error', `the payloads disagree on "total": ${which.join(', ')}`);
  } else if (total !== payloads.length)
    add('error', `"total" is ${total} but the page sent ${plural(payloads.length, 'payload')}`);
}

/**
 * Buffering (compression without flush, a proxy) shows as every payload arriving at the end of a body that took
 * long: the whole body at once, or (with two payloads or more) every payload long after the shell.
 */
function checkTiming(
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

export interface CheckOptions {
  /** ms before giving up on the body (default 30000) */
  timeout?: number;
  /** default BROWSER_AGENT, so that pickMode() serves the pipeline page and not the crawlers' inline one */
  userAgent?: string;
  fetch?: typeof fetch;
}

/** A desktop browser's User-Agent: isbot() (pickMode) takes any tool's name for a crawler. */
export const BROWSER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

export interface UrlReport extends Report {
  url: string;
  status: number;
  /** the headers that matter to the protocol, as received */
  headers: [string, string][];
  /** ms from the request to the end of the body */
  duration: number;
}

const SHOWN_HEADERS = [
  'content-type',
  'x-accel-buffering',
  'cache-control',
  'content-encoding',
  'content-length',
  'transfer-encoding',
];

/** Fetches `url` and checks it; rejects only when nothing could be fetched (bad URL, connection refused). */
export async function checkUrl(url: string, options: CheckOptions = {}): Promise<UrlReport> {
  const { timeout = 30_000, userAgent = BROWSER_AGENT, fetch: get = fetch } = options;
  const start = performance.now();
  const since = () => performance.now() - start;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no end after ${timeout} ms`)), timeout);
  try {
    const headers = { 'user-agent': userAgent, accept: 'text/html' };
    const response = await get(url, { headers, signal: controller.signal });
    const info: ResponseInfo = { status: response.status, headers: response.headers, at: since() };
    const arrivals: Arrival[] = [];
    if (response.body) {
      const reader = response.body.getReader();
      try {
        for (let read; !(read = await reader.read()).done; ) arrivals.push({ at: since(), data: read.value });
      } catch (e) {
        info.cut = controller.signal.aborted ? `no end after ${timeout} ms` : String((e as Error)?.message ?? e);
      }
    }
    const shown = SHOWN_HEADERS.flatMap((name): [string, string][] => {
      const value = response.headers.get(name);
      return value === null ? [] : [[name, value]];
    });
    const report = checkStream(arrivals, info);
    const duration = Math.round(since());
    return { ...report, url: response.url || url, status: response.status, headers: shown, duration };
  } finally {
    clearTimeout(timer);
  }
}

const pad = (value: string | number, width: number) => String(value).padStart(width);

/** The report as lines of text: the headers, a table of chunks with their findings, other findings, a verdict. */
export function formatReport(report: UrlReport): string[] {
  const lines = [`GET ${report.url}`, `HTTP ${report.status}`];
  for (const [name, value] of report.headers) lines.push(`  ${name}: ${value}`);
  lines.push('', `${pad('chunk', 5)} ${pad('ms', 7)} ${pad('bytes', 8)}  contents`);
  const finding = (f: Finding) => `${f.level}: ${f.message}`;
  for (const c of report.chunks) {
    lines.push(`${pad(c.index, 5)} ${pad(c.at, 7)} ${pad(c.bytes, 8)}  ${c.contents.join(', ')}`);
    for (const f of report.findings) if (f.chunk === c.index) lines.push(`${' '.repeat(24)}${finding(f)}`);
  }
  const general = report.findings.filter((f) => !f.chunk || f.chunk > report.chunks.length);
  lines.push('', ...general.map(finding));
  if (general.length) lines.push('');
  const errors = report.findings.filter((f) => f.level === 'error').length;
  const warnings = report.findings.length - errors ? `, ${plural(report.findings.length - errors, 'warning')}` : '';
  const chunks = plural(report.chunks.length, 'chunk');
  const summary = `${plural(report.payloads, 'payload')} in ${chunks}, ${report.duration} ms`;
  lines.push(
    report.ok
      ? `ok: follows the bigpipe-js protocol v1 (${summary}${warnings})`
      : `FAIL: ${plural(errors, 'error')}${warnings} (${summary})`,
  );
  return lines;
}

export const USAGE = `usage: bigpipe-js check <url> [--timeout <ms>] [--user-agent <string>] [--strict]

Fetches the page and reports, chunk by chunk, whether it follows the bigpipe-js protocol v1 (PROTOCOL.md).
  --timeout <ms>        give up on the body after this long (default 30000)
  --user-agent <ua>     the User-Agent to send (default: a desktop browser's, so crawler detection stays out)
  --strict              fail on warnings too
Exit code: 0 when the page follows the protocol, 1 when it does not or cannot be fetched, 2 for a usage error.`;

/** The command line, `bigpipe-js check <url> [options]`; resolves to the exit code. */
export async function main(args: string[], io: { out(line: string): void; err(line: string): void }): Promise<number> {
  const usage = (problem?: string) => {
    if (problem) io.err(`bigpipe-js: ${problem}`);
    io.err(USAGE);
    return 2;
  };
  const [command, ...rest] = args;
  if (command === '--help' || command === '-h' || command === 'help') return io.out(USAGE), 0;
  if (command !== 'check') return usage(command ? `unknown command "${command}"` : undefined);
  let url: string | undefined;
  const options: CheckOptions = {};
  let strict = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--strict') strict = true;
    else if (arg === '--timeout' || arg === '--user-agent') {
      const value = rest[++i];
      if (value === undefined) return usage(`${arg} needs a value`);
      if (arg === '--user-agent') options.userAgent = value;
      else if (Number(value) > 0) options.timeout = Number(value);
      else return usage(`--timeout must be a number of ms, got "${value}"`);
    } else if (arg.startsWith('-')) return usage(`unknown option "${arg}"`);
    else if (url) return usage('one URL at a time');
    else url = arg;
  }
  if (!url) return usage('which URL?');
  if (!/^https?:\/\//i.test(url)) url = `http://${url}`;
  let report: UrlReport;
  try {
    report = await checkUrl(url, options);
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    io.err(`bigpipe-js: cannot fetch ${url}: ${(e as Error).message}${cause ? ` (${cause})` : ''}`);
    return 1;
  }
  formatReport(report).forEach((line) => io.out(line));
  return report.ok && !(strict && report.findings.length) ? 0 : 1;
}
