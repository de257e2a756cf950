// The hot statements of the lifecycle (submit, get, assign, close) are prepared once per
// connection and then run on PostgreSQL's cached generic plan, instead of being planned anew
// on every call. Planning the batched close on every call cost about a fifth of PostgreSQL's
// CPU under load, so this is asserted: `custom_plans` counts the executions that were planned
// anew. The server's sessions run with plan_cache_mode = force_generic_plan: under "auto"
// PostgreSQL makes 5 custom plans first and, once the processes table has statistics, may judge
// the generic plan dearer and plan every call anew (it did in the benchmark: its CPU per process
// doubled), so none is asserted, also after ANALYZE of a table of many rows.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { batchStatementSize } from '../../src/store/batch-size.js';
import { closeFailedForCallers, closeSuccessfulForCallers } from '../../src/store/process-close.js';
import { statistics } from '../../src/store/statistics.js';
import { nowNs } from '../../src/protocol/time.js';
import { testDbConfig } from '../helpers/db.js';
import { setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';
import { watchStatements } from '../helpers/statements.js';

let t: TestServer;
let c: Cast;
const N = 15;

beforeAll(async () => {
  // One connection, so that every statement below is prepared in the session we then inspect.
  t = await startTestServer({ db: { ...testDbConfig(), poolSize: 1 } });
  c = await setupColony(t);
});
afterAll(() => t.close());

interface Prepared {
  generic_plans: bigint | number;
  custom_plans: bigint | number;
  statement: string;
}

async function prepared(prefix: string): Promise<Prepared[]> {
  const rows = await t.server.srv.db.query<Prepared>('SELECT generic_plans, custom_plans, statement FROM pg_prepared_statements');
  return rows.filter((r) => r.statement.replace(/\s+/g, ' ').startsWith(prefix));
}

test('submit, get, assign and both closes run on cached plans after the first few calls', async () => {
  const spec = { conditions: { colonyname: c.colonyName, executortype: c.executor.type }, funcname: 'f', maxexectime: 60 };
  for (let i = 0; i < N; i++) {
    const p = await t.call('submitfuncspecmsg', { spec }, c.user);
    await t.call('getprocessmsg', { processid: p.processid }, c.user);
    const a = await t.call('assignprocessmsg', { colonyname: c.colonyName, timeout: 1 }, c.executor);
    if (i % 2 === 0) await t.call('closesuccessfulmsg', { processid: a.processid, out: [i] }, c.executor);
    else await t.call('closefailedmsg', { processid: a.processid, errors: ['e'] }, c.executor);
  }
  const hot = {
    submit: 'WITH mem AS',
    assign: 'WITH ex AS',
    get: 'SELECT i.ord, p.processid, p.colonyname, p.executortype, p.state, p.isassigned',
    close: 'WITH cur AS',
  };
  for (const [what, prefix] of Object.entries(hot)) {
    const rows = await prepared(prefix);
    expect(rows.length, what).toBeGreaterThan(0);
    const calls = rows.reduce((n, r) => n + Number(r.generic_plans) + Number(r.custom_plans), 0);
    const replanned = rows.reduce((n, r) => n + Number(r.custom_plans), 0);
    expect(calls, what).toBeGreaterThanOrEqual(N);
    expect(replanned, what).toBe(0);
  }
});

test('every connection of the server runs prepared statements on generic plans, without JIT', async () => {
  const modes = await Promise.all(
    Array.from({ length: 4 }, () => t.server.srv.db.query<{ m: string; jit: string }>(`SELECT current_setting('plan_cache_mode') AS m, current_setting('jit') AS jit`)),
  );
  expect(modes.map((r) => r[0].m)).toEqual(Array(4).fill('force_generic_plan'));
  // a generic plan's cost estimate at a million rows passed the JIT thresholds: 110-180 ms of
  // compiling for a page of 20 processes
  expect(modes.map((r) => r[0].jit)).toEqual(Array(4).fill('off'));
});

test('a submit that hands its process to a parked executor runs on a cached plan too', async () => {
  const spec = { conditions: { colonyname: c.colonyName, executortype: c.executor.type }, funcname: 'f', maxexectime: 60 };
  const waiters = t.server.srv.waiters;
  for (let i = 0; i < N; i++) {
    const assigned = t.call('assignprocessmsg', { colonyname: c.colonyName, timeout: 10 }, c.executor);
    while (waiters.asleep === 0) await new Promise((r) => setTimeout(r, 2));
    const p = await t.call('submitfuncspecmsg', { spec }, c.user);
    expect((await assigned).processid).toBe(p.processid);
    await t.call('closesuccessfulmsg', { processid: p.processid, out: [] }, c.executor);
  }
  const rows = await prepared('WITH mem AS');
  const handoff = rows.filter((r) => r.statement.includes('AS handed'));
  expect(handoff.length).toBe(1);
  expect(Number(handoff[0].generic_plans) + Number(handoff[0].custom_plans)).toBeGreaterThanOrEqual(N);
  expect(Number(handoff[0].custom_plans)).toBeLessThanOrEqual(5);
});

test('batch sizes share statements by the next power of two, up to the batch limit', () => {
  expect([1, 2, 3, 4, 5, 8, 9, 33, 64, 65, 200].map(batchStatementSize)).toEqual([1, 2, 4, 4, 8, 8, 16, 64, 64, 0, 0]);
});

test('a batched close of any size up to the batch limit keeps its cached plan too', async () => {
  const req = (i: number) => ({ processid: `no-such-process-${i}`, executorid: c.executor.id, now: 1n, json: null });
  for (const size of [3, 5, 7, 64]) {
    for (let i = 0; i < 8; i++) {
      const reqs = Array.from({ length: size }, (_, k) => req(k));
      const done = await closeSuccessfulForCallers(t.server.srv.db, reqs);
      // the statement still answers for every element (none of these processes exists)
      expect(done).toHaveLength(size);
      expect(done.every((d) => d.brief === null && d.closed === null)).toBe(true);
      expect(await closeFailedForCallers(t.server.srv.db, reqs)).toHaveLength(size);
    }
  }
  const rows = await prepared('WITH cur AS');
  // sizes round up to a power of two: 1 (from the lifecycle test), 4 (3), 8 (5 and 7) and 64,
  // for both kinds
  expect(rows.length).toBe(8);
  const limits = rows.map((r) => Number(/LIMIT (\d+)\)/.exec(r.statement)?.[1])).sort((a, b) => a - b);
  expect(limits).toEqual([1, 1, 4, 4, 8, 8, 64, 64]);
  for (const r of rows) expect(Number(r.custom_plans)).toBeLessThanOrEqual(5);
});

