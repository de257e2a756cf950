// Runs once before all test files. On PGlite, every test server would otherwise spend ~2 s
// creating and migrating a database: make one migrated data folder and let each test server
// start from a copy of it. On PostgreSQL, drop what killed runs left behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { dumpPglite } from '../../src/store/pglite.js';
import { dropStaleTestSchemas, testDbConfig } from './db.js';

/** Schemas older than this belong to no run in progress (a whole run takes minutes). */
const STALE_AFTER_MS = 6 * 3600_000;

export default async function setup(): Promise<() => void> {
  if (process.env.COLONIES_TEST_DB === 'postgres') {
    const { url } = testDbConfig();
    const db = await openDb({ url, poolSize: 1 });
    try {
      const dropped = await dropStaleTestSchemas(db, STALE_AFTER_MS);
      if (dropped.length) console.log(`dropped ${dropped.length} test schema(s) left by killed runs`);
    } finally {
      await db.close();
    }
    return () => undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'colonies-test-'));
  const file = join(dir, 'pglite-template.tar');
  const db = await openDb({ dataDir: 'memory://' });
  await migrate(db);
  await dumpPglite(db, file);
  await db.close();
  process.env.COLONIES_TEST_PGLITE_TEMPLATE = file;
  return () => rmSync(dir, { recursive: true, force: true });
}
