/// <reference types="node" />
import type { Readable, Writable } from 'node:stream';
import { HEADERS } from './headers';
import { MAX_DELAY, startRender, type PageStream } from './render';
import type { Page, RenderOptions } from './types';

/** A writable that is an HTTP response whose headers can still be set (node:http, Koa's ctx.res under pipe). */
type Response = Writable & {
  headersSent?: boolean;
  setHeader?(name: string, value: string): unknown;
  getHeader?(name: string): unknown;
};

// What Koa sets for any stream body: a default, not a choice of the user's.
const GENERIC = /^application\/octet-stream\b/i;

/**
 * node:stream, taken from the running Node when first needed rather than imported: the package's one entry also
 * serves Web runtimes and edge bundlers (workerd, esbuild's neutral platform), where `node:stream` cannot resolve.
 */
const nodeStream = (): typeof import('node:stream') => {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof get !== 'function')
    throw new Error('renderToNodeStream needs Node.js >= 20.16 (process.getBuiltinModule)');
  return get('node:stream') as typeof import('node:stream');
};

let PageReadable: ReturnType<typeof definePageReadable> | undefined;

/** The page as a Node Readable; see renderToNodeStream. */
const definePageReadable = () =>
  class PageReadable extends nodeStream().Readable {
    private reading = false;
    private stalled: ReturnType<typeof setTimeout> | undefined = undefined;

    constructor(private readonly render: PageStream) {
      super();
    }

    override _read() {
      clearTimeout(this.stalled);
      if (!this.reading) void this.pump();
    }

    /** Pushes chunks while the consumer wants more; waits for the render when none is ready. */
    private async pump() {
      this.reading = true;
      try {
        for (;;) {
          const chunk = this.render.read();
          if (chunk === undefined) {
            await this.render.changed();
            continue;
          }
          if (chunk === null) {
            this.push(null);
            return;
          }
          if (!this.push(chunk)) {
            const { writeTimeout } = this.render;
            // The consumer has this long to come back for more (a client that stopped reading).
            if (writeTimeout < MAX_DELAY)
              this.stalled = setTimeout(
                () =>
                  this.destroy(
                    Object.assign(new Error(`no chunk taken for ${writeTimeout} ms`), { name: 'TimeoutError' }),
                  ),
                writeTimeout,
              );
            return;
          }
        }
      } catch (error) {
        this.destroy(error as Error); // options.signal aborted the page
      } finally {
        this.reading = false;
      }
    }

    override _destroy(error: Error | null, callback: (error?: Error | null) => void) {
      clearTimeout(this.stalled);
      this.render.cancel();
      callback(error);
    }

    /** Piped into an HTTP response whose headers are not sent yet, it sets the protocol's headers first. */
    override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
      const res = destination as unknown as Response;
      if (typeof res.setHeader === 'function' && !res.headersSent)
        for (const [name, value] of HEADERS) {
          const current = res.getHeader?.(name);
          if (current === undefined || (name === 'Content-Type' && GENERIC.test(String(current))))
            res.setHeader(name, value);
        }
      return super.pipe(destination, options);
    }
  };

/**
 * The page as a Node Readable of string chunks, for Koa (`ctx.body = renderToNodeStream(page)`, which also sets
 * status 200) and for `stream.pipe(res)`. Piped into an HTTP response, it sets the protocol's headers unless
 * already set (a generic `application/octet-stream`, Koa's default for streams, counts as not set). Backpressure
 * is the consumer's: a chunk is produced when it is read. Destroying the stream (Koa does on a client
 * disconnect) aborts every pending render; a consumer that takes nothing for `writeTimeout` ms while a chunk
 * waits, or aborting `options.signal`, destroys it with the error. Validation errors throw here.
 */
export function renderToNodeStream(page: Page, options?: RenderOptions): Readable {
  PageReadable ??= definePageReadable();
  return new PageReadable(startRender(page, options));
}
