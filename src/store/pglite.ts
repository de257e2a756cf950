import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Db, DbConfig, Queryable } from './db.js';

const parsers = { 20: (v: string) => BigInt(v) };

export async function openPglite(c: DbConfig): Promise<Db> {
  const dir = c.dataDir;
  if (dir && !dir.startsWith('memory://')) mkdirSync(dir, { recursive: true });
  const pgl = c.pgliteTemplate
    ? await PGlite.create('memory://', { loadDataDir: new Blob([readFileSync(c.pgliteTemplate)]) })
    : await PGlite.create(dir ?? 'memory://');
  const db: Db & { pglite: PGlite } = {
    pglite: pgl,
    kind: 'pglite',
    where: dir ?? 'memory',
    async query(sql, params) {
      const r = await pgl.query<any>(sql, params as any[], { parsers });
      return r.rows;
    },
    async exec(sql) {
      await pgl.exec(sql);
    },
    async tx(fn) {
      return pgl.transaction(async (t) => {
        const q: Queryable = {
          query: async (sql, params) => (await t.query<any>(sql, params as any[], { parsers })).rows,
          exec: async (sql) => {
            await t.exec(sql);
          },
        };
        return fn(q);
      });
    },
    async listen(channel, onPayload) {
      const unlisten = await pgl.listen(channel, onPayload);
      return async () => unlisten();
    },
    async tryAdvisoryLock() {
      // One embedded database belongs to exactly one server process: always the leader.
      return true;
    },
    async close() {
      await pgl.close();
    },
  };
  return db;
}

/** Writes an in-memory PGlite's data folder to a file that pgliteTemplate can start from. */
export async function dumpPglite(db: Db, file: string): Promise<void> {
  const pgl = (db as Db & { pglite?: PGlite }).pglite;
  if (!pgl) throw new Error('not a PGlite database');
  const blob = await pgl.dumpDataDir('none');
  writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
}
