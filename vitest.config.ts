import { defineConfig } from 'vitest/config';

// Three projects: fast unit/integration tests (jsdom, loopback HTTP); the real-browser suite, which runs its
// engines one after another (2 cores) with one browser per engine; and the other runtimes (Deno, Bun, workerd) as
// real processes, one file at a time.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/runtimes/**'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'runtimes',
          include: ['test/runtimes/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
