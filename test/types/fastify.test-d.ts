/** Type-level tests of bigpipe-js/fastify (dist/fastify.d.ts). Compiled by `tsc --noEmit -p .` in `npm test`. */
import Fastify, { type FastifyPluginCallback, type FastifyReply } from 'fastify';
import bigpipe, { bigpipe as named, type BigPipePluginOptions } from 'bigpipe-js/fastify';
import type { Page, RenderOptions } from 'bigpipe-js/server';
import { expectTypeOf } from 'vitest';

expectTypeOf(bigpipe).toEqualTypeOf<FastifyPluginCallback<BigPipePluginOptions>>();
expectTypeOf(named).toEqualTypeOf(bigpipe);
expectTypeOf<BigPipePluginOptions>().toEqualTypeOf<RenderOptions>();

const app = Fastify();
app.register(bigpipe);
app.register(bigpipe, { runtime: { src: '/bigpipe.min.js' }, timeout: 2000 });
// @ts-expect-error the plugin's options are RenderOptions
app.register(bigpipe, { mode: 'stream' });

declare const page: Page;
app.get('/', async (_, reply) => {
  expectTypeOf(reply.bigpipe).parameters.toEqualTypeOf<[page: Page, options?: RenderOptions]>();
  expectTypeOf(reply.bigpipe(page)).toEqualTypeOf<FastifyReply>();
  // @ts-expect-error a page needs its pagelets
  reply.bigpipe({ body: '' });
  return reply.bigpipe(page, { mode: 'inline' });
});
