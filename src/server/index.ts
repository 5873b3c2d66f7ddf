/** bigpipe-js/server: stream a page pagelet by pagelet over a Web ReadableStream or a Node ServerResponse. */
export { renderToChunks } from './chunks';
export { DEFAULT_PAGELET_TIMEOUT, DEFAULT_WRITE_TIMEOUT } from './types';
export type { Chunks, Page, PageDocument, PageParts, Pagelet, PageletContent, RenderOptions } from './types';
export { noscriptRedirect, pickMode } from './mode';
export type { RequestLike } from './mode';
export { renderToNodeResponse } from './node';
export { renderToNodeStream } from './node-stream';
export { escapeHtml, escapeJson, placeholder, serializePagelet } from './serialize';
export type { PlaceholderOptions } from './serialize';
export { runtimeTags } from './validate';
export { renderToReadableStream, renderToResponse } from './web';
export type { Payload } from '../protocol';
