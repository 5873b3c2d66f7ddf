/**
 * bigpipe-js/web: the Web-stream half of bigpipe-js/server (Workers, Deno, Bun, Hono), with no Node types and no
 * inline runtime unless `inlineRuntime` is imported: an edge bundle carries only what its pages use (isbot only
 * with pickMode). rollup.config.mjs builds it with an empty INLINE_RUNTIMES table (server/inline-defaults.ts).
 */
export { renderToChunks } from './server/chunks';
export { inlineRuntime } from './server/inline-runtime';
export { noscriptRedirect, pickMode } from './server/mode';
export type { RequestLike } from './server/mode';
export { escapeHtml, escapeJson, placeholder, serializePagelet } from './server/serialize';
export type { PlaceholderOptions } from './server/serialize';
export { DEFAULT_PAGELET_TIMEOUT, DEFAULT_WRITE_TIMEOUT } from './server/types';
export type {
  Chunks,
  InlineRuntime,
  Page,
  PageDocument,
  PageParts,
  Pagelet,
  PageletContent,
  RenderOptions,
} from './server/types';
export { runtimeTags } from './server/validate';
export { renderToReadableStream, renderToResponse } from './server/web';
export type { Payload } from './protocol';
