// The page the deploy examples serve: a shell with three placeholders, two quick pagelets and a slow one. Web APIs
// only (no node: imports), so the same module runs on Node, Deno, Bun and Cloudflare Workers.
import { placeholder } from 'bigpipe-js/server';

/** Resolves after `ms`, or rejects as soon as `signal` aborts (the client has gone, or the pagelet timed out). */
const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/**
 * A new page per request (the request is there for pages that depend on it). `orders` stands for a slow backend
 * call that takes the pagelet's signal, as fetch() would: a client that goes away stops it.
 */
export const dashboard = () => ({
  head: '<title>bigpipe-js deploy example</title><style>body{font:16px system-ui;margin:2em}</style>',
  body: `<h1>Dashboard</h1>${placeholder('greeting')}${placeholder('weather')}${placeholder('orders')}`,
  pagelets: [
    { id: 'greeting', render: () => ({ html: '<p>Hello!</p>' }) },
    {
      id: 'weather',
      render: async ({ signal }) => {
        await sleep(50, signal);
        return { html: '<p class="weather">Sunny, 21 °C</p>', css: '.weather{color:darkorange}' };
      },
    },
    {
      id: 'orders',
      render: async ({ signal }) => {
        await sleep(1000, signal);
        return { html: '<p>Your order has shipped.</p>' };
      },
      // The largest pagelet timeout of the page: Bun's idleTimeout must be above it (bun.mjs).
      timeout: 5000,
      fallback: '<p>Orders are unavailable right now.</p>',
    },
  ],
});
