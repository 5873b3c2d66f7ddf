// The wire contract is decided once, in src/protocol.ts, and the conformance-vector format once, in
// conformance/schema.json: every copy elsewhere is generated (scripts/contract.mjs) or checked here.
import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { expectedFiles } from '../scripts/contract.mjs';
import * as protocol from '../src/protocol';
import { payloadFindings } from '../src/check/payload';
import { serializePagelet } from 'bigpipe-js/server';
import { createPage } from './client/harness';
import type { Expect, Resource, Step, Vector } from './e2e/fixture';

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

describe('copies of the contract', () => {
  it.each(expectedFiles(protocol))('%s is as generated from its source (else run `npm run contract`)', (file, text) => {
    expect(read(file)).toBe(text);
  });

  it('types every field of FIELDS in the Payload interface, and no other', () => {
    expectTypeOf<keyof protocol.Payload>().toEqualTypeOf<keyof typeof protocol.FIELDS>();
  });
});

describe('an empty target', () => {
  it('is refused by the server', () => {
    expect(() => serializePagelet({ target: '', html: 'x' })).toThrow('target: must not be empty');
  });

  it('is an error for the checker', () => {
    expect(payloadFindings({ target: '', html: 'x' })).toEqual([{ level: 'error', message: '"target" is empty' }]);
  });

  it('is reported by the runtime, like a placeholder that never comes, and counted as finished', () => {
    const page = createPage({ body: '<div id=""></div><div id="a"></div>' });
    page.arrive({ target: '', html: 'x', total: 1 });
    page.end();
    expect(page.events()).toEqual([
      { type: 'bigpipe:arrive', target: '' },
      { type: 'bigpipe:error', target: '', error: 'no element #' },
      { type: 'bigpipe:done' },
    ]);
  });

  it('is not a valid payload in a conformance vector', () => {
    const schema = JSON.parse(read('conformance/schema.json'));
    expect(schema.$defs.payload.properties.target.minLength).toBe(1);
  });
});

// The runner's types (test/e2e/fixture.ts) against the schema: the compiler checks each list against a type, this
// test checks it against the schema.
type KeysOf<T> = T extends unknown ? keyof T & string : never;
const keys =
  <T,>() =>
  <const K extends readonly string[]>(
    list: K & ([Exclude<KeysOf<T>, K[number]>, Exclude<K[number], KeysOf<T>>] extends [never, never] ? unknown : never),
  ) =>
    [...list].sort();
const names = (properties: object) => Object.keys(properties).sort();
const schema = JSON.parse(read('conformance/schema.json'));

describe('the vector format', () => {
  it('has the same fields in the runner as in the schema', () => {
    const d = schema.$defs;
    expect(keys<Vector>()(['name', 'description', 'contract', 'page', 'resources', 'steps', 'expect'])).toEqual(
      names(schema.properties).filter((k) => k !== '$schema'),
    );
    expect(keys<Vector['page']>()(['runtime', 'timeout', 'csp', 'head', 'body'])).toEqual(names(d.page.properties));
    expect(keys<Resource>()(['body', 'type', 'status', 'hold', 'stall', 'delay'])).toEqual(names(d.resource.properties));
    expect(
      keys<Step>()(['payload', 'badPayload', 'write', 'script', 'waitFor', 'count', 'release', 'expectRequests', 'delay', 'end']),
    ).toEqual([...new Set(d.step.oneOf.flatMap((s: { properties: object }) => names(s.properties)))].sort());
    expect(
      keys<Expect>()([
        'events',
        'order',
        'never',
        'runs',
        'requests',
        'placeholders',
        'styleAtDisplay',
        'readyState',
        'errorMessages',
        'pageErrors',
      ]),
    ).toEqual(names(d.expect.properties));
  });
});
