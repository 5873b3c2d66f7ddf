// The copies of the wire contract and of the conformance-vector format, generated from their one source:
//   src/protocol.ts        → the payload of conformance/schema.json, PROTOCOL.md §2's field table, the stub in
//                            PROTOCOL.md §5 and conformance/README.md
//   conformance/schema.json → conformance/README.md's tables of resource fields, steps and expectations
// `node scripts/contract.mjs` (npm run contract) rewrites them; `--check` only compares and exits 1 when one is
// stale. test/contract.test.ts runs the same comparison in `npm test`.
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { importTs } from '../test/support/ts.mjs';

const ROOT = new URL('../', import.meta.url);
const read = (file) => readFileSync(new URL(file, ROOT), 'utf8');

/** @typedef {typeof import('../src/protocol')} Protocol */

/** JSON Schema of one payload field type of FIELDS. */
const fieldSchema = (/** @type {string} */ type) =>
  type === 'string[]' ? { type: 'array', items: { type: 'string' } } : { type };

/** conformance/schema.json's `$defs.payload`: a valid payload, as FIELDS and REQUIRED_FIELD decide. */
export const payloadSchema = (/** @type {Protocol} */ p) => ({
  description: 'A valid payload (PROTOCOL.md §2; generated from src/protocol.ts by npm run contract).',
  type: 'object',
  required: [p.REQUIRED_FIELD],
  properties: Object.fromEntries(
    Object.entries(p.FIELDS).map(([field, type]) => [
      field,
      field === p.REQUIRED_FIELD ? { ...fieldSchema(type), minLength: 1 } : fieldSchema(type),
    ]),
  ),
});

/** PROTOCOL.md §2's table. */
export const fieldTable = (/** @type {Protocol} */ p) =>
  ['| field | type | meaning |', '|---|---|---|']
    .concat(
      Object.entries(p.FIELDS).map(
        ([field, type]) =>
          `| \`${field}\` | ${field === p.REQUIRED_FIELD ? `${type}, required, not empty` : type} | ${p.FIELD_MEANINGS[/** @type {keyof Protocol['FIELDS']} */ (field)]} |`,
      ),
    )
    .join('\n');

/** A markdown table of schema properties: name, then description. */
const propertyTable = (/** @type {string} */ head, /** @type {Record<string, { description: string }>} */ properties) =>
  [`| ${head} |`, '|---|---|']
    .concat(Object.entries(properties).map(([name, s]) => `| \`${name}\` | ${s.description} |`))
    .join('\n');

/** conformance/README.md's tables, from the schema's titles and descriptions. */
export const formatTables = (/** @type {any} */ schema) => ({
  resources: propertyTable('field | meaning', schema.$defs.resource.properties),
  steps: ['| step | does |', '|---|---|']
    .concat(
      schema.$defs.step.oneOf.map(
        (/** @type {{ title: string, description: string }} */ s) => `| \`${s.title}\` | ${s.description} |`,
      ),
    )
    .join('\n'),
  expect: propertyTable('field | checks', schema.$defs.expect.properties),
});

/** Replaces the text between `<!-- generated: NAME -->` and `<!-- end: NAME -->` (markers kept). */
const between = (
  /** @type {string} */ text,
  /** @type {string} */ name,
  /** @type {string} */ content,
  /** @type {string} */ file,
) => {
  const start = `<!-- generated: ${name} (npm run contract) -->\n`;
  const end = `\n<!-- end: ${name} -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  if (from < 0 || to < 0)
    throw new Error(`${file}: no ${JSON.stringify(start.trim())} … ${JSON.stringify(end.trim())} markers`);
  return text.slice(0, from + start.length) + content + text.slice(to);
};

/**
 * Every stub as a page writes it: `<script>` + the stub + `</script>`, with or without a nonce placeholder; a stub
 * followed by more code (`;…`) is the loader, also generated.
 */
const STUB_TAG = /<script( N)?>BigPipe=\{q:.*?(;.*?)?<\/script>/g;

/**
 * Every generated file as it must be: [file, text]. `protocol` is src/protocol.ts's module, `readFile` reads a file
 * of the repository (by its path from the root).
 */
export const expectedFiles = (/** @type {Protocol} */ protocol, readFile = read) => {
  const schema = JSON.parse(readFile('conformance/schema.json'));
  schema.$defs.payload = payloadSchema(protocol);
  const stub = (/** @type {string} */ text) =>
    text.replace(STUB_TAG, (_, n = '', loader) => `<script${n}>${loader ? protocol.LOADER : protocol.STUB}</script>`);
  let readme = stub(readFile('conformance/README.md'));
  for (const [name, table] of Object.entries(formatTables(schema)))
    readme = between(readme, name, table, 'conformance/README.md');
  return [
    ['conformance/schema.json', JSON.stringify(schema, null, 2) + '\n'],
    ['PROTOCOL.md', stub(between(readFile('PROTOCOL.md'), 'fields', fieldTable(protocol), 'PROTOCOL.md'))],
    ['conformance/README.md', readme],
  ];
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const protocol = await importTs(new URL('../src/protocol.ts', import.meta.url));
  const stale = [];
  for (const [file, text] of expectedFiles(protocol)) {
    if (read(file) === text) continue;
    stale.push(file);
    if (!process.argv.includes('--check')) writeFileSync(new URL(file, ROOT), text);
  }
  if (process.argv.includes('--check') && stale.length) {
    console.error(
      `stale, generated from src/protocol.ts and conformance/schema.json: ${stale.join(', ')}. Run \`npm run contract\`.`,
    );
    process.exit(1);
  }
  console.log(stale.length ? `rewrote ${stale.join(', ')}` : 'contract copies up to date');
}
