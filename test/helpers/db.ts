// Which database the integration tests run on: COLONIES_TEST_DB=pglite (default) or postgres.
// On PostgreSQL every server gets a fresh schema so runs never collide.
import { randomBytes } from 'node:crypto';
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
  return `t_${now.toString(36)}_${randomBytes(4).toString('hex')}`;
}

const TEST_SCHEMA = /^t_([0-9a-z]+)_[0-9a-f]{8}$/;

/**
 * Drops the test schemas made more than `maxAgeMs` ago. Each test server drops its own schema
 * when it closes; a test run that was killed leaves its schemas behind, and on a shared
 * PostgreSQL they would pile up (tables, indexes, catalog rows) run after run. Younger ones may
 * belong to a run in progress and are left alone. Returns the names dropped.
 */
export async function dropStaleTestSchemas(db: Queryable, maxAgeMs: number, now = Date.now()): Promise<string[]> {
  const rows = await db.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%'");
  const stale = rows
    .map((r) => r.nspname)
    .filter((name) => {
      const m = TEST_SCHEMA.exec(name);
      return m !== null && now - parseInt(m[1], 36) > maxAgeMs;
    });
  for (const name of stale) await db.exec(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  return stale;
}
