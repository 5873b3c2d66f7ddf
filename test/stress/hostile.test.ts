// Short version of stress/hostile.mjs (the long one: `npm run stress`): every item of the campaign holds.
import { describe, expect, it } from 'vitest';
import { hostileCampaign } from '../../stress/hostile.mjs';

describe('hostile requests, renders, clients and pages', () => {
  it('crash nothing, leak nothing and lose no pagelet', async () => {
    const lines = await hostileCampaign({ quick: true });
    expect(lines.filter((line) => !line.ok)).toEqual([]);
    expect(lines).toHaveLength(14);
  }, 120_000);
});
