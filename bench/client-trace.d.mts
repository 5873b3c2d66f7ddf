// Types of client-trace.mjs for its tests (test/bench/client-trace.test.ts).
export const TRACE_CATEGORIES: string[];
export const KINDS: ['script', 'style', 'paint', 'parse', 'other'];
export type Kind = (typeof KINDS)[number];
export function mainThreadTime(
  trace: string | Uint8Array,
  mark?: string,
): Record<Kind | 'total' | 'tasks' | 'paints', number> & { byName: Record<string, number> };
export interface CpuProfile {
  nodes: {
    id: number;
    children?: number[];
    callFrame: { functionName: string; url: string; lineNumber: number };
    positionTicks?: { line: number; ticks: number }[];
  }[];
  samples: number[];
  timeDeltas: number[];
}
export function selfTimes(
  profile: CpuProfile,
  url: string,
  pageUrl: string,
  interval?: number,
): {
  functions: Record<string, number>;
  lines: Record<string, number>;
  groups: Record<string, number>;
};
