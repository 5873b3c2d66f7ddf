// Types of slow.mjs for its vitest version (test/stress/slow-readers.test.ts).
export interface SlowFigures {
  streams: number; incompleteBodies: number; pageBytes: number; highWaterMark: number; largestChunk: number;
  maxBufferedPerResponse: number; writesReturningFalse: number; heapPerStream?: number; buffersPerStream?: number;
}
export function slowReaders(options?: {
  readers?: number; pagelets?: number; size?: number; bytes?: number; every?: number; naive?: boolean; memory?: boolean; deadline?: number;
}): Promise<{ bigpipe: SlowFigures; naive?: SlowFigures }>;