test('a batch beyond the limit is not cut short by a sized statement', async () => {
  const reqs = Array.from({ length: 65 }, (_, k) => ({ processid: `no-such-${k}`, executorid: c.executor.id, now: 1n, json: null }));
  const before = await t.call('getprocessmsg', { processid: (await t.call('submitfuncspecmsg', { spec: { conditions: { colonyname: c.colonyName, executortype: c.executor.type }, funcname: 'g' } }, c.user)).processid }, c.user);
  const a = await t.call('assignprocessmsg', { colonyname: c.colonyName, timeout: 1 }, c.executor);
  expect(a.processid).toBe(before.processid);
  // the real process is the 66th element: a LIMIT 64 statement would drop it
  const done = await closeSuccessfulForCallers(t.server.srv.db, [...reqs, { processid: a.processid, executorid: c.executor.id, now: 5n, json: null }]);
  expect(done).toHaveLength(66);
  expect(done[65].closed?.processid).toBe(a.processid);
  expect((await t.call('getprocessmsg', { processid: a.processid }, c.user)).state).toBe(2);
});

test('concurrent gets share one sized statement, which keeps its cached plan', async () => {
  const spec = { conditions: { colonyname: c.colonyName, executortype: c.executor.type }, funcname: 'many' };
  const p = await t.call('submitfuncspecmsg', { spec }, c.user);
  // the first read waits a little, so that the other reads surely arrive meanwhile
  const reads = watchStatements(t.server.srv.db, (sql) => sql.startsWith('SELECT i.ord'), 100);
  try {
    for (let round = 0; round < 8; round++) {
      const got = await Promise.all(Array.from({ length: 12 }, () => t.call('getprocessmsg', { processid: p.processid }, c.user)));
      expect(got.every((g) => g.processid === p.processid)).toBe(true);
    }
  } finally {
    reads.restore();
  }
  const rows = await prepared('SELECT i.ord, p.processid, p.colonyname, p.executortype, p.state, p.isassigned');
  const limits = rows.map((r) => Number(/LIMIT (\d+)\)/.exec(r.statement)?.[1]));
  // the 11 gets that arrive while the first is in the database go together
  expect(Math.max(...limits)).toBeGreaterThan(1);
  for (const r of rows) expect(Number(r.custom_plans)).toBeLessThanOrEqual(5);
});

