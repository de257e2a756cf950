// Scratch schemas that a killed run left behind (tests: t_*, benchmark: bench_*) are dropped by
// the next run; those of a run that may still be going, and any schema not named like one, are kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/store/db.js';
import { dropStaleScratchSchemas, scratchSchemaName } from '../../bench/lib/scratch.js';
import { dropStaleTestSchemas, testDbConfig, testSchemaName } from '../helpers/db.js';

const HOUR = 3600_000;
let db: Db;
const made: string[] = [];

async function schemas(): Promise<string[]> {
  return (await db.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname = ANY ($1::text[])', [made])).map((r) => r.nspname);
}

beforeAll(async () => {
  db = await openDb({ url: testDbConfig().url, poolSize: 1 });
});

afterAll(async () => {
  for (const s of made) await db.exec(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await db.close();
});

describe('stale test schemas', () => {
  it('drops test schemas older than the limit with their tables, keeps younger ones and other names', async () => {
    const now = Date.now();
    const old = testSchemaName(now - 30 * HOUR);
    const recent = testSchemaName(now - 1 * HOUR);
    const other = `t_keep_${testSchemaName().slice(2)}`; // starts with t_ but is not a test schema's name
    made.push(old, recent, other);
    for (const s of made) await db.exec(`CREATE SCHEMA "${s}"; CREATE TABLE "${s}".x (id int)`);

    const dropped = await dropStaleTestSchemas(db, 6 * HOUR, now);
    expect(dropped).toContain(old);
    expect(dropped).not.toContain(recent);
    expect(dropped).not.toContain(other);
    expect((await schemas()).sort()).toEqual([other, recent].sort());
  });

  it("drops a killed benchmark's schema by the benchmark's own name shape, and nothing of the tests'", async () => {
    const now = Date.now();
    const bench = scratchSchemaName('bench', 3, now - 30 * HOUR);
    const test = testSchemaName(now - 30 * HOUR);
    made.push(bench, test);
    for (const s of [bench, test]) await db.exec(`CREATE SCHEMA "${s}"; CREATE TABLE "${s}".x (id int)`);
    expect(await dropStaleScratchSchemas(db, 'bench', 3, 12 * HOUR, now)).toContain(bench);
    expect(await schemas()).toContain(test);
    expect(await schemas()).not.toContain(bench);
    await expect(dropStaleScratchSchemas(db, 'x%', 3, HOUR)).rejects.toThrow('invalid scratch schema prefix');
  });
});
