import type { Db } from './db.js';
import { migrations } from './migrations/index.js';
import { ASSIGN_BATCH_DDL, ASSIGN_BATCH_FUNCTION } from './process-assign.js';

/**
 * Functions the statements of this build call, made from the build's own SQL (not migrations:
 * their names carry a hash of their text, so a changed text is a new function, and replicas of
 * two versions sharing a database each call their own). Created when missing, after the
 * migrations and under their lock.
 */
const routines: { name: string; ddl: string }[] = [{ name: ASSIGN_BATCH_FUNCTION, ddl: ASSIGN_BATCH_DDL }];

const MIGRATION_LOCK = 4_242_001;

/** Applies pending migrations (and creates missing routines) in one transaction; safe when replicas start together. */
export async function migrate(db: Db): Promise<number> {
  let applied = 0;
  await db.tx(async (q) => {
    if (db.kind === 'postgres') await q.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await q.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await q.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version));
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await q.exec(m.sql);
      await q.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied++;
    }
    for (const r of routines) {
      const found = await q.query('SELECT 1 FROM pg_proc WHERE proname = $1 AND pronamespace = current_schema()::regnamespace', [r.name]);
      if (found.length === 0) await q.exec(r.ddl);
    }
  });
  return applied;
}
