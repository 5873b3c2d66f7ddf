import fc from 'fast-check';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { Payload } from '../../src/protocol';
import { escapeHtml, escapeJson, placeholder, serializePagelet } from '../../src/server/serialize';
import { attr, elements, fragment, parseDocument, text } from '../support/parse.mjs';

// Strings built from the sequences that end or confuse script data, mixed with arbitrary code points.
const hostile = fc.constantFrom(
  ...['</script>', '</SCRIPT >', '</script/', '<!--', '-->', '<script', '<!-- <script>'],
  ...['\u2028', '\u2029', '\ud800', '\udfff', '\0', '<', '>', '&', '"', "'", '\\', '\n'],
);
const piece = fc.oneof(
  hostile,
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
);
const hostileString = fc.oneof(
  fc.string({ unit: piece }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
);
const payload: fc.Arbitrary<Payload> = fc.record(
  {
    // a target names an element: never empty (PROTOCOL.md §2)
    target: hostileString.filter((t) => t !== ''),
    html: hostileString,
    append: fc.boolean(),
    css: hostileString,
    css_links: fc.array(hostileString, { maxLength: 3 }),
    js_links: fc.array(hostileString, { maxLength: 3 }),
    js: hostileString,
    total: fc.nat(),
  },
  { requiredKeys: ['target'] },
);

const CALL = /^BigPipe\.onPageletArrive\(([\s\S]*)\)$/;

describe('serializePagelet', () => {
  it('writes exactly one script element whose argument is the payload, for any strings', () => {
    fc.assert(
      fc.property(payload, (p) => {
        const html = serializePagelet(p);
        const doc = parseDocument(`<!DOCTYPE html><html><head></head><body>${html}<p>after</p></body></html>`);
        const scripts = elements(doc, 'script');
        expect(scripts).toHaveLength(1);
        expect(elements(doc, 'p')).toHaveLength(1);
        const argument = CALL.exec(text(scripts[0]!))![1]!;
        expect(JSON.parse(argument)).toEqual(p);
      }),
      { numRuns: 500 },
    );
  });

  it('writes code that evaluates to the payload', () => {
    fc.assert(
      fc.property(payload, (p) => {
        const code = text(elements(fragment(serializePagelet(p)), 'script')[0]!);
        const received: unknown[] = [];
        runInNewContext(code, { BigPipe: { onPageletArrive: (x: unknown) => received.push(x) } });
        expect(received).toEqual([p]);
      }),
      { numRuns: 200 },
    );
  });

  it('writes the exact call format', () => {
    expect(serializePagelet({ target: 'a', html: '<b>x</b>', total: 2 })).toBe(
      '<script>BigPipe.onPageletArrive({"target":"a","html":"\\u003cb>x\\u003c/b>","total":2})</script>',
    );
  });

  it('puts a valid nonce on the script exactly', () => {
    expect(serializePagelet({ target: 'a' }, { nonce: 'R4nd0m+/=_-' })).toBe(
      '<script nonce="R4nd0m+/=_-">BigPipe.onPageletArrive({"target":"a"})</script>',
    );
  });

  it.each(['', 'a b', 'a"b', '"><script>alert(1)</script>', "a'", 'a\n', 'é', 'a>b', 'a&b'])(
    'rejects the nonce %j',
    (nonce) => {
      expect(() => serializePagelet({ target: 'a' }, { nonce })).toThrow(TypeError);
    },
  );

  it('either rejects a nonce or writes it as the only attribute, for any string', () => {
    fc.assert(
      fc.property(hostileString, (nonce) => {
        let html: string;
        try {
          html = serializePagelet({ target: 'a' }, { nonce });
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
          return;
        }
        const scripts = elements(fragment(html), 'script');
        expect(scripts).toHaveLength(1);
        expect(scripts[0]!.attrs).toEqual([{ name: 'nonce', value: nonce }]);
      }),
    );
  });

  it('says why a nonce is rejected', () => {
    expect(() => serializePagelet({ target: 'a' }, { nonce: 'a b' })).toThrow(/base64/);
  });

  it.each([
    [null, /object/],
    [{}, /target/],
    [{ target: 'a', html: 1 }, /html/],
    [{ target: 'a', css_links: ['x', 2] }, /css_links/],
    [{ target: 'a', append: 'yes' }, /append/],
    [{ target: 'a', total: NaN }, /total: expected a finite number/],
    [{ target: 'a', total: Infinity }, /total: expected a finite number/],
    [{ target: '' }, /target: must not be empty/],
    // a hole is no string: JSON would write it as null, which the runtime rejects
    // biome-ignore lint/suspicious/noSparseArray: the hole is what is tested
    [{ target: 'a', css_links: [, '/a.css'] }, /css_links: expected string\[\]/],
    [{ target: 'a', js_links: new Array(2) }, /js_links: expected string\[\]/],
  ])('rejects the invalid payload %j', (p, message) => {
    expect(() => serializePagelet(p as unknown as Payload)).toThrow(message);
  });

  it('never writes a __proto__ key, which the page would take as the prototype', () => {
    const payload = JSON.parse('{"target":"a","__proto__":{"total":1},"html":"x","later":1}');
    const html = serializePagelet(payload);
    expect(html).toBe('<script>BigPipe.onPageletArrive({"target":"a","html":"x","later":1})</script>');
  });

  it('reads each field once, so a getter cannot change what was checked', () => {
    let reads = 0;
    const payload = {
      target: 'a',
      get html() {
        return reads++ ? (1 as unknown as string) : 'x';
      },
    };
    expect(serializePagelet(payload)).toContain('"html":"x"');
    expect(reads).toBe(1);
  });
});

describe('escapeJson', () => {
  it('escapes <, U+2028 and U+2029 and nothing else beyond JSON', () => {
    expect(escapeJson('</script>\u2028\u2029&>')).toBe('"\\u003c/script>\\u2028\\u2029&>"');
  });

  it('leaves lone surrogates escaped as JSON.stringify does', () => {
    expect(escapeJson('\ud800')).toBe('"\\ud800"');
  });
});

describe('placeholder', () => {
  it('writes an empty div with the id', () => {
    expect(placeholder('feed')).toBe('<div id="feed"></div>');
  });

  it('escapes the id as an attribute value', () => {
    expect(placeholder('"><script>&')).toBe('<div id="&quot;&gt;&lt;script&gt;&amp;"></div>');
  });

  it.each(['', ' ', 'a b', 'a\tb', 'a\nb', '\0', '\ud800'])('rejects the id %j, naming it', (id) => {
    expect(() => placeholder(id)).toThrow(TypeError);
    expect(() => placeholder(id)).toThrow(JSON.stringify(id));
  });

  it('rejects an id that is not a string', () => {
    expect(() => placeholder(7 as unknown as string)).toThrow(TypeError);
  });

  it('either rejects an id or writes one empty div with exactly that id, for any string', () => {
    fc.assert(
      fc.property(hostileString, (id) => {
        let html: string;
        try {
          html = placeholder(id);
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
          return;
        }
        const root = fragment(html);
        expect(root.childNodes).toHaveLength(1);
        const div = root.childNodes![0]!;
        expect(div.tagName).toBe('div');
        expect(div.attrs).toEqual([{ name: 'id', value: id }]);
        expect(div.childNodes).toEqual([]);
        expect(attr(div, 'id')).toBe(id);
      }),
      { numRuns: 500 },
    );
  });
});

describe('escapeHtml', () => {
  it('turns any text into text, in content and in quoted attributes', () => {
    const input = `<script>alert("x")</script> & 'y'`;
    const html = `<p title="${escapeHtml(input)}">${escapeHtml(input)}</p>`;
    const [p] = elements(fragment(html), 'p');
    expect(attr(p!, 'title')).toBe(input);
    expect(text(p!)).toBe(input);
    expect(elements(fragment(html), 'script')).toHaveLength(0);
    expect(escapeHtml(42)).toBe('42');
  });
});
