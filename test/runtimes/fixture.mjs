// The page every runtime under test serves, Web APIs only. Its held pagelets ask the test's control server for their
// content and wait for the answer, so the test decides when each one is ready; the query names the control server
// (`control`), the test run (`run`) and the timeout of the pagelet that never gets an answer (`late`, in ms). Every
// aborted render prints `bigpipe-test aborted <run> <id>` on stdout for the test to read, unless the query has `quiet`.
import { placeholder } from 'bigpipe-js/server';

export const HELD = ['a', 'b'];

/** The fixture page for a request (what `page(request)` of an example returns). */
export function fixturePage(request) {
  const query = new URL(request.url).searchParams;
  const control = query.get('control');
  const run = query.get('run');
  const late = Number(query.get('late') ?? 200);
  const report = query.has('quiet') ? () => {} : (id) => console.log(`bigpipe-test aborted ${run} ${id}`);
  const held =
    (id) =>
    async ({ signal }) => {
      signal.addEventListener('abort', () => report(id), { once: true });
      const response = await fetch(`${control}/${run}/${id}`, { signal });
      return response.json();
    };
  return {
    head: '<title>bigpipe-js runtimes fixture</title>',
    body: `<main><h1>Fixture</h1>${['quick', ...HELD, 'late', 'broken'].map(placeholder).join('')}</main>`,
    pagelets: [
      { id: 'quick', render: () => ({ html: '<p>quick</p>' }) },
      { id: 'a', render: held('a') },
      { id: 'b', render: held('b') },
      // Never answered: its timeout gives it the fallback, and aborts its render.
      { id: 'late', render: held('late'), timeout: late, fallback: '<p>late: fallback</p>' },
      {
        id: 'broken',
        render: () => {
          throw new Error('broken on purpose');
        },
        fallback: '<p>broken: fallback</p>',
      },
    ],
  };
}
