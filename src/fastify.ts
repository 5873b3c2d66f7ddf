/**
 * bigpipe-js/fastify: `fastify.register(bigpipe, defaults?)` gives every reply `reply.bigpipe(page, options?)`.
 * A plugin in fastify-plugin's form (the symbols below, read by Fastify itself), so this module needs no Fastify at
 * run time: its only import of it is types.
 */
import type { FastifyPluginCallback, FastifyReply } from 'fastify';
import { sendPage } from './server/node';
import { prepareRender } from './server/render';
import type { Page, RenderOptions } from './server/types';

declare module 'fastify' {
  interface FastifyReply {
    /**
     * Streams the page as this reply (see renderToNodeResponse), with the options given to `register` under
     * `options`, and returns the reply: `return reply.bigpipe(page)` in an async handler.
     *
     * - An invalid page goes to Fastify's error handler (`reply.send(error)`): it is checked before the reply is
     *   hijacked, and nothing renders.
     * - The status and headers set on the reply before are sent, with the protocol's headers where they are not set.
     * - A pagelet that fails is logged with `request.log` unless `onError` is given; so is a reply already sent.
     * - A client that disconnects aborts every pending render. A HEAD request gets the headers, and nothing renders.
     */
    bigpipe(page: Page, options?: RenderOptions): FastifyReply;
  }
}

/** `fastify.register(bigpipe, defaults)`: RenderOptions for every page, which `reply.bigpipe`'s options override. */
export type BigPipePluginOptions = RenderOptions;

function bigpipeReply(reply: FastifyReply, page: Page, given: RenderOptions): FastifyReply {
  const log = reply.log;
  let prepared;
  try {
    prepared = prepareRender(page, {
      ...given,
      onError:
        given.onError ??
        ((error, pageletId) => log.error({ err: error, pagelet: pageletId }, 'bigpipe-js: pagelet failed')),
    });
  } catch (error) {
    // Nothing is written yet: Fastify's error handler answers, as for any handler that fails.
    reply.send(error);
    return reply;
  }
  // Fastify keeps the headers set with reply.header() until it sends them itself, which it no longer does.
  const headers = reply.getHeaders();
  reply.hijack();
  for (const name in headers) if (headers[name] !== undefined) reply.raw.setHeader(name, headers[name]!);
  sendPage(prepared, reply.raw).catch((error: unknown) =>
    log.error({ err: error }, 'bigpipe-js: the page could not be sent'),
  );
  return reply;
}

const plugin: FastifyPluginCallback<BigPipePluginOptions> = (fastify, defaults, done) => {
  fastify.decorateReply('bigpipe', function (this: FastifyReply, page: Page, options?: RenderOptions) {
    return bigpipeReply(this, page, { ...defaults, ...options });
  });
  done();
};

// fastify-plugin's conventions: no encapsulation (every route sees the decorator), a name, the Fastify versions.
Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'bigpipe-js',
  [Symbol.for('plugin-meta')]: { name: 'bigpipe-js', fastify: '4.x || 5.x' },
});

export default plugin;
export { plugin as bigpipe };
