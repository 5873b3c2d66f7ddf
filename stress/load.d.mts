// Types of load.mjs for its vitest version (test/stress/load.test.ts).
export interface LoadOptions {
  requests?: number; concurrency?: number; pagelets?: number; maxLatency?: number; timeout?: number; throwRate?: number;
  ignoreRate?: number; disconnectRate?: number; seed?: number; deadline?: number; heap?: boolean; warmup?: number;
}
export interface LoadFigures {
  requests: number; completed: number; cut: number; unexpectedCuts: number; clientErrors: number; clientTimeouts: number;
  disconnectsPlanned: number; disconnectsDone: number; finishedBeforeDisconnect: number; serverAborted: number;
  rendersPendingAtDisconnect: number; rendersAbortedAtDisconnect: number; renders: number; renderErrors: number;
  responsesResolved: number; responsesRejected: number; lostPagelets: number; duplicatedPagelets: number; strangeTargets: number;
  wrongContent: number; unfinishedBodies: number; pendingRendersLeft: number; unhandledRejections: number;
  extraResources: Record<string, number>; seconds: number; requestsPerSecond: number;
  ttfb: { p50: number; p99: number; max: number };
  heap?: { gcAvailable: boolean; before: number; after: number; change: number };
}
export function loadWithAborts(options?: LoadOptions): Promise<LoadFigures>;
