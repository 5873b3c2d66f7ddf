/**
 * Server bundles per entry, as esbuild makes them for workerd and Node (bench/bundle-size.mjs builds the same ones):
 * what each carries, what it weighs, and that a Workers bundle of bigpipe-js/web still renders a page.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundle, USES, type Bundle } from '../../bench/bundle-size.mjs';
import { inlineRuntime, renderToResponse } from '../../dist/web.js';

const build = (key: string): Promise<Bundle> => bundle(USES.find((u) => u.key === key)!);
const RUNTIME = readFileSync(new URL('../../dist/bigpipe.min.js', import.meta.url), 'utf8').trim();
const BUNDLING = 30_000;

describe('server bundles', () => {
  it.each(USES.map((u) => [u.name, u] as const))(
    '%s carries the inline runtime and isbot only where the use needs them',
    async (_, use) => {
      const b = await build(use.key);
      expect({ runtime: b.runtime, isbot: b.isbot }).toEqual({ runtime: use.runtime, isbot: use.isbot });
    },
    BUNDLING,
  );

  it(
    'bundles bigpipe-js/web with a runtime src from dist/web.js alone, with no Node module in it',
    async () => {
      const b = await build('web_src');
      expect(b.inputs).toEqual(['dist/web.js', 'web_src.mjs']);
      expect(b.text).not.toMatch(/\bnode:|getBuiltinModule/);
    },
    BUNDLING,
  );

  it(
    'keeps a Workers bundle of renderToResponse with a runtime src within 18,000 B minified',
    async () => {
      // measured 17,125 B (esbuild 0.27.7); bigpipe-js/server's was 19,724 B for the same use
      expect((await build('web_src')).min).toBeLessThanOrEqual(18_000);
    },
    BUNDLING,
  );

  it(
    'adds the runtime and little else when inlineRuntime is imported',
    async () => {
      const [src, inline] = await Promise.all([build('web_src'), build('web_inline')]);
      const added = inline.min - src.min;
      expect(added).toBeGreaterThanOrEqual(RUNTIME.length);
      expect(added).toBeLessThanOrEqual(RUNTIME.length + 200);
    },
    BUNDLING,
  );

  it(
    'renders a page from the Workers bundle of bigpipe-js/web',
    async () => {
      const b = await build('web_src');
      const worker = await import(`data:text/javascript;base64,${Buffer.from(b.text).toString('base64')}`);
      const response: Response = await worker.default.fetch(new Request('http://127.0.0.1/'));
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await response.text();
      expect(html).toContain('<script src="/bigpipe.min.js"></script>');
      expect(html).toContain('BigPipe.onPageletArrive({"target":"a","html":"A","total":1})');
      expect(html).not.toContain(RUNTIME);
    },
    BUNDLING,
  );
});

describe('bigpipe-js/web', () => {
  const page = { body: '<div id="a"></div>', pagelets: [{ id: 'a', render: () => ({ html: 'A' }) }] };

  it('says to give a runtime src or inlineRuntime when a pipeline-mode page names none', () => {
    expect(() => renderToResponse(page)).toThrow(/inlines no runtime unless it is given one.*inlineRuntime/);
    expect(() => renderToResponse(page, { runtime: 'inline' })).toThrow(/\{ src: '\/bigpipe\.min\.js' \}/);
  });

  it('inlines the runtime it is given as inlineRuntime, the same bytes as dist/bigpipe.min.js', async () => {
    const html = await renderToResponse(page, { runtime: inlineRuntime }).text();
    expect(html).toContain(`<head><meta charset="utf-8"><script>${RUNTIME}</script>`);
  });

  it('renders an inline-mode page without a runtime', async () => {
    expect(await renderToResponse(page, { mode: 'inline' }).text()).toContain('<div id="a">A</div>');
  });

  it('refuses an inline runtime that could close its script element', () => {
    for (const inline of ['', 'x</script>', 'a<!--b', 'x</SCRIPT'])
      expect(() => renderToResponse(page, { runtime: { inline } })).toThrow(
        /runtime's script text, with no "<\/script" or "<!--"/,
      );
  });
});
