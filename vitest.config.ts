import { defineConfig } from 'vitest/config';

// Replicas share one PostgreSQL; an embedded PGlite belongs to a single server process, so
// that file only runs in the PostgreSQL pass (`COLONIES_TEST_DB=postgres npm test`).
const postgresOnly = ['test/server/replicas.test.ts', 'test/server/pg-socket.test.ts', 'test/server/pg-connections.test.ts', 'test/smoke/ha.test.ts'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: process.env.COLONIES_TEST_DB === 'postgres' ? [] : postgresOnly,
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
