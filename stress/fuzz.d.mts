// Types of fuzz.mjs for its vitest version (test/stress/fuzz.test.ts).
import type { Engine } from '../test/e2e/drivers';

export interface SerializationFigures {
  payloads: number; breakouts: number; unescaped: number; changed: number; evaluatedAsJs: number; jsMismatch: number;
  hugePayloads: number; largestField: number; bytes: number; seconds: number; failures: unknown[];
}
export function fuzzSerialization(options?: { runs?: number; seed?: number; huge?: { every: number; bytes: number }; jsEvery?: number }): SerializationFigures;
export function nonFiniteTotals(): Record<string, string>;
export function fuzzNonces(options?: { runs?: number; seed?: number }): Promise<{
  hostile: number; hostileAccepted: number; valid: number; validRejected: number; tagsChecked: number; tagsWrong: number; failures: unknown[];
}>;
export function fuzzPlaceholders(options?: { runs?: number; seed?: number }): {
  ids: number; refused: Record<string, number>; escaped: number; breakouts: number; wrongId: number; wrongRefusal: number; failures: unknown[];
};
export function browserSample(engine: Engine, options?: { count?: number; seed?: number }): Promise<{
  engine: string; stubSent: number; stubReceived: number; stubChanged: number; stubChangedExamples: string[]; stubBreakouts: number;
  stubConsoleErrors: string[]; runtimePagelets: number; runtimeArrived: number; runtimeDisplayed: number; runtimeHtmlChanged: number;
  runtimeHtmlChangedExamples: string[]; runtimeCssUnchanged: boolean; runtimeCssCount: number; runtimeErrors: unknown[]; runtimeDone: number;
  runtimeBreakouts: number; runtimeBlockedHtmlStyles: number; runtimePageErrors: string[]; runtimeCspStyleMessages: number; runtimeConsoleErrors: string[];
}>;
