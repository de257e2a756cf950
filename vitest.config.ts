import { defineConfig } from 'vitest/config';

// Replicas share one PostgreSQL; an embedded PGlite belongs to a single server process and has
// one connection, so these files (replicas, connections, lock waits) only run in the PostgreSQL
// pass (`COLONIES_TEST_DB=postgres npm test`).
const postgresOnly = ['test/server/replicas.test.ts', 'test/server/assign-locks.test.ts', 'test/server/pg-socket.test.ts', 'test/server/pg-connections.test.ts', 'test/smoke/ha.test.ts', 'test/store/stale-schemas.test.ts'];

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
