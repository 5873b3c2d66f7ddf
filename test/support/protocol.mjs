// The wire contract (src/protocol.ts) for plain Node scripts: bench, stress and the tests share it with the runtime
// and the server, never a copy.
import { importTs } from './ts.mjs';

/** @type {typeof import('../../src/protocol')} */
const protocol = await importTs(new URL('../../src/protocol.ts', import.meta.url));

export const { ARRIVE, EVENTS, FIELDS, GLOBAL, REQUIRED_FIELD, STUB, hasFieldType } = protocol;
