// Short version of stress/load.mjs (the long one, with heap and TTFB figures: `npm run stress`).
import { describe, expect, it } from 'vitest';
import { loadWithAborts, type LoadFigures } from '../../stress/load.mjs';

describe('renderToNodeResponse under load with disconnecting clients', () => {
  let f: LoadFigures;
  it('serves 100 concurrent requests, 10 pagelets each, some throwing, some timing out, 20% disconnecting', async () => {
    f = await loadWithAborts({ requests: 100, concurrency: 100, seed: 3 });
    expect(f.requests).toBe(100);
    expect(f.completed + f.finishedBeforeDisconnect + f.cut).toBe(100);
    expect([f.clientErrors, f.clientTimeouts, f.unexpectedCuts]).toEqual([0, 0, 0]);
    expect(f.cut).toBeGreaterThan(0);
  }, 30_000);

  it('loses no pagelet in a completed response', () => {
    expect([f.lostPagelets, f.duplicatedPagelets, f.strangeTargets, f.wrongContent, f.unfinishedBodies]).toEqual([
      0, 0, 0, 0, 0,
    ]);
  });

  it('aborts the signal of every render still pending when its client disconnected', () => {
    expect(f.rendersPendingAtDisconnect).toBeGreaterThan(0);
    expect(f.rendersAbortedAtDisconnect).toBe(f.rendersPendingAtDisconnect);
  });

  it('leaves no unhandled rejection, no open handle or timer, and never rejects', () => {
    expect(f.unhandledRejections).toBe(0);
    expect(f.extraResources).toEqual({});
    expect(f.pendingRendersLeft).toBe(0);
    expect([f.responsesResolved, f.responsesRejected]).toEqual([100, 0]);
  });
});
