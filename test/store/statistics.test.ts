// Process counts of getcolonystatsmsg / getstatisticsmsg come from rollups of closed rows plus
// the rows a rollup does not cover (migration 6, store/statistics.ts). These tests check the
// counts against a plain count(*) after each kind of change that could make a rollup wrong,
// and that the rollup is really what is read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOCK_SKEW_NS } from '../../src/store/processes.js';
import { removeColony } from '../../src/store/colonies.js';
import type { Db } from '../../src/store/db.js';
import { statistics } from '../../src/store/statistics.js';
import { setupColony, startTestServer, type TestServer } from '../helpers/server.js';

let t: TestServer;
let db: Db;
const S = 1_000_000_000n; // one second in ns
const T = BigInt(Date.now()) * 1_000_000n;
const MIN = 20; // rollupMin for these tests

beforeAll(async () => {
  t = await startTestServer();
  db = t.server.srv.db;
});
afterAll(() => t.close());

/** n rows of `colony` in `state`, ending at endtime, endtime - 1, ... (0: all 0). */
async function rows(colony: string, state: number, n: number, endtime: bigint): Promise<void> {
  await db.query(
    `INSERT INTO processes (processid, colonyname, executortype, state, prioritytime, submissiontime, endtime, spec)
     SELECT md5(random()::text || g::text) || md5(g::text || random()::text), $1, 't', $2, g, g,
            CASE WHEN $4::int8 = 0 THEN 0 ELSE $4::int8 - g END, '{}'::jsonb
       FROM generate_series(1, $3::int) AS g`,
    [colony, state, n, endtime],
  );
}

/** Like rows(), but the way closes do it: inserted RUNNING, then closed (no rollup voided). */
async function closeRows(colony: string, state: number, n: number, endtime: bigint): Promise<void> {
  await rows(colony, 1, n, 0n);
  await db.query(
    `UPDATE processes SET state = $2, endtime = CASE WHEN $3::int8 = 0 THEN 0 ELSE $3::int8 - prioritytime END
      WHERE colonyname = $1 AND state = 1 AND executortype = 't'`,
    [colony, state, endtime],
  );
}

/** count(*) by state, the reference */
async function truth(colony: string | null): Promise<number[]> {
  const out = [0, 0, 0, 0, 0];
  const r = await db.query<{ state: number; n: number }>(
    'SELECT state, count(*)::int AS n FROM processes WHERE $1::text IS NULL OR colonyname = $1 GROUP BY state',
    [colony],
  );
  for (const x of r) out[x.state] = x.n;
  return out;
}

const counted = (s: Record<string, number>) => [
  s.waitingprocesses,
  s.runningprocesses,
  s.successfulprocesses,
  s.failedprocesses,
  s.cancelledprocesses,
];

async function rollups(colony: string) {
  return db.query<{ state: number; countgen: bigint; upto: bigint; n: bigint }>(
    'SELECT state, countgen, upto, n FROM process_count_rollups WHERE colonyname = $1 ORDER BY state',
    [colony],
  );
}

async function countgen(colony: string): Promise<bigint> {
  return (await db.query<{ countgen: bigint }>('SELECT countgen FROM colonies WHERE name = $1', [colony]))[0].countgen;
}

