/**
 * The bigpipe-js browser runtime, for bundlers: importing it installs `window.BigPipe` (taking over the async stub and
 * its queue) and returns that global. Where a runtime is installed already, importing it changes nothing.
 */
import { BigPipe } from './dom';
import './pagelets'; // installs the runtime

export { BigPipe };
export type { BigPipeGlobal, EventDetail, Payload } from '../protocol';
export type { BigPipeEventDetails, BigPipeEventMap } from './events';
