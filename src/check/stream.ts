/** checkStream(): the whole check of a body given as the pieces it arrived in, without the network. */
import { ARRIVE, GLOBAL } from '../protocol';
import { ids, inRaw, scan } from './html';
import { payloadFindings } from './payload';
import { checkHeaders, checkShell, checkTiming, checkTotals, type Payload } from './rules';
import type { Arrival, ChunkReport, Finding, Report, ResponseInfo } from './types';

const PREFIX = `${GLOBAL}.${ARRIVE}(`;
const CALL_END = /\)\s*;?\s*$/;
const ESCAPE_LT = 'write every "<" as \\u003c (PROTOCOL.md §3)';

/** Up to 20 characters either side of `at`, quoted. */
const around = (text: string, at: number) => {
  const excerpt = text.slice(Math.max(0, at - 20), at + 20);
  return JSON.stringify((at > 20 ? '…' : '') + excerpt + (at + 20 < text.length ? '…' : ''));
};

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