describe('process counts from rollups', () => {
  it('writes a rollup once enough rows are older than the clock-skew margin, reads it, and moves it forward', async () => {
    const c = await setupColony(t, 'roll1');
    await closeRows(c.colonyName, 2, 50, T - 120n * S); // old enough for a rollup
    await closeRows(c.colonyName, 2, 5, T - 10n * S); // within the margin
    await closeRows(c.colonyName, 3, 3, 0n); // endtime 0 (failed workflow members)
    await rows(c.colonyName, 0, 4, 0n);
    await rows(c.colonyName, 1, 2, 0n);
    await db.query("UPDATE processes SET executortype = 'running' WHERE colonyname = $1 AND state = 1", [c.colonyName]);

    expect(counted(await statistics(db, c.colonyName, T, MIN))).toEqual(await truth(c.colonyName));
    expect(counted(await statistics(db, c.colonyName, T, MIN))).toEqual([4, 2, 55, 3, 0]);
    // only SUCCESS had enough rows; upto is the margin behind "now"
    expect(await rollups(c.colonyName)).toEqual([{ state: 2, countgen: 0n, upto: T - CLOCK_SKEW_NS, n: 50n }]);

    // the rollup is what is read: change its n behind the counter's back
    await db.query('UPDATE process_count_rollups SET n = 1000 WHERE colonyname = $1', [c.colonyName]);
    expect((await statistics(db, c.colonyName, T, MIN)).successfulprocesses).toBe(1000 + 5);
    await db.query('UPDATE process_count_rollups SET n = 50 WHERE colonyname = $1', [c.colonyName]);

    // later: the 5 recent rows and 30 new ones are past the margin, 7 more are recent
    const T2 = T + 200n * S;
    await closeRows(c.colonyName, 2, 30, T2 - 100n * S);
    await closeRows(c.colonyName, 2, 7, T2 - 5n * S);
    expect(counted(await statistics(db, c.colonyName, T2, MIN))).toEqual(await truth(c.colonyName));
    // moved forward from the old rollup (50) by the 35 rows that aged past the margin
    expect(await rollups(c.colonyName)).toEqual([{ state: 2, countgen: 0n, upto: T2 - CLOCK_SKEW_NS, n: 85n }]);
    expect(counted(await statistics(db, c.colonyName, T2, MIN))).toEqual([4, 2, 92, 3, 0]);
  });

  it('a clock that goes back never moves the rollup back (nothing counted twice)', async () => {
    const c = await setupColony(t, 'roll2');
    await rows(c.colonyName, 4, 40, T - 100n * S);
    await statistics(db, c.colonyName, T, MIN);
    expect((await rollups(c.colonyName))[0].upto).toBe(T - CLOCK_SKEW_NS);
    const earlier = T - 30n * S;
    expect(counted(await statistics(db, c.colonyName, earlier, MIN))).toEqual([0, 0, 0, 0, 40]);
    expect((await rollups(c.colonyName))[0].upto).toBe(T - CLOCK_SKEW_NS);
  });

  it('deleting closed rows, changing a closed row and inserting an old closed row void the rollups', async () => {
    const c = await setupColony(t, 'roll3');
    await rows(c.colonyName, 2, 60, T - 300n * S);
    await rows(c.colonyName, 3, 30, T - 300n * S);
    await statistics(db, c.colonyName, T, MIN);
    expect((await rollups(c.colonyName)).map((r) => [r.state, r.n])).toEqual([
      [2, 60n],
      [3, 30n],
    ]);
    const check = async () => expect(counted(await statistics(db, c.colonyName, T, MIN))).toEqual(await truth(c.colonyName));

    // deletion (removeprocessmsg, removeallprocessesmsg, retention)
    const gen0 = await countgen(c.colonyName);
    await db.query('DELETE FROM processes WHERE processid IN (SELECT processid FROM processes WHERE colonyname = $1 AND state = 2 LIMIT 10)', [c.colonyName]);
    expect(await countgen(c.colonyName)).toBeGreaterThan(gen0);
    await check();
    expect(counted(await statistics(db, c.colonyName, T, MIN))).toEqual([0, 0, 50, 30, 0]);

    // a failed workflow's cascade turns SUCCESS members into FAILED, keeping their endtime
    const gen1 = await countgen(c.colonyName);
    await db.query('UPDATE processes SET state = 3 WHERE processid IN (SELECT processid FROM processes WHERE colonyname = $1 AND state = 2 LIMIT 4)', [c.colonyName]);
    expect(await countgen(c.colonyName)).toBeGreaterThan(gen1);
    await check();
    expect(counted(await statistics(db, c.colonyName, T, MIN))).toEqual([0, 0, 46, 34, 0]);

    // a row that arrives closed, with an endtime the rollup already covers
    const gen2 = await countgen(c.colonyName);
    await rows(c.colonyName, 2, 1, T - 500n * S);
    expect(await countgen(c.colonyName)).toBeGreaterThan(gen2);
    await check();
    expect(counted(await statistics(db, c.colonyName, T, MIN))).toEqual([0, 0, 47, 34, 0]);
  });

  it('the lifecycle (submit, assign, close) does not void the rollups', async () => {
    const c = await setupColony(t, 'roll4');
    await rows(c.colonyName, 2, 30, T - 300n * S);
    await statistics(db, c.colonyName, T, MIN);
    const gen = await countgen(c.colonyName);
    const spec = { conditions: { colonyname: c.colonyName, executortype: c.executor.type }, funcname: 'f' };
    for (const close of ['closesuccessfulmsg', 'closefailedmsg']) {
      await t.call('submitfuncspecmsg', { spec }, c.user);
      const p = await t.call('assignprocessmsg', { colonyname: c.colonyName, timeout: 1 }, c.executor);
      await t.call(close, close === 'closefailedmsg' ? { processid: p.processid, errors: ['x'] } : { processid: p.processid, out: [] }, c.executor);
    }
    await t.call('submitfuncspecmsg', { spec }, c.user);
    expect(await countgen(c.colonyName)).toBe(gen);
    expect(await rollups(c.colonyName)).toHaveLength(1);
    const s = await t.call('getcolonystatsmsg', { colonyname: c.colonyName }, c.user);
    expect(counted(s)).toEqual([1, 0, 31, 1, 0]);
  });

  it('server-wide statistics add up every colony, with and without rollups', async () => {
    const a = await setupColony(t, 'roll5a');
    const b = await setupColony(t, 'roll5b');
    await rows(a.colonyName, 2, 25, T - 300n * S);
    await rows(b.colonyName, 2, 3, T - 300n * S);
    await rows(b.colonyName, 0, 2, 0n);
    await statistics(db, null, T, MIN);
    expect((await rollups(a.colonyName)).length).toBe(1);
    expect(await rollups(b.colonyName)).toEqual([]);
    expect(counted(await statistics(db, null, T, MIN))).toEqual(await truth(null));
  });

  it('removing a colony removes its rollups', async () => {
    const c = await setupColony(t, 'roll6');
    await rows(c.colonyName, 2, 25, T - 300n * S);
    await statistics(db, c.colonyName, T, MIN);
    expect(await rollups(c.colonyName)).toHaveLength(1);
    await db.tx((q) => removeColony(q, c.colonyName));
    expect(await rollups(c.colonyName)).toEqual([]);
  });
});

