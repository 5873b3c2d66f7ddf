/**
 * The bigpipe-js browser runtime, for bundlers: importing it installs `window.BigPipe`
 * (taking over the async stub and its queue) and returns that global.
 */
import { ARRIVE } from '../protocol';
import { B } from './dom';
import { arrive, start } from './pagelets';

const queued = B.q || [];
delete B.q;
B[ARRIVE] = arrive;
start(queued);

export { B as BigPipe };
export type { BigPipeGlobal, EventDetail, Payload } from '../protocol';
