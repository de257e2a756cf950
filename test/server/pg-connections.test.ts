// PostgreSQL drops every connection of a server (a restart, a failover, an idle-killer): the
// server serves on without a restart. Its pool opens new connections, its LISTEN connection
// comes back, and the leader lock is taken again. The connections are found by their
// application_name (colonies/<schema>), which also tells an operator whose they are.
// PostgreSQL only (vitest.config.ts).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.js';
import { testDbConfig, testDbKind } from '../helpers/db.js';
import { setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';

let t: TestServer;
let c: Cast;

beforeAll(async () => {
  if (testDbKind !== 'postgres') throw new Error('pg-connections.test.ts needs COLONIES_TEST_DB=postgres (vitest.config.ts excludes it otherwise)');
  t = await startTestServer();
  c = await setupColony(t, 'conns');
});
afterAll(() => t?.close());

async function until(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const lifecycle = async () => {
  const spec = { funcname: 'f', maxexectime: -1, conditions: { colonyname: c.colonyName, executortype: c.executor.type } };
  const p = await t.call('submitfuncspecmsg', { spec }, c.user);
  const a = await t.call('assignprocessmsg', { colonyname: c.colonyName, timeout: 5 }, c.executor);
  expect(a.processid).toBe(p.processid);
  await t.call('closesuccessfulmsg', { processid: p.processid, out: ['ok'] }, c.executor);
  expect(await t.call('getprocessmsg', { processid: p.processid }, c.user)).toMatchObject({ state: 2, out: ['ok'] });
};

it('serves on after PostgreSQL terminated all of its connections', async () => {
  const name = `colonies/${t.server.srv.db.schema}`;
  // the killing and watching is done from a connection of its own (application_name "colonies")
  const admin = await openDb({ ...testDbConfig(), schema: undefined, poolSize: 1 });
  try {
    await lifecycle();
    await until(() => t.server.srv.isLeader());
    const conns = () => admin.query<{ pid: number; query: string }>('SELECT pid, query FROM pg_stat_activity WHERE application_name = $1', [name]);
    const before = await conns();
    // the pool's, the LISTEN connection and the leader lock's
    expect(before.some((r) => r.query.startsWith('LISTEN'))).toBe(true);
    expect(before.some((r) => r.query.includes('pg_try_advisory_lock'))).toBe(true);
    expect(before.length).toBeGreaterThanOrEqual(3);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [name]);
    await until(async () => (await conns()).every((r) => !before.some((b) => b.pid === r.pid)));
    await new Promise((r) => setTimeout(r, 200)); // idle clients hear of their end and leave the pool
    await lifecycle();
    // a parked executor is still woken (that is local), and the LISTEN connection is back
    const waiting = t.call('assignprocessmsg', { colonyname: c.colonyName, timeout: 10 }, c.executor);
    await until(() => t.server.srv.waiters.size > 0);
    const spec = { funcname: 'g', maxexectime: -1, conditions: { colonyname: c.colonyName, executortype: c.executor.type } };
    const p = await t.call('submitfuncspecmsg', { spec }, c.user);
    expect((await waiting).processid).toBe(p.processid);
    await until(async () => (await conns()).some((r) => r.query.startsWith('LISTEN')));
    // and the leader lock is held again, by a new session of this server
    await until(async () => {
      const held = await admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid)
          WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = $1`,
        [name],
      );
      return held[0].n === 1 && t.server.srv.isLeader();
    });
  } finally {
    await admin.close();
  }
});
