// Short version of stress/slow.mjs (the long one, with memory per stream: `npm run stress`).
import { describe, expect, it } from 'vitest';
import { slowReaders } from '../../stress/slow.mjs';

describe('slow readers', () => {
  it('keeps at most one chunk beyond the highWaterMark waiting per response, and drops nothing', async () => {
    // 10 pagelets of 1 MB: bigger than what loopback's socket buffers take (about 4 MB), so bytes do wait here
    const { bigpipe, naive } = await slowReaders({ readers: 1, size: 1 << 20, bytes: 64 * 1024, every: 1 });
    expect(bigpipe.incompleteBodies).toBe(0);
    expect(bigpipe.writesReturningFalse).toBeGreaterThan(0);
    expect(bigpipe.maxBufferedPerResponse).toBeLessThanOrEqual(bigpipe.highWaterMark + bigpipe.largestChunk);
    // the control, which ignores write()'s return value, shows the measure can tell
    expect(naive!.incompleteBodies).toBe(0);
    expect(naive!.maxBufferedPerResponse).toBeGreaterThan(naive!.highWaterMark + naive!.largestChunk);
  }, 60_000);
});
