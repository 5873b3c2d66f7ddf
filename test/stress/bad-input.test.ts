// Short version of stress/bad-input.mjs (the long one, 300 malformed payloads in three engines: `npm run stress`).
// Engines: STRESS_ENGINES (default chromium; e.g. STRESS_ENGINES=chromium,firefox,webkit).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badInput, problems, type ScenarioRow } from '../../stress/bad-input.mjs';
import { launch, type Engine, type EngineName } from '../support/drivers';

const engines = (process.env.STRESS_ENGINES ?? 'chromium').split(',') as EngineName[];
const SCENARIOS = [
  'malformed',
  'total too small (1)',
  'total too large (99)',
  'total negative (-1)',
  'total changing (2, 9, 0, 4, 1, 6)',
  'total NaN (page code)',
  'total Infinity (page code)',
  'total null (what JSON makes of NaN)',
];

describe.each(engines)('the runtime fed bad input in %s', (name) => {
  let engine: Engine;
  let rows: ScenarioRow[];
  beforeAll(async () => {
    engine = await launch(name);
    rows = await badInput(engine, { malformed: 40 });
  }, 120_000);
  afterAll(() => engine?.close());

  it.each(SCENARIOS)(
    '%s: never throws, reports each problem once, displays every good pagelet, finishes once',
    (scenario) => {
      const row = rows.find((r) => r.scenario === scenario)!;
      expect(problems([row])).toEqual([]);
      expect(row.errorEvents).toBe(row.problemsExpected);
      expect(row.done).toBe(1);
    },
  );
});
