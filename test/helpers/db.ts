// Which database the integration tests run on: COLONIES_TEST_DB=pglite (default) or postgres.
// On PostgreSQL every server gets a fresh schema so runs never collide.
import { dropStaleScratchSchemas, scratchSchemaName } from '../../bench/lib/scratch.js';
import type { DbConfig, Queryable } from '../../src/store/db.js';

export const testDbKind: 'pglite' | 'postgres' = process.env.COLONIES_TEST_DB === 'postgres' ? 'postgres' : 'pglite';

export function testDbConfig(schema?: string): DbConfig {
  if (testDbKind === 'postgres') {
    return {
      url: process.env.COLONIES_TEST_DB_URL || 'postgres://postgres@127.0.0.1:5432/test',
      schema: schema ?? testSchemaName(),
      poolSize: 20,
    };
  }
  return { dataDir: 'memory://', pgliteTemplate: process.env.COLONIES_TEST_PGLITE_TEMPLATE || undefined };
}

/** A test schema's name: `t_`, its creation time (base-36 milliseconds), 8 random hex digits. */
export function testSchemaName(now = Date.now()): string {
  return scratchSchemaName('t', 4, now);
}

/**
 * Drops the test schemas made more than `maxAgeMs` ago: those of killed runs (see
 * bench/lib/scratch.ts). Younger ones may belong to a run in progress and are left alone.
 */
export function dropStaleTestSchemas(db: Queryable, maxAgeMs: number, now = Date.now()): Promise<string[]> {
  return dropStaleScratchSchemas(db, 't', 4, maxAgeMs, now);
}
