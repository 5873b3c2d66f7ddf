/**
 * Payloads of other BigPipe servers: which format a script is in, the payload in the protocol's fields, and one
 * finding per format saying what to rename on the server (or that dist/bigpipe.compat.min.js adapts it).
 */
import { adapt, ASPNET, FACEBOOK_2010 } from '../compat/adapt';
import { ARRIVE, COMPAT_ARRIVE, GLOBAL } from '../protocol';
import type { Call } from './literal';
import type { Finding } from './types';

export type Format = 'bigpipe-response' | 'aspnet' | 'facebook-2010' | 'receiver' | 'positional';

const OURS = `${GLOBAL}.${ARRIVE}`;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (o: object, key: string) => Object.hasOwn(o, key);

/** The legacy format of a payload object (no `target`, the other servers' fields), if it is one. */
export const formatOf = (value: unknown): 'aspnet' | 'facebook-2010' | undefined => {
  if (!isObject(value) || has(value, 'target')) return undefined;
  if (Object.keys(ASPNET).some((k) => has(value, k))) return 'aspnet';
  if (Object.keys(FACEBOOK_2010).some((k) => has(value, k) && k !== 'css' && k !== 'js')) return 'facebook-2010';
  return undefined;
};

/**
 * `name = new BigPipe(n)` in a script (the ASP.NET tutorial): the pipe's variable ('' when none is assigned) and its
 * pagelet count. Linear: it looks for `new BigPipe(` and only then back at what is before it.
 */
export const constructions = (code: string): [string, number | undefined][] =>
  [...code.matchAll(/\bnew\s+BigPipe\s*\(\s*(\d*)/g)].map((m) => [
    /([A-Za-z_$][\w$]*)\s*=\s*$/.exec(code.slice(Math.max(0, m.index - 80), m.index))?.[1] ?? '',
    m[1] ? Number(m[1]) : undefined,
  ]);

export interface LegacyPayload {
  format: Format;
  callee: string;
  /** the payload in the protocol's fields */
  value: Record<string, unknown>;
  /** the call as a short signature, for positional calls: `renderInDom(html, "feed")` */
  signature?: string;
}

/**
 * A script's call as another server's payload. `ids`: the page's ids so far (a positional call names one); `n`: the
 * payload's position (1-based, for `is_last`); `pipes`: variables made with `new BigPipe(n)`.
 */
export function legacyPayload(
  call: Call,
  ids: Set<string>,
  n: number,
  pipes: Map<string, number | undefined>,
): LegacyPayload | undefined {
  const { callee, args } = call;
  const method = callee.endsWith(`.${ARRIVE}`);
  if (args.length === 1 && isObject(args[0]) && (method || callee === COMPAT_ARRIVE)) {
    const receiver = callee.slice(0, -ARRIVE.length - 1);
    const format =
      formatOf(args[0]) ?? (callee === COMPAT_ARRIVE ? 'bigpipe-response' : callee === OURS ? undefined : 'receiver');
    if (!format) return undefined;
    return { format, callee, value: adapt(args[0], n, pipes.get(receiver)) as Record<string, unknown> };
  }
  if (args.length < 2 || method) return undefined;
  // Positional: one argument is a placeholder's id, another string is the markup.
  const target = args.findIndex((a) => typeof a === 'string' && ids.has(a));
  const html = args.findIndex((a, i) => typeof a === 'string' && i !== target);
  if (target < 0 || html < 0) return undefined;
  const shown = args.map((a, i) => (i === target ? JSON.stringify(a) : i === html ? 'html' : '…'));
  return {
    format: 'positional',
    callee,
    value: { target: args[target], html: args[html] },
    signature: `${callee}(${shown.join(', ')})`,
  };
}

/** What the page is known to have for the compat script to work. */
export interface Compat {
  /** dist/bigpipe.compat.min.js is in the shell */
  loaded: boolean;
  pipes: Map<string, number | undefined>;
}

/** Whether the runtime (with the compat script, when loaded) reads this payload as it is. */
export const works = ({ format, callee }: LegacyPayload, compat: Compat) => {
  if (format === 'bigpipe-response') return true;
  if (!compat.loaded || format === 'positional') return false;
  const receiver = callee.slice(0, -ARRIVE.length - 1);
  return receiver === GLOBAL || receiver === 'big_pipe' || compat.pipes.has(receiver);
};

const COMPAT_HINT =
  'or, where the server cannot change, load dist/bigpipe.compat.min.js right after the runtime (PROTOCOL.md §9)';
const renames = (table: Record<string, string>) =>
  Object.entries(table)
    .map(([from, to]) => `${from} → ${to}`)
    .join(', ');
const payloads = (n: number) => `${n} payload${n === 1 ? '' : 's'}`;

/** One finding for the payloads of one format: `count` of them, the first being `first`; `all` of them work. */
export function legacyFinding(
  first: LegacyPayload,
  count: number,
  all: boolean,
  compat: Compat,
  json: boolean,
): Finding {
  const { format, callee } = first;
  const call = `call ${OURS}(…)`;
  const asJson = json ? '' : ', with the argument as JSON (PROTOCOL.md §3)';
  const count_ = [...compat.pipes.values()].find((c) => c !== undefined);
  switch (format) {
    case 'bigpipe-response':
      return {
        level: 'warning',
        message:
          `${payloads(count)} call ${COMPAT_ARRIVE}(…), the entry point of bigpipe-response: the runtime answers it like ` +
          `${OURS} (PROTOCOL.md §4.8), but the protocol's call is ${OURS}(…): rename the call`,
      };
    case 'aspnet':
    case 'facebook-2010': {
      const name =
        format === 'aspnet'
          ? 'the ASP.NET MVC BigPipe tutorial ({"Id","Content","Css","Js"})'
          : "Facebook's 2010 BigPipe ({id, content, css, js, is_last})";
      const total =
        format === 'aspnet'
          ? `put "total": ${count_ ?? 'n'} on the payloads instead of new BigPipe(${count_ ?? 'n'})`
          : 'replace "is_last": true by "total": the number of payloads';
      const fields =
        format === 'aspnet'
          ? renames(ASPNET)
          : `${renames(FACEBOOK_2010).replace('css → ', 'css (a list) → ').replace('js → ', 'js (a list) → ')}`;
      const what = `rename the fields ${fields}, ${total}, and ${call}${callee === OURS ? '' : ` instead of ${callee}(…)`}${asJson}`;
      return all
        ? {
            level: 'warning',
            message: `${payloads(count)} in the format of ${name}, adapted by bigpipe.compat.min.js; to drop it, ${what}`,
          }
        : {
            level: 'error',
            message:
              `${payloads(count)} in the format of ${name}: the runtime does not read them` +
              `${compat.pipes.size && !compat.loaded ? ', and new BigPipe(…) throws (its BigPipe is no constructor)' : ''}. ` +
              `To migrate, ${what}; ${COMPAT_HINT}`,
          };
    }
    case 'receiver':
      return all
        ? {
            level: 'warning',
            message: `${payloads(count)} call ${callee}(…), adapted by bigpipe.compat.min.js; to drop it, ${call}`,
          }
        : {
            level: 'error',
            message: `${payloads(count)} call ${callee}(…): the runtime's global is ${GLOBAL}: ${call}${asJson}`,
          };
    case 'positional':
      return {
        level: 'error',
        message:
          `${payloads(count)} as positional calls like ${first.signature}: the runtime takes one object per payload: write ` +
          `${OURS}({"target": ${JSON.stringify(first.value.target)}, "html": …}) (PROTOCOL.md §2)`,
      };
  }
}
