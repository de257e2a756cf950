// Scratch schemas in a shared PostgreSQL: each test server and each self-started benchmark
// server gets a fresh one, named `<prefix>_<creation time, base-36 ms>_<random hex>`, and drops it
// when it stops. A run that is killed cannot; on a shared database its schemas would pile up run
// after run (a killed `scale` run leaves a million rows). The next run drops those that are old
// enough to belong to no run in progress.
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../../src/store/db.js';

/** A fresh scratch schema name; `bytes` random bytes make its tail. */
export function scratchSchemaName(prefix: string, bytes: number, now = Date.now()): string {
  return `${prefix}_${now.toString(36)}_${randomBytes(bytes).toString('hex')}`;
}

/**
 * Drops the schemas named like scratchSchemaName(prefix, bytes) that were made more than
 * `maxAgeMs` before `now`, with everything in them. Returns the names dropped.
 */
export async function dropStaleScratchSchemas(db: Queryable, prefix: string, bytes: number, maxAgeMs: number, now = Date.now()): Promise<string[]> {
  if (!/^[a-z]+$/.test(prefix)) throw new Error(`invalid scratch schema prefix: ${prefix}`);
  const shape = new RegExp(`^${prefix}_([0-9a-z]+)_[0-9a-f]{${bytes * 2}}$`);
  const rows = await db.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)', [`${prefix}_`]);
  const stale = rows
    .map((r) => r.nspname)
    .filter((name) => {
      const m = shape.exec(name);
      return m !== null && now - parseInt(m[1], 36) > maxAgeMs;
    });
  for (const name of stale) await db.exec(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  return stale;
}
