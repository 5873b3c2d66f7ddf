// Types of hostile.mjs for its vitest version (test/stress/hostile.test.ts).
export interface HostileLine { item: string; figure: string; ok: boolean }
export function hostileCampaign(options?: { quick?: boolean }): Promise<HostileLine[]>;