test('reads bounded by a time (history, rolled-up statistics, log search) are planned for their values', async () => {
  // a generic plan cannot tell that "since a minute ago" is a narrow range and reads the whole
  // table (at 1,000,000 processes: 200-260 ms instead of under 1 ms)
  const spec = { conditions: { colonyname: c.colonyName, executortype: c.executor.type }, funcname: 'hist' };
  await t.call('submitfuncspecmsg', { spec }, c.user);
  const running = await t.call('assignprocessmsg', { colonyname: c.colonyName, timeout: 1 }, c.executor);
  await t.call('addlogmsg', { processid: running.processid, message: 'planned' }, c.executor);
  for (let i = 0; i < 3; i++) {
    const hist = await t.call('getprocesshistmsg', { colonyname: c.colonyName, executorid: '', seconds: 60, state: 1 }, c.user);
    expect(hist.map((x: { processid: string }) => x.processid)).toContain(running.processid);
    const logs = await t.call('searchlogsmsg', { colonyname: c.colonyName, text: 'planned', days: 1, count: 10 }, c.user);
    expect(logs.map((l: { message: string }) => l.message)).toEqual(['planned']);
  }
  // statistics: rows closed by the tests above count as older than the rollup bound two minutes
  // from now, so the first call writes rollups (at least 1 row each) and the next ones read them
  const later = nowNs() + 120_000_000_000n;
  const first = await statistics(t.server.srv.db, c.colonyName, later, 1);
  for (let i = 0; i < 3; i++) expect(await statistics(t.server.srv.db, c.colonyName, later, 1)).toEqual(first);
  expect(first.successfulprocesses + first.failedprocesses).toBeGreaterThan(0);

  const all = await t.server.srv.db.query<Prepared>('SELECT generic_plans, custom_plans, statement FROM pg_prepared_statements');
  const flat = (r: Prepared) => r.statement.replace(/\s+/g, ' ');
  const reads = {
    history: all.filter((r) => flat(r).includes('AND p.submissiontime >= $3')),
    statistics: all.filter((r) => flat(r).startsWith('SELECT (SELECT count(*) FROM processes p')),
    logs: all.filter((r) => flat(r).includes('FROM logs WHERE colonyname = $1 AND ts >= $2')),
  };
  for (const [what, rows] of Object.entries(reads)) {
    expect(rows.length, what).toBeGreaterThan(0);
    expect(rows.reduce((n, r) => n + Number(r.custom_plans), 0), what).toBeGreaterThanOrEqual(3);
    expect(rows.reduce((n, r) => n + Number(r.generic_plans), 0), what).toBe(0);
  }
  // and the session is back on generic plans afterwards (the setting was for those transactions only)
  expect((await t.server.srv.db.query<{ m: string }>(`SELECT current_setting('plan_cache_mode') AS m`))[0].m).toBe('force_generic_plan');
});
