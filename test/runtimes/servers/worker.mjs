// The Worker of examples/deploy/worker.mjs with the fixture page (bundled by the test, served by workerd), and the
// same page rendered without request.signal (to measure what cancel() alone aborts).
import { pickMode, renderToResponse } from 'bigpipe-js/server';
import { worker } from '../../../examples/deploy/worker.mjs';
import { fixturePage } from '../fixture.mjs';

export default worker(fixturePage);

export const withoutSignal = {
  fetch: (request) => renderToResponse(fixturePage(request), { mode: pickMode(request) }),
};
