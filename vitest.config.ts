/**
 * Vitest runs through test/harness/cli.ts or test/run-all.ts, which provide the
 * database via env (DATABASE_URL, AUTH_DATABASE_URL, TEST_ROOT_DATABASE_URL, …).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'proxy/**/*.test.ts'],
    environment: 'node',
    // Database round-trips (and the first connection of a file) can be slow on CI.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // All files share one database; running them concurrently would let them race.
    fileParallelism: false,
  },
});
