// Types of runtimes.mjs, for the TypeScript tests.
export type Runtime = 'deno' | 'bun' | 'workerd';
export const ROOT: string;
export function binary(runtime: Runtime): string;
export function versions(): Record<'node' | Runtime, string>;
export function scriptCommand(
  runtime: 'deno' | 'bun',
  script: string,
  args?: string[],
  options?: { denoPermissions?: string[] },
): [command: string, args: string[], env: Record<string, string>];
export function freePort(): Promise<number>;
export interface ServerProcess {
  pid: number;
  port: number;
  /** http://127.0.0.1:port/ */
  url: string;
  output: {
    readonly stdout: string;
    readonly stderr: string;
    /** Resolves once stdout (both: or stderr) matches (a RegExp match, or [string]); rejects when the process ends first or after ms. */
    waitFor(pattern: string | RegExp, ms?: number, both?: boolean): Promise<string[]>;
  };
  stop(): Promise<void>;
}
export function startProcess(
  command: string,
  args: string[],
  options?: { env?: Record<string, string>; port?: number; ready?: RegExp; timeout?: number; name?: string },
): Promise<ServerProcess>;
export function bundleWorker(entry: string, outfile: string): Promise<void>;
