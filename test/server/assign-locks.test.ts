// Which rows an assignment waits for (src/store/process-assign.ts). Two replicas' assign batches
// that start the same two workflows must not deadlock, whatever order their attempts come in,
// and an assignment never waits for its executor's row (the heartbeat). Each scenario holds
// rows from a connection of its own and checks, in pg_stat_activity, who waits for a lock.
// PostgreSQL only (vitest.config.ts): PGlite has one connection, so nothing waits there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNLIMITED } from '../../src/domain/resources.js';
import { nowNs } from '../../src/protocol/time.js';
import { openDb, type Db, type Queryable } from '../../src/store/db.js';
import { assignMany, assignNext, type AssignAttempt } from '../../src/store/process-assign.js';
import { testDbConfig, testDbKind } from '../helpers/db.js';
import { addApprovedExecutor, newKey, setupColony, startTestServer, type Cast, type Key, type TestServer } from '../helpers/server.js';
import { node, sleep, waitFor, workflow } from '../helpers/workflow.js';

const COLONY = 'locks';
const TA = 'type-a';
const TB = 'type-b';

let t: TestServer;
let c: Cast;
const conns: Db[] = [];

beforeAll(async () => {
  if (testDbKind !== 'postgres') throw new Error('assign-locks.test.ts needs COLONIES_TEST_DB=postgres (vitest.config.ts excludes it otherwise)');
  t = await startTestServer();
  c = await setupColony(t, COLONY, TA);
});
afterAll(async () => {
  for (const d of conns) await d.close();
  await t?.close();
});

/** A connection of its own to the server's schema (a replica's, or a bystander's). */
async function connection(): Promise<Db> {
  const d = await openDb({ ...testDbConfig(t.server.srv.db.schema), poolSize: 1 });
  conns.push(d);
  return d;
}
const backendPid = async (d: Queryable) => (await d.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0].pid;
const waitingForLock = async (watch: Queryable, pid: number) =>
  (await watch.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`, [pid]))[0].n === 1;
/** Resolves once backend `pid` waits for a row lock. */
const waitsForLock = (watch: Queryable, pid: number) => waitFor(() => waitingForLock(watch, pid));

async function executor(name: string, type: string): Promise<Key> {
  const k = newKey();
  await addApprovedExecutor(t, c.owner, COLONY, k, name, type);
  return k;
}
const attempt = (k: Key) => ({ executorid: k.id, colonyname: COLONY, now: nowNs(), cpu: UNLIMITED, mem: UNLIMITED, wantMore: false });
const assigned = (as: AssignAttempt[]) => as.map((a) => (a.kind === 'assigned' ? a.process : null));

/** A workflow of two independent roots, both for executors of `type`. */
async function twoRoots(type: string): Promise<string> {
  const wf = workflow(COLONY, node('x'), node('y'));
  for (const n of wf.functionspecs as { conditions: Record<string, unknown> }[]) n.conditions.executortype = type;
  return (await t.call('submitworkflowspecmsg', { spec: wf }, c.user)).processgraphid;
}

describe('assignment locks', () => {
  it('two batches that start the same two workflows in crossed order both succeed', async () => {
    const [a1, b1, b2, a2] = [await executor('a1', TA), await executor('b1', TB), await executor('b2', TB), await executor('a2', TA)];
    const ga = await twoRoots(TA);
    const gb = await twoRoots(TB);
    const [holder, replica1, replica2, watch] = [await connection(), await connection(), await connection(), await connection()];
    const [pid1, pid2] = [await backendPid(replica1), await backendPid(replica2)];

    // Replica 1's attempts meet the workflows in the order a, b, replica 2's in the order b, a,
    // while a bystander holds workflow a. Each batch ends up waiting, replica 1 first in line.
    // Before, replica 1 waited for a with a's root claimed, replica 2 started b and then waited
    // for a too; once the bystander was done, replica 1 (first in line) started a and waited for
    // b, held by replica 2, which waited for a: PostgreSQL failed one ("deadlock detected").
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const holding = new Promise<void>((r) => (locked = r));
    const bystander = holder.tx(async (q) => {
      await q.query('SELECT 1 FROM process_graphs WHERE processgraphid = $1 FOR UPDATE', [ga]);
      locked();
      await held;
    });
    await holding;
    const first = assignMany(replica1, COLONY, [attempt(a1), attempt(b1)]);
    await waitsForLock(watch, pid1);
    const second = assignMany(replica2, COLONY, [attempt(b2), attempt(a2)]);
    await waitsForLock(watch, pid2);
    release();
    await bystander;

    const [r1, r2] = await Promise.allSettled([first, second]);
    expect(r1.status).toBe('fulfilled');
    expect(r2.status).toBe('fulfilled');
    const got = [...assigned((r1 as PromiseFulfilledResult<AssignAttempt[]>).value), ...assigned((r2 as PromiseFulfilledResult<AssignAttempt[]>).value)];
    expect(got.map((p) => p?.assignedexecutorid)).toEqual([a1.id, b1.id, b2.id, a2.id]);
    expect(new Set(got.map((p) => p?.processid)).size).toBe(4);
    expect(got.map((p) => p?.processgraphid)).toEqual([ga, gb, gb, ga]);
    for (const g of [ga, gb]) expect((await t.call('getprocessgraphmsg', { processgraphid: g }, c.user)).state).toBe(1);
    const keys = [a1, b1, b2, a2];
    for (const [i, p] of got.entries()) await t.call('closesuccessfulmsg', { processid: p!.processid, out: [] }, keys[i]);
  });

  it("an assignment does not wait for its executor's row, whose heartbeat it then leaves alone", async () => {
    const e = await executor('held', TA);
    const p = await t.call('submitfuncspecmsg', { spec: { funcname: 'f', maxexectime: -1, conditions: { colonyname: COLONY, executortype: TA } } }, c.user);
    const [holder, replica, watch] = [await connection(), await connection(), await connection()];
    const heard = () => watch.query<{ t: string }>('SELECT lastheardfromtime::text AS t FROM executors WHERE executorid = $1', [e.id]);
    await watch.query('UPDATE executors SET lastheardfromtime = 1 WHERE executorid = $1', [e.id]); // a heartbeat is due
    const pid = await backendPid(replica);

    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const holding = new Promise<void>((r) => (locked = r));
    const bystander = holder.tx(async (q) => {
      await q.query('SELECT 1 FROM executors WHERE executorid = $1 FOR UPDATE', [e.id]);
      locked();
      await held;
    });
    await holding;
    try {
      const single = assignNext(replica, attempt(e));
      // Before, the statement waited here until the bystander was done.
      let answered = false;
      const watching = (async () => {
        while (!answered) {
          if (await waitingForLock(watch, pid)) return 'waited for the executor row' as const;
          await sleep(20);
        }
        return 'not waiting' as const;
      })();
      const outcome = await Promise.race([single, watching]);
      answered = true;
      await watching;
      expect(outcome).toMatchObject({ kind: 'assigned', process: { processid: p.processid, assignedexecutorid: e.id } });
      expect((await heard())[0].t).toBe('1');
    } finally {
      release();
      await bystander;
    }
    // with the row free again, the next statement refreshes it
    await t.call('closesuccessfulmsg', { processid: p.processid, out: [] }, e);
    expect(await assignNext(replica, attempt(e))).toMatchObject({ kind: 'empty' });
    expect(BigInt((await heard())[0].t)).toBeGreaterThan(1n);
  });
});
