/**
 * The bigpipe-js browser runtime, for bundlers: importing it installs `window.BigPipe` (taking over the async stub and
 * its queue) and returns that global. Where a runtime is installed already, importing it changes nothing.
 */
import { ARRIVE, COMPAT_ARRIVE } from '../protocol';
import { BigPipe, doc, installing } from './dom';
import { ran } from './load';
import { arrive, flush, run } from './pagelets';

if (installing) {
  // A js_links URL is skipped only once that script has run: the page's classic scripts before the runtime have run
  // (async and defer ones may not have; module ones are no classic js_links), and every later one that runs fires load, seen here. A <script src>
  // inside pagelet html never runs and never counts.
  [...doc.scripts].map((s) => s.async || s.defer || ran(s.src));
  // e.text != null: a <script> (the one element with `text` that fires load); spelled out, localName == 'script'.
  doc.addEventListener('load', (e: any) => (e = e.target).text != null && ran(e.src), true);
  // Installed first, so a payload sent from an event listener during the takeover reaches arrive too. Then the
  // stub's queue, in order: the JS phase waits while BigPipe.q is set. renderPagelet: the entry point of bigpipe-response.
  BigPipe[ARRIVE] = (window as any)[COMPAT_ARRIVE] = arrive;
  BigPipe.q?.map(arrive);
  delete BigPipe.q;
  doc.addEventListener('DOMContentLoaded', () => run(flush));
  run(flush);
}

export { BigPipe };
export type { BigPipeGlobal, EventDetail, Payload } from '../protocol';
export type { BigPipeEventDetails, BigPipeEventMap } from './events';
