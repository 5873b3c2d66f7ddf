/**
 * The bigpipe-js browser runtime, for bundlers: importing it installs `window.BigPipe`
 * (taking over the async stub and its queue) and returns that global.
 */
import { ARRIVE } from '../protocol';
import { B, doc } from './dom';
import { arrive, flush } from './pagelets';

// Installed first, so a payload sent from an event listener during the takeover reaches arrive too. Then the
// stub's queue: every queued payload is in before anything is decided (arrive holds while B.q is set).
B[ARRIVE] = arrive;
B.q?.map(arrive);
delete B.q;
doc.addEventListener('DOMContentLoaded', flush);
flush();

export { B as BigPipe };
export type { BigPipeGlobal, EventDetail, Payload } from '../protocol';
