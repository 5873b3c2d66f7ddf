// Short version of stress/trusted-types.mjs. Engines: STRESS_ENGINES (default chromium; firefox has Trusted Types too).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failures, trustedTypes } from '../../stress/trusted-types.mjs';
import { launch, type Engine, type EngineName } from '../support/drivers';

const engines = ((process.env.STRESS_ENGINES ?? 'chromium').split(',') as EngineName[]).filter((e) => e !== 'webkit');

describe.each(engines)('Trusted Types in %s', (name) => {
  let engine: Engine;
  let f: Awaited<ReturnType<typeof trustedTypes>>;
  beforeAll(async () => {
    engine = await launch(name);
    f = await trustedTypes(engine);
  }, 120_000);
  afterAll(() => engine?.close());

  it('enforces the policy in this engine (a string assigned to innerHTML throws and is reported)', () => {
    expect(f.control).toMatchObject({ threw: true, violations: 1 });
  });

  it("works fully with dist/bigpipe.tt.min.js inlined by the server (runtime 'inline-trusted-types'): html, css, css_links, js_links, js, no violation", () => {
    expect(failures(f.inline)).toEqual([]);
  });

  it('works fully with dist/bigpipe.tt.min.js from a script tag', () => {
    expect(failures(f.scriptSrc)).toEqual([]);
  });

  it('works fully with dist/bigpipe.tt.min.js loaded async after the stub', () => {
    expect(failures(f.async)).toEqual([]);
  });
});
