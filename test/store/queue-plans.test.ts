// The assign statement reads the queue through its index, also once the processes table has
// statistics and its waiting rows are the newest of many. Its checks "does anything else
// eligible wait?" were once planned as a sequential scan stopping at the first match, which
// read thousands of finished rows per attempt (a batch of 16 attempts: 14 ms instead of 2.2).
// Asserted on the generic plan, the one the server's prepared statements run.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { UNLIMITED } from '../../src/domain/resources.js';
import type { Queryable } from '../../src/store/db.js';
import { anyAssignable, assignNext } from '../../src/store/process-assign.js';
import { setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';

let t: TestServer;
let c: Cast;
const FINISHED = 6000;
const QUEUED = 3750;
const WAITING = 250;

beforeAll(async () => {
  t = await startTestServer();
  c = await setupColony(t, 'queue');
  // Rows shaped as the benchmark leaves them: wide (a spec of about 1 kB), most finished, some
  // of them after waiting in the queue (its index keeps their entries until VACUUM), and the
  // waiting ones for this executor type the newest.
  const db = t.server.srv.db;
  await db.query(
    `INSERT INTO processes (processid, colonyname, executortype, state, isassigned, waitforparents, prioritytime,
       initiatorid, initiatorname, assignedexecutorid, submissiontime, funcname, spec)
     SELECT md5('p' || g), $1, $2, CASE WHEN g <= $4::int THEN 2 ELSE 0 END, g <= $4::int, false, g, $3, 'u', '', g, 'f',
            jsonb_build_object('funcname', 'f', 'args', jsonb_build_array(repeat('x', 1000)))
       FROM generate_series(1, $4::int + $5::int + $6::int) AS g`,
    [c.colonyName, c.executor.type, c.user.id, FINISHED, QUEUED, WAITING],
  );
  await db.query(`UPDATE processes SET state = 2, isassigned = true, assignedexecutorid = $1, starttime = prioritytime, endtime = prioritytime
     WHERE colonyname = $2 AND prioritytime > $3::int8 AND prioritytime <= $3::int8 + $4::int8`, [c.executor.id, c.colonyName, FINISHED, QUEUED]);
  await db.exec('ANALYZE processes');
});
afterAll(() => t?.close());

/** The text of the statement `run` sends. */
async function sqlOf(run: (q: Queryable) => Promise<unknown>): Promise<string> {
  let sql = '';
  const capture: Queryable = {
    query: async (text: string) => {
      sql = text;
      return [{ ok: false }];
    },
  } as unknown as Queryable;
  await run(capture);
  return sql;
}

/** The generic plan of `sql` with parameters of `types`, for the values `args` (SQL literals). */
async function genericPlan(sql: string, types: string, args: string): Promise<string> {
  return t.server.srv.db.tx(async (q) => {
    await q.query('SET LOCAL plan_cache_mode = force_generic_plan');
    // Random reads priced high, as a planner that expects cold caches does: a scan that may stop
    // at the first match then looks cheaper than the index, which only ordered reads resist.
    await q.query('SET LOCAL random_page_cost = 40');
    await q.query(`PREPARE queue_plan_check (${types}) AS ${sql}`);
    try {
      const rows = await q.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE queue_plan_check (${args})`);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await q.query('DEALLOCATE queue_plan_check');
    }
  });
}

it('plans the assign statement, and its checks for more waiting work, on the queue index', async () => {
  const sql = await sqlOf((q) => assignNext(q, { executorid: '', colonyname: '', now: 0n, cpu: UNLIMITED, mem: UNLIMITED, wantMore: true }));
  const plan = await genericPlan(sql, 'text, text, int8, int8, int8, boolean', `'${c.executor.id}', '${c.colonyName}', 1000000, ${UNLIMITED}, ${UNLIMITED}, true`);
  expect(plan).not.toMatch(/Seq Scan on processes/);
  // the pick and both checks (more waiting; something eligible taken meanwhile) read the queue index
  expect(plan.match(/Index Scan using processes_queue/g)?.length).toBe(3);
});

it('plans the probe of a colony and type for waiting work (after missed events) on the queue index', async () => {
  const sql = await sqlOf((q) => anyAssignable(q, '', ''));
  const plan = await genericPlan(sql, 'text, text', `'${c.colonyName}', '${c.executor.type}'`);
  expect(plan).not.toMatch(/Seq Scan on processes/);
  expect(plan).toContain('Index Scan using processes_queue');
  expect(await anyAssignable(t.server.srv.db, c.colonyName, c.executor.type)).toBe(true);
  expect(await anyAssignable(t.server.srv.db, c.colonyName, 'nobody')).toBe(false);
});

it('still tells whether more waits, and contention from an empty queue', async () => {
  const attempt = (i: number) =>
    assignNext(t.server.srv.db, { executorid: c.executor.id, colonyname: c.colonyName, now: BigInt(2_000_000 + i), cpu: UNLIMITED, mem: UNLIMITED, wantMore: true });
  const got = [];
  for (let i = 0; i < WAITING; i++) got.push(await attempt(i));
  expect(got.map((a) => a.kind)).toEqual(Array(WAITING).fill('assigned'));
  // more for every one but the last; in queue order
  expect(got.map((a) => a.kind === 'assigned' && a.more)).toEqual([...Array(WAITING - 1).fill(true), false]);
  expect(got.map((a) => (a.kind === 'assigned' ? Number(a.process.prioritytime) : 0))).toEqual(Array.from({ length: WAITING }, (_, i) => FINISHED + QUEUED + 1 + i));
  expect(await attempt(WAITING)).toMatchObject({ kind: 'empty', contended: false });
});
