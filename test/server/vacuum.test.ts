// The leader's VACUUM of the churning tables when autovacuum is off (src/server/vacuum.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vacuumIfNeeded, type VacuumPolicy } from '../../src/server/vacuum.js';
import { testDbKind } from '../helpers/db.js';
import { setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/workflow.js';

/** a policy that never acts; tests switch one criterion on */
const NEVER: VacuumPolicy = { minDead: 10, deadShare: 1e9, insertShare: 1e9, analyzeShare: 1e9 };

async function tableStat(t: TestServer, column: string): Promise<number> {
  const rows = await t.server.srv.db.query<{ n: string }>(
    `SELECT ${column} AS n FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = 'processes'`,
  );
  return Number(rows[0].n);
}

describe('vacuumIfNeeded', () => {
  let t: TestServer;
  let c: Cast;
  beforeAll(async () => {
    t = await startTestServer({ vacuumCheckPeriod: 0 }); // the test drives it
    c = await setupColony(t, 'dev', 'cli');
  });
  afterAll(() => t?.close());

  it('vacuums the processes table once dead rows gather, only when autovacuum is off; work is kept', async () => {
    const db = t.server.srv.db;
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const p = await t.call('submitfuncspecmsg', { spec: { funcname: 'f', conditions: { colonyname: 'dev', executortype: 'cli' } } }, c.user);
      await t.call('assignprocessmsg', { colonyname: 'dev', timeout: -1 }, c.executor);
      await t.call('closesuccessfulmsg', { processid: p.processid, out: [i] }, c.executor);
      ids.push(p.processid);
    }
    const eager = { ...NEVER, minDead: 10, deadShare: 0 };
    if (testDbKind === 'pglite') {
      expect(await vacuumIfNeeded(db, eager)).toEqual([]); // embedded: nothing to do
      return;
    }
    const autovacuum = (await db.query<{ v: string }>("SELECT current_setting('autovacuum') AS v"))[0].v;
    if (autovacuum === 'on') {
      expect(await vacuumIfNeeded(db, eager)).toEqual([]); // PostgreSQL does it itself
      return;
    }
    // statistics reach pg_stat_user_tables asynchronously: wait until the dead rows show
    const done = await waitFor(async () => {
      expect(await vacuumIfNeeded(db, { ...eager, minDead: 1_000_000 })).toEqual([]); // not yet: too few dead rows
      const d = await vacuumIfNeeded(db, eager);
      return d.includes('processes') && d;
    }, 10_000, 200);
    expect(done).toContain('processes');
    const count = await waitFor(async () =>
      Number((await db.query<{ n: string }>("SELECT vacuum_count AS n FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = 'processes'"))[0].n),
    10_000, 200);
    expect(count).toBeGreaterThan(0);
    for (const [i, id] of ids.entries()) expect(await t.call('getprocessmsg', { processid: id }, c.user)).toMatchObject({ state: 2, out: [i] });
  });

  it('vacuums once many rows were inserted, and analyzes once many rows changed (autovacuum off)', async () => {
    const db = t.server.srv.db;
    for (let i = 0; i < 15; i++) {
      await t.call('submitfuncspecmsg', { spec: { funcname: 'g', conditions: { colonyname: 'dev', executortype: 'cli' } } }, c.user);
    }
    if (testDbKind === 'pglite') {
      expect(await vacuumIfNeeded(db, { ...NEVER, insertShare: 0, analyzeShare: 0 })).toEqual([]);
      return;
    }
    const autovacuum = (await db.query<{ v: string }>("SELECT current_setting('autovacuum') AS v"))[0].v;
    if (autovacuum === 'on') return; // the test above checks that nothing is done then
    expect(await vacuumIfNeeded(db, NEVER)).toEqual([]);
    const vacuums = await tableStat(t, 'vacuum_count');
    await waitFor(async () => (await vacuumIfNeeded(db, { ...NEVER, insertShare: 0 })).includes('processes'), 10_000, 200);
    expect(await waitFor(async () => (await tableStat(t, 'vacuum_count')) > vacuums, 10_000, 200)).toBe(true);
    const analyzes = await tableStat(t, 'analyze_count');
    await waitFor(async () => (await vacuumIfNeeded(db, { ...NEVER, analyzeShare: 0 })).includes('processes'), 10_000, 200);
    expect(await waitFor(async () => (await tableStat(t, 'analyze_count')) > analyzes, 10_000, 200)).toBe(true);
  });
});
