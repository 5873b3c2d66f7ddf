// The wire contract is decided once, in src/protocol.ts, and the conformance-vector format once, in
// conformance/schema.json: every copy elsewhere is generated (scripts/contract.mjs) or checked here.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
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

// The payload rule of src/protocol.ts (FIELDS, hasFieldType; null means absent but for the required field), applied
// by the runtime in its byte-saving form and by the checker: both must agree with it on every payload.
describe('the payload rule', () => {
  const rule = (p: Record<string, unknown>) =>
    Object.entries(protocol.FIELDS).every(([field, type]) =>
      p[field] == null ? field !== protocol.REQUIRED_FIELD : protocol.hasFieldType(p[field], type),
    );
  // Values as JSON carries them, of every type a field may wrongly get; targets never empty (tested below).
  const value = fc.oneof(
    fc.string({ minLength: 1, maxLength: 4 }),
    fc.boolean(),
    fc.integer(),
    fc.constant(null),
    fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }),
    fc.array(fc.oneof(fc.string({ maxLength: 3 }), fc.integer(), fc.constant(null)), { minLength: 1, maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
  );
  const valid = {
    string: fc.string({ minLength: 1, maxLength: 4 }),
    boolean: fc.boolean(),
    number: fc.integer(),
    'string[]': fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }),
  };
  // mostly right, so that payloads with a single wrong field are common
  const field = (type: keyof typeof valid) =>
    fc.oneof({ weight: 12, arbitrary: valid[type] }, { weight: 1, arbitrary: value });
  const payloads = fc.sample(
    fc.record(Object.fromEntries(Object.entries(protocol.FIELDS).map(([name, type]) => [name, field(type)])), {
      requiredKeys: [],
    }),
    { numRuns: 400, seed: 11 },
  ) as Record<string, unknown>[];

  it('is sampled on both sides: payloads it accepts and payloads it refuses', () => {
    const accepted = payloads.filter(rule).length;
    expect(Math.min(accepted, payloads.length - accepted)).toBeGreaterThan(40);
  });

  it('is the one the runtime applies: an error at arrival exactly for the payloads it refuses', () => {
    const page = createPage({ body: '' });
    const refused = payloads.map((p) => {
      const before = page.log.length;
      page.arrive(p);
      return page.log.slice(before).some((e) => e.type === protocol.EVENTS.error && /expected/.test(e.error ?? ''));
    });
    expect(refused).toEqual(payloads.map((p) => !rule(p)));
  });

  it('is the one the checker applies: an error exactly for the payloads it refuses', () => {
    const refused = payloads.map((p) => payloadFindings(p).some((f) => f.level === 'error'));
    expect(refused).toEqual(payloads.map((p) => !rule(p)));
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
  <T>() =>
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
    expect(keys<Resource>()(['body', 'type', 'status', 'hold', 'stall', 'delay'])).toEqual(
      names(d.resource.properties),
    );
    expect(
      keys<Step>()([
        'payload',
        'badPayload',
        'write',
        'script',
        'waitFor',
        'count',
        'release',
        'expectRequests',
        'delay',
        'end',
      ]),
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
