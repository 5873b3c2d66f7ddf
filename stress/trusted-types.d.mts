// Types of trusted-types.mjs for its vitest version (test/stress/trusted-types.test.ts).
import type { Engine } from '../test/e2e/drivers';

export interface PageRun {
  trustedTypes: boolean; displayed: number; done: number; errorEvents: unknown[]; inlineCss: string; linkedCss: string;
  jsLinkRuns: number; jsAfterLinks: number; jsRan: string; pwned: unknown; violations: string[]; pageErrors: string[];
  console: string[]; driverErrors: string[];
}
export const CSP: string;
export function trustedTypes(engine: Engine): Promise<{
  engine: string; control: { threw: boolean; violations: number; driverErrors: string[] };
  inline: PageRun; scriptSrc: PageRun; async: PageRun; defaultInline: PageRun;
}>;
export function failures(seen: PageRun): string[];
