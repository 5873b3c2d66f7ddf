// Generators of hostile strings and payloads (fast-check), for the serialization fuzz and the client campaigns.
// Kept apart from lib.mjs: fast-check's 'binary' string unit builds a table of ~90 MB of heap when first used,
// which the load campaign's heap figures should not carry.
import fc from 'fast-check';

const caseMix = (word) =>
  fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((up) => [...word].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(''));

/** `</script` in any case, followed by anything that ends a tag name: `</ScRiPt >`, `</script\t`, `</script/`. */
export const endTag = fc
  .tuple(caseMix('script'), fc.constantFrom('', '>', ' >', '\t', '\n', '\f', '\r', ' ', '/', '/>', ' x=">"'))
  .map(([name, after]) => `</${name}${after}`);

const SEQUENCES = [
  '<!--',
  '-->',
  '<!-- <script>',
  '<script',
  '<SCRIPT',
  '<script>',
  '</',
  '<',
  '>',
  '&',
  '&lt;',
  '"',
  "'",
  '\\',
  '`',
  '${',
  '\u2028',
  '\u2029',
  '\0',
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  '\udc00\ud800',
  '\n',
  '\r\n',
  ']]>',
  '<![CDATA[',
  '</style>',
  '<style>',
  '<!DOCTYPE html>',
  '</body>',
  '</html>',
  '\ufeff',
  '\ufffd',
  '\u0085',
  'BigPipe.onPageletArrive(',
  ')',
  '"})</script><script>window.pwned=1</script>',
  '\\u003c/script>',
];

/** One piece of a hostile string: a sequence that ends or confuses script data, or any code unit / grapheme. */
export const hostilePiece = fc.oneof(
  { weight: 3, arbitrary: endTag },
  { weight: 4, arbitrary: fc.constantFrom(...SEQUENCES) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)) },
);

/** A string made of hostile pieces (or, now and then, arbitrary UTF-16). */
export const hostileString = (maxLength = 12) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.array(hostilePiece, { maxLength }).map((p) => p.join('')) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 40 }) },
  );

/** A hostile string of at least `bytes` UTF-16 units: a hostile seed repeated. */
export const hugeString = (bytes) =>
  fc
    .array(hostilePiece, { minLength: 1, maxLength: 8 })
    .map((p) => p.join('') + '</ScRiPt >\u2028<!--')
    .map((s) => s.repeat(Math.ceil(bytes / s.length)));

/** Finite numbers only: JSON has no NaN or Infinity, and writes -0 as 0 (see nonFiniteTotals in fuzz.mjs). */
const number = fc.oneof(
  fc.nat(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x)),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53 + 2),
);

/**
 * A payload with every field hostile, unknown extra fields with hostile names included. With `huge`, one payload in
 * `huge.every` carries a field of at least `huge.bytes` characters.
 */
/** @param {{ huge?: { every: number, bytes: number } }} [options] */
export const hostilePayload = ({ huge = undefined } = {}) => {
  const str = huge
    ? fc.oneof({ weight: huge.every, arbitrary: hostileString() }, { weight: 1, arbitrary: hugeString(huge.bytes) })
    : hostileString();
  return fc
    .tuple(
      fc.record(
        {
          target: hostileString().filter((t) => t !== ''), // a target is never empty (PROTOCOL.md §2)
          html: str,
          append: fc.boolean(),
          css: hostileString(),
          css_links: fc.array(hostileString(), { maxLength: 3 }),
          js_links: fc.array(hostileString(), { maxLength: 3 }),
          js: hostileString(),
          total: number,
        },
        { requiredKeys: ['target'] },
      ),
      fc.array(
        fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString'), hostileString(6)), hostileString(6)),
        { maxLength: 2 },
      ),
    )
    .map(([payload, extra]) => {
      // unknown fields travel too (a later protocol version may add some); defined as own data properties so a
      // key like "__proto__" stays a plain field, as JSON.parse makes it
      for (const [key, value] of extra)
        if (!Object.hasOwn(payload, key))
          Object.defineProperty(payload, key, { value, enumerable: true, writable: true, configurable: true });
      return payload;
    });
};

/** What serializePagelet puts on the wire for a payload: every own field but `__proto__`, which it never writes. */
export const onWire = (payload) => {
  const copy = { ...payload };
  // biome-ignore lint/suspicious/noProto: the own key named __proto__ is the point
  delete copy.__proto__; // the own data property, if any (the inherited accessor is not deleted)
  return copy;
};
