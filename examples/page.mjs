// The page every recipe serves: a shell with three placeholders, two quick pagelets and a slow one.
import { fileURLToPath } from 'node:url';
import { placeholder } from 'bigpipe-js/server';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A new page per request. `slowHtml` stands for a slow backend call (one second by default); the recipes' tests
 * pass one that waits for them.
 */
export const tinyPage = (slowHtml = () => sleep(1000).then(() => '<p>Your order has shipped.</p>')) => ({
  head: '<title>bigpipe-js recipe</title><style>body{font:16px system-ui;margin:2em}</style>',
  body: `<h1>Dashboard</h1>${placeholder('greeting')}${placeholder('weather')}${placeholder('orders')}`,
  pagelets: [
    { id: 'greeting', render: () => ({ html: '<p>Hello!</p>' }) },
    {
      id: 'weather',
      render: async () => {
        await sleep(50);
        return { html: '<p class="weather">Sunny, 21 °C</p>', css: '.weather{color:darkorange}' };
      },
    },
    { id: 'orders', render: async () => ({ html: await slowHtml() }) },
  ],
});

/** True when the file at `url` (import.meta.url) is the program node was started with. */
export const isMain = (url) => process.argv[1] === fileURLToPath(url);

/** Prints where a started recipe listens. */
export const printUrl = (server) => console.log(`listening on http://localhost:${server.address().port}`);
