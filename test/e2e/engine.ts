import { afterAll, beforeAll } from 'vitest';
import { launch, type Engine, type EngineName } from '../support/drivers';

/**
 * In a describe block: one browser of `name` for all its tests (launched before, closed after), logging the launch
 * and the block's wall time as `what`. Returns a getter, as the engine exists only once beforeAll has run.
 */
export function useEngine(name: EngineName, what: string): () => Engine {
  let engine: Engine | undefined;
  let started = 0;
  beforeAll(async () => {
    started = Date.now();
    engine = await launch(name);
    console.log(`[${name}] ${engine.version}: launched in ${Date.now() - started} ms`);
  });
  afterAll(async () => {
    await engine?.close();
    console.log(`[${name}] ${what}, launch to close: ${Date.now() - started} ms`);
  });
  return () => engine!;
}
