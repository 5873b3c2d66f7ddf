// Types of bundle-size.mjs for its test (test/check/bundle.test.ts).
export interface Use {
  name: string;
  key: string;
  code: string;
  options: Record<string, unknown>;
  runtime: boolean;
  isbot: boolean;
}
export interface Bundle {
  min: number;
  gzip: number;
  runtime: boolean;
  isbot: boolean;
  inputs: string[];
  text: string;
}
export const USES: Use[];
export function bundle(use: Use): Promise<Bundle>;
export function run(): Promise<{
  key: string;
  title: string;
  result: unknown;
  markdown: string;
  text: string;
  goals: unknown[];
}>;
