/**
 * Type-level tests of bigpipe-js/web (dist/web.d.ts): the same types as bigpipe-js/server for what both have, and no
 * Node adapter. Compiled by `tsc --noEmit -p .` in `npm test`; test/types/workers.test.ts checks it without Node's types.
 */
import * as server from 'bigpipe-js/server';
import * as web from 'bigpipe-js/web';
import { expectTypeOf } from 'vitest';

expectTypeOf(web.renderToResponse).toEqualTypeOf(server.renderToResponse);
expectTypeOf(web.renderToReadableStream).toEqualTypeOf(server.renderToReadableStream);
expectTypeOf(web.renderToChunks).toEqualTypeOf(server.renderToChunks);
expectTypeOf(web.pickMode).toEqualTypeOf(server.pickMode);
expectTypeOf(web.noscriptRedirect).toEqualTypeOf(server.noscriptRedirect);
expectTypeOf(web.placeholder).toEqualTypeOf(server.placeholder);
expectTypeOf(web.escapeHtml).toEqualTypeOf(server.escapeHtml);
expectTypeOf(web.escapeJson).toEqualTypeOf(server.escapeJson);
expectTypeOf(web.serializePagelet).toEqualTypeOf(server.serializePagelet);
expectTypeOf(web.runtimeTags).toEqualTypeOf(server.runtimeTags);
expectTypeOf(web.inlineRuntime).toEqualTypeOf(server.inlineRuntime);
expectTypeOf(web.DEFAULT_PAGELET_TIMEOUT).toEqualTypeOf(server.DEFAULT_PAGELET_TIMEOUT);
expectTypeOf(web.DEFAULT_WRITE_TIMEOUT).toEqualTypeOf(server.DEFAULT_WRITE_TIMEOUT);
expectTypeOf<web.Page>().toEqualTypeOf<server.Page>();
expectTypeOf<web.PageParts>().toEqualTypeOf<server.PageParts>();
expectTypeOf<web.PageDocument>().toEqualTypeOf<server.PageDocument>();
expectTypeOf<web.Pagelet>().toEqualTypeOf<server.Pagelet>();
expectTypeOf<web.PageletContent>().toEqualTypeOf<server.PageletContent>();
expectTypeOf<web.RenderOptions>().toEqualTypeOf<server.RenderOptions>();
expectTypeOf<web.InlineRuntime>().toEqualTypeOf<server.InlineRuntime>();
expectTypeOf<web.Chunks>().toEqualTypeOf<server.Chunks>();
expectTypeOf<web.Payload>().toEqualTypeOf<server.Payload>();
expectTypeOf<web.PlaceholderOptions>().toEqualTypeOf<server.PlaceholderOptions>();
expectTypeOf<web.RequestLike>().toEqualTypeOf<server.RequestLike>();

// @ts-expect-error the Node adapters are bigpipe-js/server's only
void web.renderToNodeResponse;
// @ts-expect-error the Node adapters are bigpipe-js/server's only
void web.renderToNodeStream;

// A Workers handler as the README writes it.
export default {
  fetch: (request: Request): Response =>
    web.renderToResponse(
      { body: web.placeholder('a'), pagelets: [{ id: 'a', render: () => ({ html: 'A' }) }] },
      { runtime: { src: '/bigpipe.min.js' }, mode: web.pickMode(request), signal: request.signal },
    ),
};
