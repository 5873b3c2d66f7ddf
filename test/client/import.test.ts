// The ESM runtime (dist/client.js, what `import 'bigpipe-js/client'` gives) outside a browser: SSR bundles and test
// runners import it where there is no document. This file runs in Node, without jsdom.
import { expect, it } from 'vitest';

it('can be imported where there is no document, and installs nothing there', async () => {
  expect(typeof document).toBe('undefined');
  const { BigPipe } = await import('bigpipe-js/client');
  expect(typeof BigPipe).toBe('object');
  expect('onPageletArrive' in BigPipe).toBe(false);
  expect('BigPipe' in globalThis).toBe(false);
});
