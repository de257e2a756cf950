// Which database the integration tests run on: COLONIES_TEST_DB=pglite (default) or postgres.
// On PostgreSQL every server gets a fresh schema so runs never collide.
import { randomBytes } from 'node:crypto';
import type { DbConfig } from '../../src/store/db.js';

export const testDbKind: 'pglite' | 'postgres' = process.env.COLONIES_TEST_DB === 'postgres' ? 'postgres' : 'pglite';

export function testDbConfig(schema?: string): DbConfig {
  if (testDbKind === 'postgres') {
    return {
      url: process.env.COLONIES_TEST_DB_URL || 'postgres://postgres@127.0.0.1:5432/test',
      schema: schema ?? `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`,
      poolSize: 20,
    };
  }
  return { dataDir: 'memory://', pgliteTemplate: process.env.COLONIES_TEST_PGLITE_TEMPLATE || undefined };
}
