/** The markup the render writes around the pagelets: the shell, the runtime's tags, a pagelet in inline mode. */
import { STUB } from '../protocol';
import { RUNTIME, RUNTIME_TRUSTED_TYPES } from './runtime.generated';
import { escapeAttribute } from './serialize';
import type { PageletContent, RenderOptions } from './types';

export const shellStart = '<!DOCTYPE html><html><head><meta charset="utf-8">';
export const END = '</body></html>';

const INLINE = { inline: RUNTIME, 'inline-trusted-types': RUNTIME_TRUSTED_TYPES };

/** The runtime's script tags for the head (pipeline mode). */
export const runtimeTags = (runtime: RenderOptions['runtime'] = 'inline', nonce: string) => {
  if (typeof runtime === 'string') return `<script${nonce}>${INLINE[runtime]}</script>`;
  const integrity =
    runtime.integrity === undefined ? '' : ` integrity="${escapeAttribute(runtime.integrity)}" crossorigin="anonymous"`;
  const src = escapeAttribute(runtime.src);
  const tag = `<script${nonce}${runtime.module ? ' type="module"' : ''}${runtime.async ? ' async' : ''} src="${src}"${integrity}></script>`;
  // Payloads that arrive before an async (or module, deferred) runtime wait in the stub's queue.
  return runtime.async || runtime.module ? `<script${nonce}>${STUB}</script>` + tag : tag;
};

/**
 * A pagelet's content as markup for inline mode. Inline js and css cannot close their element: in js every `<`
 * before `/` or `!--` becomes `\x3C` (same meaning inside string, template and regex literals); in css `</style`
 * becomes `<\/style` (a CSS escape of `/`, same meaning in strings and url()).
 */
export const inlineMarkup = (content: PageletContent, nonce: string) => {
  let out = '';
  for (const href of content.css_links ?? []) out += `<link rel="stylesheet" href="${escapeAttribute(href)}">`;
  if (content.css) out += `<style${nonce}>${content.css.replace(/<\/(style)/gi, '<\\/$1')}</style>`;
  out += content.html ?? '';
  for (const src of content.js_links ?? []) out += `<script${nonce} src="${escapeAttribute(src)}"></script>`;
  if (content.js) out += `<script${nonce}>${content.js.replace(/<(?=\/|!--)/g, '\\x3C')}</script>`;
  return out;
};
