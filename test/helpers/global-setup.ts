// Runs once before all test files. On PGlite, every test server would otherwise spend ~2 s
// creating and migrating a database: make one migrated data folder and let each test server
// start from a copy of it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { dumpPglite } from '../../src/store/pglite.js';

export default async function setup(): Promise<() => void> {
  if (process.env.COLONIES_TEST_DB === 'postgres') return () => undefined;
  const dir = mkdtempSync(join(tmpdir(), 'colonies-test-'));
  const file = join(dir, 'pglite-template.tar');
  const db = await openDb({ dataDir: 'memory://' });
  await migrate(db);
  await dumpPglite(db, file);
  await db.close();
  process.env.COLONIES_TEST_PGLITE_TEMPLATE = file;
  return () => rmSync(dir, { recursive: true, force: true });
}
