// Quick version of stress/checker.mjs (the long one, with scans 10 times bigger: `node stress/checker.mjs`): the checker
// against hostile servers on 127.0.0.1, each item run in its own process and judged against generous bounds (RSS
// growth, wall time) that the old checker missed by far (gigabytes, 18-34 s).
import { beforeAll, describe, expect, it } from 'vitest';

interface Line {
  item: string;
  figure: string;
  ok: boolean;
}
// a plain-JS campaign without a .d.mts: its shape, stated here
const CAMPAIGN = '../../stress/checker.mjs';
const { checkerCampaign } = (await import(CAMPAIGN)) as { checkerCampaign(o: { quick: boolean }): Promise<Line[]> };

const ITEMS = [
  'checker: endless body',
  'checker: gzip bomb',
  'checker: 40,000-pagelet page (renderToNodeResponse)',
  'checker: 100 KB of spaces after a payload\'s ")"',
  'checker: 240 KB tag that never ends',
  'checker: HTTP 500',
  'checker: redirect to another origin',
];

describe('the checker against hostile servers', () => {
  let lines: Line[] = [];
  beforeAll(async () => {
    lines = await checkerCampaign({ quick: true });
  }, 120_000);

  it('runs every item', () => {
    expect(lines.map((l) => l.item)).toEqual(ITEMS);
  });

  // ok: the right finding, RSS growth and wall time within bounds; the figures show when it is not
  it.each(ITEMS)('%s', (item) => {
    expect(lines.find((l) => l.item === item)).toMatchObject({ item, ok: true });
  });
});
