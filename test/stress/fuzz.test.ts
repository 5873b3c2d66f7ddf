// Short version of stress/fuzz.mjs (the long one: `npm run stress`): hostile payloads, nonces and placeholder ids
// through the built server module (dist/server.js), parsed with parse5 and, for a sample, by a real browser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSample, fuzzNonces, fuzzPlaceholders, fuzzSerialization } from '../../stress/fuzz.mjs';
import { launch, type Engine } from '../support/drivers';

describe('serialization fuzz', () => {
  it('parses 2,000 hostile payloads back into one script each whose argument is the payload', () => {
    const f = fuzzSerialization({ runs: 2000 });
    expect(f.failures).toEqual([]);
    expect({
      payloads: f.payloads,
      breakouts: f.breakouts,
      unescaped: f.unescaped,
      changed: f.changed,
      jsMismatch: f.jsMismatch,
    }).toEqual({ payloads: 2000, breakouts: 0, unescaped: 0, changed: 0, jsMismatch: 0 });
  }, 30_000);

  it('refuses every hostile nonce and writes each valid one exactly once per script and style tag', async () => {
    const f = await fuzzNonces({ runs: 300 });
    expect(f.failures).toEqual([]);
    expect([f.hostileAccepted, f.validRejected, f.tagsWrong]).toEqual([0, 0, 0]);
    expect(f.tagsChecked).toBeGreaterThan(300);
  }, 30_000);

  it('refuses a hostile placeholder id or escapes it into exactly one element with that id', () => {
    const f = fuzzPlaceholders({ runs: 1000 });
    expect(f.failures).toEqual([]);
    expect([f.breakouts, f.wrongId, f.wrongRefusal]).toEqual([0, 0, 0]);
    expect(f.escaped).toBeGreaterThan(100);
  });
});

describe('serialization fuzz in Chromium', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await launch('chromium');
  }, 60_000);
  afterAll(() => engine?.close());

  it('delivers hostile payloads unchanged and hostile html as the browser parses it', async () => {
    const f = await browserSample(engine, { count: 120 });
    expect({
      received: f.stubReceived,
      changed: f.stubChanged,
      breakouts: f.stubBreakouts,
      console: f.stubConsoleErrors,
    }).toEqual({ received: 120, changed: 0, breakouts: 0, console: [] });
    expect({
      arrived: f.runtimeArrived,
      displayed: f.runtimeDisplayed,
      htmlChanged: f.runtimeHtmlChanged,
      cssUnchanged: f.runtimeCssUnchanged,
      errors: f.runtimeErrors,
      done: f.runtimeDone,
      breakouts: f.runtimeBreakouts,
      pageErrors: f.runtimePageErrors,
      console: f.runtimeConsoleErrors,
    }).toEqual({
      arrived: 60,
      displayed: 60,
      htmlChanged: 0,
      cssUnchanged: true,
      errors: [],
      done: 1,
      breakouts: 0,
      pageErrors: [],
      console: [],
    });
    // <style> elements inside generated html are the page CSP's business: one console message for each it blocked
    expect(f.runtimeCspStyleMessages).toBe(f.runtimeBlockedHtmlStyles);
  }, 60_000);
});
