/**
 * The check of a body as it streams in: createChecker() takes the pieces one at a time and keeps only what the rules
 * need (ids, one summary per payload, the script or tag in progress), so memory does not grow with the body and each
 * character is read once. checkStream() runs it over recorded pieces.
 */
import { adapt } from '../compat/adapt';
import { STUB, ARRIVE, COMPAT_ARRIVE, LOADER } from '../protocol';
import { attr, idsOf, Tokenizer, utf8Length, type Script, type Tag } from './html';
import {
  constructions,
  formatOf,
  legacyFinding,
  legacyPayload,
  works,
  type Compat,
  type Format,
  type LegacyPayload,
} from './legacy';
import { readCall } from './literal';
import {
  ESCAPE_LT,
  looseMarkup,
  payloadFindings as fieldFindings,
  PREFIX,
  readPayload,
  type PayloadScript,
} from './payload';
import {
  checkHeaders,
  checkPlaceholders,
  checkShell,
  checkTiming,
  checkTotals,
  type Payload,
  type Shell,
} from './rules';
import type { Arrival, ChunkReport, Finding, Report, ResponseInfo } from './types';

const CHARSET_VALUE = /^\s*["']?\s*utf-?8(?![\w-])/i;
// in a content attribute ("text/html; charset=utf-8"); linear: each try starts at a "charset"
const CHARSET_IN = /charset\s*=\s*["']?\s*utf-?8(?![\w-])/i;
const DOCTYPE = /^doctype\s+html\s*$/i;
const NOT_SPACE = /\S/;
const NOT_LEADING_SPACE = /[^\s\uFEFF]/;

/** A payload as the checker keeps it: what the rules need, and where its script is (for the chunk table). */
interface Seen extends Payload {
  start: number;
  end: number;
}

/** A payload cut short by a raw "</script": whether the call's ")" follows as text is known at the next script. */
interface Cut {
  index: number;
  problems: Finding[];
  chunk: number;
  label: string;
  /** the text since the last ")" is spaces and at most one ";" (1: after ")", 2: after ");") */
  paren: 0 | 1 | 2;
  early: boolean;
}

export interface Checker {
  /** Reads the next piece of the body. */
  push(arrival: Arrival): void;
  /** The body has ended (or stopped being read): the report. */
  finish(response?: ResponseInfo): Report;
}

/** A checker to feed the body piece by piece (checkUrl() does, as the pieces arrive). */
export function createChecker(): Checker {
  const decoding: Finding[] = [];
  const shellFindings: Finding[] = [];
  const payloadFindings: Finding[] = [];
  const chunks: ChunkReport[] = [];
  /** the document's length in characters at the end of each chunk */
  const ends: number[] = [];
  let decoder = new TextDecoder('utf-8', { fatal: true });

  const shell: Shell = { doctype: false, scripts: [], ids: new Set(), bytes: 0 };
  let first: number | undefined;
  /** how many <template> elements are open: a script in one is inert until a script inserts it (the loader) */
  let templates = 0;
  /** a token came: a doctype after it is not at the start */
  let started = false;
  let leading = true;
  let empty = true;
  const ids = new Set<string>();
  /** ids in each pagelet's html: the first payload that brings it, and whether a second one does */
  const provided = new Map<string, { by: number; more: boolean }>();
  /** ids in the text of payloads that could not be parsed */
  const unreadable = new Map<string, number>();
  const payloads: Seen[] = [];
  let bodyEnded = false;
  let htmlEnd = -1;
  let cut: Cut | undefined;
  /** what the compat script needs (legacy.ts), and the payloads of other servers' formats, by format */
  const compat: Compat = { loaded: false, pipes: new Map() };
  const legacy = new Map<Format, { first: LegacyPayload; count: number; all: boolean; json: boolean; chunk: number }>();

  /** The chunk (1-based) holding the character at `offset` (binary search: there may be many chunks). */
  const chunkAt = (offset: number) => {
    let lo = 0;
    let hi = ends.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid]! > offset) hi = mid;
      else lo = mid + 1;
    }
    return lo + 1;
  };
  const note = (offset: number, what: string) => chunks[chunkAt(offset) - 1]?.contents.push(what);

  /** The shell ends at `at` (`byte` in UTF-8): where the first payload starts, or the end of a page without any. */
  const closeShell = (at: number, byte: number, hasPayloads: boolean) => {
    first = at;
    shell.bytes = byte;
    tokenizer.countBytes = false;
    const add = (level: Finding['level'], message: string, offset?: number) =>
      shellFindings.push({ level, message, chunk: offset === undefined ? undefined : chunkAt(offset) });
    const parts = checkShell(shell, hasPayloads, add);
    if (shell.ids.size) parts.push(`ids: ${[...shell.ids].join(' ')}`);
    note(at - 1, `shell (${parts.join(', ')})`);
  };

  const settleCut = () => {
    if (!cut) return;
    const { problems, chunk, label, early } = cut;
    // A raw "</script" in the JSON ends the element early: the call's ")</script>" then follows as page text.
    if (early) problems[0]!.message += `: a raw "</script" inside the JSON closed it early: ${ESCAPE_LT}`;
    for (const f of problems) payloadFindings.push({ ...f, message: `${label}: ${f.message}`, chunk });
    cut = undefined;
  };

  const unreadableId = (id: string, index: number) => {
    if (!unreadable.has(id)) unreadable.set(id, index);
  };
  const addId = (id: string) => {
    ids.add(id);
    if (first === undefined) shell.ids.add(id);
  };

  const payload = (
    script: Script,
    read: PayloadScript = readPayload(script.content),
    other?: LegacyPayload,
    json = true,
  ) => {
    const index = payloads.length;
    if (first === undefined) closeShell(script.start, script.byte, true);
    // BigPipe.onPageletArrive with another server's fields: what to rename says more than each field's problem
    const format = other ? undefined : formatOf(read.value);
    if (format) {
      const fields = new Set(fieldFindings(read.value).map((f) => f.message));
      read.problems = read.problems.filter((f) => !fields.has(f.message));
      other = { format, callee: PREFIX.slice(0, -1), value: adapt(read.value, index + 1) as Record<string, unknown> };
      read.value = other.value;
    }
    if (bodyEnded) read.problems.push({ level: 'error', message: 'it comes after </body>' });
    const value = (typeof read.value === 'object' && read.value !== null ? read.value : {}) as Record<string, unknown>;
    const target = typeof value.target === 'string' ? value.target : undefined;
    const name = target === undefined ? `#${index + 1}` : JSON.stringify(target);
    const label = `payload #${index + 1}${target === undefined ? '' : ` ${name}`}`;
    const chunk = chunkAt(script.end - 1);
    if (other) {
      const seen = legacy.get(other.format);
      const ok = works(other, compat);
      if (seen) seen.count++, (seen.all &&= ok), (seen.json &&= json);
      else legacy.set(other.format, { first: other, count: 1, all: ok, json, chunk });
    }
    if (read.cut) cut = { index, problems: read.problems, chunk, label, paren: 0, early: false };
    else for (const f of read.problems) payloadFindings.push({ ...f, message: `${label}: ${f.message}`, chunk });
    if (typeof value.html === 'string')
      idsOf(value.html, (id) => {
        const known = provided.get(id);
        if (!known) provided.set(id, { by: index, more: false });
        else if (known.by !== index) known.more = true;
      });
    if (!read.parsed) idsOf(looseMarkup(script.content), (id) => unreadableId(id, index));
    const details = Object.keys(value).filter((f) => f !== 'target' && f !== 'total');
    if (value.total !== undefined) details.push(`total ${JSON.stringify(value.total)}`);
    const as = other ? ` [${other.format}]` : '';
    note(script.end - 1, `payload ${name}${as}${details.length ? ` (${details.join(', ')})` : ''}`);
    const at = chunks[chunk - 1]!.at;
    payloads.push({ target, total: value.total, chunk, at, start: script.start, end: script.end });
  };

  /** A script that is another server's payload goes in as a payload, in the protocol's fields. */
  const otherPayload = (script: Script) => {
    const call = readCall(script.content);
    const found = call && legacyPayload(call, ids, payloads.length + 1, compat.pipes);
    if (!found) return false;
    const read: PayloadScript =
      found.format === 'bigpipe-response'
        ? readPayload(script.content.trim(), `${COMPAT_ARRIVE}(`)
        : { problems: [], cut: false, value: found.value, parsed: true };
    payload(script, read, found, call.json);
    return true;
  };

  const token = () => {
    started = true;
    htmlEnd = -1;
    if (cut) cut.paren = 0;
  };

  const tokenizer = new Tokenizer({
    start(tag: Tag) {
      token();
      if (tag.name === 'script') return settleCut();
      if (tag.name === 'template') templates++;
      const id = attr(tag.attrs, 'id');
      if (id !== undefined) {
        addId(id);
        // markup of a payload closed early, escaped for JSON: id=\"x\"
        if (cut) unreadableId(looseMarkup(id).replace(/^["']|["']$/g, ''), cut.index);
      }
      if (tag.name === 'meta' && first === undefined && !shell.meta && isUtf8Meta(tag.attrs))
        shell.meta = { start: tag.start, byte: tag.byte };
    },
    end(tag: Tag) {
      if (cut && tag.name === 'script' && cut.paren) cut.early = true;
      token();
      if (tag.name === 'body') bodyEnded = true;
      if (tag.name === 'template' && templates) templates--;
      if (tag.name === 'html') htmlEnd = tag.start;
    },
    script(script: Script) {
      if (script.content.startsWith(PREFIX)) payload(script);
      else if (otherPayload(script)) {
        // counted as a payload
      } else if (first === undefined) {
        for (const [name, count] of constructions(script.content)) compat.pipes.set(name, count);
        const src = attr(script.attrs, 'src');
        if (src !== undefined && /bigpipe[.-]compat/i.test(src)) compat.loaded = true;
        const content = script.content;
        shell.scripts.push({
          start: script.start,
          src,
          stub: content.trim() === STUB,
          loader: content.trim() === LOADER,
          template: templates > 0,
          arrive: content.includes(ARRIVE),
          module: attr(script.attrs, 'type')?.trim().toLowerCase() === 'module',
          async: script.attrs.has('async'),
          defer: script.attrs.has('defer'),
        });
      }
      const id = attr(script.attrs, 'id');
      if (id !== undefined) addId(id);
    },
    text(text: string) {
      if (leading && !started && NOT_LEADING_SPACE.test(text)) leading = false;
      if (htmlEnd >= 0 && NOT_SPACE.test(text)) htmlEnd = -1;
      if (cut) cut.paren = parenAfter(cut.paren, text);
    },
    comment: token,
    declaration(body: string) {
      if (!started && leading && DOCTYPE.test(body)) shell.doctype = true;
      token();
    },
  });

  const read = (text: string) => {
    if (!text) return;
    if (empty && NOT_SPACE.test(text)) empty = false;
    tokenizer.write(text);
  };

  return {
    push({ at, data }) {
      let text: string;
      if (typeof data === 'string') text = data;
      else
        try {
          text = decoder.decode(data, { stream: true });
        } catch {
          decoding.push({ level: 'error', message: 'the body is not valid UTF-8 here', chunk: chunks.length + 1 });
          decoder = new TextDecoder('utf-8');
          text = decoder.decode(data, { stream: true });
        }
      const bytes = typeof data === 'string' ? utf8Length(data) : data.byteLength;
      chunks.push({ index: chunks.length + 1, at: Math.round(at), bytes, contents: [] });
      ends.push(tokenizer.offset + text.length);
      read(text);
    },

    finish(response) {
      const tail = decoder.decode();
      if (tail) ends[ends.length - 1] = tokenizer.offset + tail.length;
      read(tail);
      tokenizer.end();
      settleCut();
      const findings: Finding[] = [...decoding];
      const add = (level: Finding['level'], message: string, chunk?: number) =>
        findings.push({ level, message, chunk });
      const report = (): Report => ({
        ok: !findings.some((f) => f.level === 'error'),
        chunks,
        payloads: payloads.length,
        findings,
      });
      const unfinished = response?.cut !== undefined || response?.stopped !== undefined;
      if (response) {
        checkHeaders(response, add);
        if (response.stopped)
          add('error', `the check stopped reading the body: ${response.stopped}`, chunks.length || undefined);
        else if (response.cut) add('error', `the body did not end: ${response.cut}`, chunks.length || undefined);
      }
      if (empty) {
        add('error', 'the body is empty');
        return report();
      }
      const length = tokenizer.offset;
      if (first === undefined) closeShell(length, 0, false);
      findings.push(...shellFindings, ...payloadFindings);
      for (const { first, count, all, json, chunk } of legacy.values())
        findings.push({ ...legacyFinding(first, count, all, compat, json), chunk });

      checkPlaceholders(payloads, { ids, provided, unreadable }, add);

      const totals = checkTotals(payloads, add);

      if (htmlEnd >= 0)
        note(htmlEnd, totals || !payloads.length ? '</html>' : '</html> (no "total": the JS phase starts here, §4.5)');
      else if (!unfinished)
        add(
          'error',
          'the document is not closed: no </html> at the end (did the server stop mid-page?)',
          chunks.length,
        );

      if (!unfinished) checkTiming(chunks, payloads, response?.at ?? 0, add);

      // Chunks in which nothing completed: say what they are part of.
      const firstAt = first ?? length;
      let p = 0;
      chunks.forEach((c, i) => {
        if (c.contents.length) return;
        const start = ends[i - 1] ?? 0;
        while (p < payloads.length && payloads[p]!.end <= start) p++;
        const inside = payloads[p] && payloads[p]!.start <= start ? payloads[p] : undefined;
        const name = inside?.target === undefined ? `#${p + 1}` : JSON.stringify(inside.target);
        c.contents.push(start < firstAt ? '(part of the shell)' : inside ? `(part of payload ${name})` : '(markup)');
      });
      return report();
    },
  };
}

/** Checks a page's body, given as the pieces it arrived in, and (optionally) its HTTP response. */
export function checkStream(arrivals: Iterable<Arrival>, response?: ResponseInfo): Report {
  const checker = createChecker();
  for (const arrival of arrivals) checker.push(arrival);
  return checker.finish(response);
}

/** Whether a <meta>'s attributes set the charset to UTF-8 (charset="utf-8", or http-equiv's content). */
const isUtf8Meta = (attrs: Map<string, string>) => {
  const charset = attr(attrs, 'charset');
  if (charset !== undefined) return CHARSET_VALUE.test(charset);
  const content = attr(attrs, 'content');
  return content !== undefined && CHARSET_IN.test(content);
};

/** The paren state (see Cut) after `text`. */
function parenAfter(state: 0 | 1 | 2, text: string): 0 | 1 | 2 {
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === ')') state = 1;
    else if (c === ';' && state === 1) state = 2;
    else if (!NOT_SPACE.test(c)) continue;
    else state = 0;
  }
  return state;
}
