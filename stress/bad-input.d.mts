// Types of bad-input.mjs for its vitest version (test/stress/bad-input.test.ts).
import type { Engine } from '../test/e2e/drivers';

export interface ScenarioRow {
  scenario: string; malformedSent: number; problemsExpected: number; errorEvents: number; missingErrors: string[];
  extraErrors: string[]; badMessages: string[]; goodPagelets: number; notDisplayed: string[]; extraDisplays: string[];
  wrongHtml: string[]; notRan: string[]; ranTwice: string[]; done: number; runtimeThrows: string[]; consoleErrors: string[];
  cspViolations: string[]; extra: unknown;
  pageletJsErrorsSeen: number; pageletJsErrorsExpected: number;
}
export function malformedPayloads(count: number, seed: number): unknown[];
export function badInput(engine: Engine, options?: { malformed?: number; seed?: number; hugeBytes?: number; only?: number[]; build?: string }): Promise<ScenarioRow[]>;
export function problems(rows: ScenarioRow[]): Record<string, unknown>[];