// Workflow counts (migration 7): the same scheme over process_graphs.
/** n graphs of `colony` in `state`, ending at endtime, endtime - 1, ... (0: all 0). */
async function graphs(colony: string, state: number, n: number, endtime: bigint): Promise<void> {
  await db.query(
    `INSERT INTO process_graphs (processgraphid, colonyname, state, submissiontime, endtime)
     SELECT md5(random()::text || g::text) || md5(g::text || random()::text), $1, $2, g,
            CASE WHEN $4::int8 = 0 THEN 0 ELSE $4::int8 - g END
       FROM generate_series(1, $3::int) AS g`,
    [colony, state, n, endtime],
  );
}

/** Like graphs(), but the way resolution does it: inserted RUNNING, then closed (no rollup voided). */
async function closeGraphs(colony: string, state: number, n: number, endtime: bigint): Promise<void> {
  await graphs(colony, 1, n, 0n);
  await db.query(
    `UPDATE process_graphs SET state = $2, endtime = $3::int8 - submissiontime
      WHERE colonyname = $1 AND state = 1 AND initiatorname = ''`,
    [colony, state, endtime],
  );
}

async function graphTruth(colony: string | null): Promise<number[]> {
  const out = [0, 0, 0, 0, 0];
  const r = await db.query<{ state: number; n: number }>(
    'SELECT state, count(*)::int AS n FROM process_graphs WHERE $1::text IS NULL OR colonyname = $1 GROUP BY state',
    [colony],
  );
  for (const x of r) out[x.state] = x.n;
  return out;
}

