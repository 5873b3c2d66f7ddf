// TypeScript modules of the repository (src/protocol.ts, the browser drivers) for plain Node scripts (bench, stress,
// scripts): the first call registers the type-stripping hooks of scripts/ts-hooks.mjs. Under vitest, which compiles
// TypeScript itself, nothing is registered (vite sets import.meta.env; process.env.VITEST would also reach the plain
// Node processes a test starts).
import { register } from 'node:module';

let registered = typeof (/** @type {any} */ (import.meta).env) === 'object';

/** Imports a TypeScript module by URL, from plain Node or vitest alike. */
export const importTs = (/** @type {URL} */ url) => {
  if (!registered) register('../../scripts/ts-hooks.mjs', import.meta.url);
  registered = true;
  return import(url.href);
};
