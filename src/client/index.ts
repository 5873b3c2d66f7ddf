/**
 * The bigpipe-js browser runtime, for bundlers: importing it installs `window.BigPipe`
 * (taking over the async stub and its queue) and returns that global.
 */
import { ARRIVE } from '../protocol';
import { B, doc } from './dom';
import { arrive, flush } from './pagelets';

const queued = B.q || [];
delete B.q;
B[ARRIVE] = (payload) => arrive(payload);
// Payloads queued by the stub first, all of them before any display decision (one may hold another's placeholder).
queued.map((payload) => arrive(payload, true));
doc.addEventListener('DOMContentLoaded', flush);
flush();

export { B as BigPipe };
export type { BigPipeGlobal, EventDetail, Payload } from '../protocol';