const countedGraphs = (s: Record<string, number>) => [s.waitingworkflows, s.runningworkflows, s.successfulworkflows, s.failedworkflows, s.cancelledworkflows];

async function graphRollups(colony: string) {
  return db.query<{ state: number; countgen: bigint; upto: bigint; n: bigint }>(
    'SELECT state, countgen, upto, n FROM graph_count_rollups WHERE colonyname = $1 ORDER BY state',
    [colony],
  );
}

async function graphCountgen(colony: string): Promise<bigint> {
  return (await db.query<{ graph_countgen: bigint }>('SELECT graph_countgen FROM colonies WHERE name = $1', [colony]))[0].graph_countgen;
}

describe('workflow counts from rollups', () => {
  it('writes a rollup once enough graphs are older than the clock-skew margin, reads it, and moves it forward', async () => {
    const c = await setupColony(t, 'groll1');
    await closeGraphs(c.colonyName, 2, 50, T - 120n * S);
    await closeGraphs(c.colonyName, 2, 5, T - 10n * S);
    await graphs(c.colonyName, 0, 4, 0n);
    await db.query("UPDATE process_graphs SET initiatorname = 'open' WHERE colonyname = $1 AND state = 0", [c.colonyName]);
    await graphs(c.colonyName, 1, 2, 0n);
    await db.query("UPDATE process_graphs SET initiatorname = 'open' WHERE colonyname = $1 AND state = 1", [c.colonyName]);

    expect(countedGraphs(await statistics(db, c.colonyName, T, MIN))).toEqual(await graphTruth(c.colonyName));
    expect(countedGraphs(await statistics(db, c.colonyName, T, MIN))).toEqual([4, 2, 55, 0, 0]);
    expect(await graphRollups(c.colonyName)).toEqual([{ state: 2, countgen: 0n, upto: T - CLOCK_SKEW_NS, n: 50n }]);
    // process rollups are separate: this colony has no processes
    expect(await rollups(c.colonyName)).toEqual([]);

    // the rollup is what is read
    await db.query('UPDATE graph_count_rollups SET n = 1000 WHERE colonyname = $1', [c.colonyName]);
    expect((await statistics(db, c.colonyName, T, MIN)).successfulworkflows).toBe(1000 + 5);
    await db.query('UPDATE graph_count_rollups SET n = 50 WHERE colonyname = $1', [c.colonyName]);

    const T2 = T + 200n * S;
    await closeGraphs(c.colonyName, 2, 30, T2 - 100n * S);
    await closeGraphs(c.colonyName, 2, 7, T2 - 5n * S);
    expect(countedGraphs(await statistics(db, c.colonyName, T2, MIN))).toEqual(await graphTruth(c.colonyName));
    expect(await graphRollups(c.colonyName)).toEqual([{ state: 2, countgen: 0n, upto: T2 - CLOCK_SKEW_NS, n: 85n }]);
    expect(countedGraphs(await statistics(db, c.colonyName, T2, MIN))).toEqual([4, 2, 92, 0, 0]);
  });

  it('removing closed graphs, changing a closed graph and inserting an old closed graph void the rollups', async () => {
    const c = await setupColony(t, 'groll2');
    await graphs(c.colonyName, 2, 60, T - 300n * S);
    await graphs(c.colonyName, 3, 30, T - 300n * S);
    await statistics(db, c.colonyName, T, MIN);
    expect((await graphRollups(c.colonyName)).map((r) => [r.state, r.n])).toEqual([
      [2, 60n],
      [3, 30n],
    ]);
    const check = async () => expect(countedGraphs(await statistics(db, c.colonyName, T, MIN))).toEqual(await graphTruth(c.colonyName));
    const processGen = await countgen(c.colonyName);

    const gen0 = await graphCountgen(c.colonyName);
    await db.query('DELETE FROM process_graphs WHERE processgraphid IN (SELECT processgraphid FROM process_graphs WHERE colonyname = $1 AND state = 2 LIMIT 10)', [
      c.colonyName,
    ]);
    expect(await graphCountgen(c.colonyName)).toBeGreaterThan(gen0);
    await check();
    expect(countedGraphs(await statistics(db, c.colonyName, T, MIN))).toEqual([0, 0, 50, 30, 0]);

    const gen1 = await graphCountgen(c.colonyName);
    await db.query('UPDATE process_graphs SET state = 3 WHERE processgraphid IN (SELECT processgraphid FROM process_graphs WHERE colonyname = $1 AND state = 2 LIMIT 4)', [
      c.colonyName,
    ]);
    expect(await graphCountgen(c.colonyName)).toBeGreaterThan(gen1);
    await check();
    expect(countedGraphs(await statistics(db, c.colonyName, T, MIN))).toEqual([0, 0, 46, 34, 0]);

    const gen2 = await graphCountgen(c.colonyName);
    await graphs(c.colonyName, 2, 1, T - 500n * S);
    expect(await graphCountgen(c.colonyName)).toBeGreaterThan(gen2);
    await check();
    expect(countedGraphs(await statistics(db, c.colonyName, T, MIN))).toEqual([0, 0, 47, 34, 0]);
    // graph changes do not void the process rollups
    expect(await countgen(c.colonyName)).toBe(processGen);
  });

  it('a workflow run to the end (submit, assign, close) does not void the rollups and is counted', async () => {
    const c = await setupColony(t, 'groll3');
    await graphs(c.colonyName, 2, 30, T - 300n * S);
    await statistics(db, c.colonyName, T, MIN);
    const gen = await graphCountgen(c.colonyName);
    const node = (nodename: string, dependencies: string[]) => ({
      nodename,
      funcname: 'f',
      conditions: { colonyname: c.colonyName, executortype: c.executor.type, dependencies },
    });
    await t.call('submitworkflowspecmsg', { spec: { colonyname: c.colonyName, functionspecs: [node('a', []), node('b', ['a'])] } }, c.user);
    for (let i = 0; i < 2; i++) {
      const p = await t.call('assignprocessmsg', { colonyname: c.colonyName, timeout: 1 }, c.executor);
      await t.call('closesuccessfulmsg', { processid: p.processid, out: [] }, c.executor);
    }
    expect(await graphCountgen(c.colonyName)).toBe(gen);
    expect(await graphRollups(c.colonyName)).toHaveLength(1);
    const s = await t.call('getcolonystatsmsg', { colonyname: c.colonyName }, c.user);
    expect(countedGraphs(s)).toEqual([0, 0, 31, 0, 0]);
  });

  it('server-wide statistics add up every colony, with and without rollups', async () => {
    const a = await setupColony(t, 'groll4a');
    const b = await setupColony(t, 'groll4b');
    await graphs(a.colonyName, 2, 25, T - 300n * S);
    await graphs(b.colonyName, 2, 3, T - 300n * S);
    await graphs(b.colonyName, 0, 2, 0n);
    await statistics(db, null, T, MIN);
    expect((await graphRollups(a.colonyName)).length).toBe(1);
    expect(await graphRollups(b.colonyName)).toEqual([]);
    expect(countedGraphs(await statistics(db, null, T, MIN))).toEqual(await graphTruth(null));
  });

  it('removing a colony removes its workflow rollups', async () => {
    const c = await setupColony(t, 'groll5');
    await graphs(c.colonyName, 2, 25, T - 300n * S);
    await statistics(db, c.colonyName, T, MIN);
    expect(await graphRollups(c.colonyName)).toHaveLength(1);
    await db.tx((q) => removeColony(q, c.colonyName));
    expect(await graphRollups(c.colonyName)).toEqual([]);
  });
});
