// Types of dist-scan.mjs for its vitest version (test/stress/dist-scan.test.ts).
export interface Finding { kind: string; at: number; code: string }
export const FILES: string[];
export const SELF_TEST: [code: string, kind: string | undefined][];
export function scan(code: string): Finding[];
export function scanDist(root?: URL): Record<string, Finding[]>;
