/** Tree helpers over parse5's default tree, for asserting what a browser parser would build. */
import { parse, parseFragment } from 'parse5';

export interface Node {
  nodeName: string;
  tagName?: string;
  value?: string;
  attrs?: { name: string; value: string }[];
  childNodes?: Node[];
  content?: Node;
}

/** `scripting: false` parses as a browser without JavaScript does (noscript content becomes elements). */
export const parseDocument = (html: string, scripting = true) => parse(html, { scriptingEnabled: scripting }) as unknown as Node;
export const fragment = (html: string) => parseFragment(html) as unknown as Node;

/** Every element named `tag`, in document order. */
export function elements(node: Node, tag: string, out: Node[] = []): Node[] {
  if (node.tagName === tag) out.push(node);
  for (const child of node.childNodes ?? []) elements(child, tag, out);
  return out;
}

export const text = (node: Node): string =>
  (node.childNodes ?? []).map((c) => (c.nodeName === '#text' ? c.value! : text(c))).join('');

export const attr = (node: Node, name: string) => node.attrs?.find((a) => a.name === name)?.value;

export const byId = (node: Node, id: string): Node | undefined => {
  if (attr(node, 'id') === id) return node;
  for (const child of node.childNodes ?? []) {
    const found = byId(child, id);
    if (found) return found;
  }
};
