/** Reading HTML as a browser would, as far as the checker needs: scripts, raw text, element ids, attributes. */

export interface Script {
  start: number;
  end: number;
  attrs: string;
  content: string;
}

// Comments, and the elements whose content is raw text: nothing inside them is markup.
const RAW = /<!--[\s\S]*?(?:-->|$)|<(script|style|textarea|title)(?=[\s/>])([^>]*)>/gi;
const ID = /<[a-z][^\s/>]*(?:\s[^>]*?)?\sid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;

const ENTITIES: Record<string, string> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>' };
const decodeEntities = (text: string) =>
  text.replace(/&(?:#(\d+)|#x([\da-f]+)|(\w+));/gi, (all, dec, hex, name) =>
    dec || hex ? codePoint(parseInt(dec ?? hex, dec ? 10 : 16)) : (ENTITIES[name.toLowerCase()] ?? all),
  );
const codePoint = (n: number) => (n <= 0x10ffff ? String.fromCodePoint(n) : '\ufffd');

/** The scripts in `html` with their content, and the ranges of raw text (comments, script/style/… content). */
export function scan(html: string) {
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
export const inRaw = (raw: [number, number][], offset: number) => raw.some(([from, to]) => offset >= from && offset < to);

/** Element ids in `html`, outside comments and raw-text elements. */
export function ids(html: string, raw = scan(html).raw): Set<string> {
  const out = new Set<string>();
  for (const m of html.matchAll(ID)) if (!inRaw(raw, m.index!)) out.add(decodeEntities(m[1] ?? m[2] ?? m[3]!));
  return out;
}

/** An attribute's value ('' when present without one), or undefined when absent. */
export const attr = (attrs: string, name: string): string | undefined => {
  const m = new RegExp(`(?:^|\\s)${name}(?:\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+)))?(?=\\s|/|$)`, 'i').exec(attrs);
  return m ? decodeEntities(m[1] ?? m[2] ?? m[3] ?? '') : undefined;
};
