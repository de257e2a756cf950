// A submit that finds an executor of the process's type asleep in a long-poll assign on this
// replica stores the process already assigned to it, in the statement that stores it
// (src/server/handoff.ts): no second statement, no second commit. Only where that executor's
// own assign would have got the new process: otherwise it looks again itself, as if woken.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionSpecSchema } from '../../src/protocol/objects.js';
import { nowNs } from '../../src/protocol/time.js';
import { insertProcesses, newProcessRow } from '../../src/store/processes.js';
import type { Db } from '../../src/store/db.js';
import { sleep, waitFor } from '../helpers/workflow.js';
import { openPubsub } from '../helpers/ws.js';
import { addApprovedExecutor, newKey, setupColony, startTestServer, type Cast, type Key, type TestServer } from '../helpers/server.js';

let t: TestServer;
let n = 0;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.close());

const fresh = () => setupColony(t, `handoff${++n}`, 'ho');
const spec = (c: Cast, extra: Record<string, unknown> = {}) => ({ funcname: 'f', maxexectime: 30, conditions: { colonyname: c.colonyName, executortype: 'ho' }, ...extra });
const submit = (c: Cast, extra: Record<string, unknown> = {}) => t.call('submitfuncspecmsg', { spec: spec(c, extra) }, c.user);

/** A long-poll assign by `key`, once it is asleep (its own attempt found nothing); `reply` is its answer. */
async function asleep(c: Cast, key: Key = c.executor, timeout = 10): Promise<{ reply: Promise<any> }> {
  const before = t.server.srv.waiters.asleep;
  const reply = t.call('assignprocessmsg', { colonyname: c.colonyName, timeout }, key).catch((e: Error) => e);
  await waitFor(async () => t.server.srv.waiters.asleep !== before, 10_000, 2);
  return { reply };
}

/** Counts the standalone assign statements, and makes them wait until released when `hold`. */
function watchAssigns(db: Db, hold = false) {
  const query = db.query.bind(db);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const w = {
    assigns: 0,
    release,
    restore: () => {
      release();
      db.query = query;
    },
  };
  db.query = (async (sql: string, params?: unknown[]) => {
    if (sql.startsWith('WITH ex AS')) {
      w.assigns++;
      if (hold) await gate;
    }
    return query(sql, params);
  }) as Db['query'];
  return w;
}

async function row(processid: string) {
  const rows = await t.server.srv.db.query<{ state: number; assignedexecutorid: string; starttime: bigint; execdeadline: bigint; submissiontime: bigint }>(
    'SELECT state, assignedexecutorid, starttime, execdeadline, submissiontime FROM processes WHERE processid = $1',
    [processid],
  );
  return rows[0];
}

describe('handoff to an asleep executor', () => {
  it('the submit stores the process assigned to it, and the executor gets it without an assign statement of its own', async () => {
    const c = await fresh();
    const { reply } = await asleep(c);
    // (its own attempt refreshed its heartbeat: make it old, so that the handoff must refresh it)
    await t.server.srv.db.query('UPDATE executors SET lastheardfromtime = 1 WHERE executorid = $1', [c.executor.id]);
    // from now on a standalone assign statement would hang: only a handoff can answer
    const w = watchAssigns(t.server.srv.db, true);
    try {
      const p = await submit(c);
      const got = await reply;
      expect(got.processid).toBe(p.processid);
      expect(w.assigns).toBe(0);
      // stored as an assignment stores it
      const r = await row(p.processid);
      expect(r.state).toBe(1);
      expect(r.assignedexecutorid).toBe(c.executor.id);
      expect(r.starttime).toBeGreaterThanOrEqual(r.submissiontime);
      expect(r.execdeadline).toBe(r.starttime + 30n * 1_000_000_000n);
      // the executor's reply is the process as stored (Go's attributes as before the assignment)
      const now = await t.call('getprocessmsg', { processid: p.processid }, c.user);
      expect(got).toMatchObject({ state: 1, isassigned: true, assignedexecutorid: c.executor.id, starttime: now.starttime, execdeadline: now.execdeadline });
      // its heartbeat was refreshed, as by an assign
      const ex = await t.server.srv.db.query<{ lastheardfromtime: bigint }>('SELECT lastheardfromtime FROM executors WHERE executorid = $1', [c.executor.id]);
      expect(ex[0].lastheardfromtime).toBe(r.starttime);
      await t.call('closesuccessfulmsg', { processid: p.processid, out: ['done'] }, c.executor);
    } finally {
      w.restore();
    }
  });

  it('something older waiting for the executor goes first: the new process stays WAITING', async () => {
    const c = await fresh();
    const { reply } = await asleep(c);
    // stored without an event (as if by another replica whose NOTIFY has not arrived yet)
    const older = newProcessRow(FunctionSpecSchema.parse(spec(c)), { initiatorid: c.user.id, initiatorname: 'u', now: nowNs() - 1_000_000_000n });
    await insertProcesses(t.server.srv.db, [older]);
    const p = await submit(c);
    expect((await reply).processid).toBe(older.processid);
    expect((await row(p.processid)).state).toBe(0);
    const next = await t.call('assignprocessmsg', { colonyname: c.colonyName, timeout: -1 }, c.executor);
    expect(next.processid).toBe(p.processid);
  });

  it('a process not for the executor (another name) stays WAITING, and it goes back to sleep', async () => {
    const c = await fresh();
    const other = { ...newKey(), name: 'other' };
    await addApprovedExecutor(t, c.owner, c.colonyName, other, other.name, 'ho');
    const base = t.server.srv.waiters.asleep;
    const { reply } = await asleep(c, c.executor, 2);
    const p = await submit(c, { conditions: { colonyname: c.colonyName, executortype: 'ho', executornames: ['other'] } });
    expect((await row(p.processid)).state).toBe(0);
    // it looks again, finds nothing, and is asleep again
    await waitFor(async () => t.server.srv.waiters.asleep === base + 1, 1_000, 2);
    expect(t.server.srv.waiters.asleep).toBe(base + 1);
    expect((await t.call('assignprocessmsg', { colonyname: c.colonyName, timeout: -1 }, other)).processid).toBe(p.processid);
    expect(await reply).toMatchObject({ message: 'No process available for assignment' });
  });

  it('in a paused colony nothing is handed; after resume the executor gets the process', async () => {
    const c = await fresh();
    const { reply } = await asleep(c);
    await t.call('pauseassignmentsmsg', { colonyname: c.colonyName }, c.owner);
    const p = await submit(c);
    await sleep(100);
    expect((await row(p.processid)).state).toBe(0);
    await t.call('resumeassignmentsmsg', { colonyname: c.colonyName }, c.owner);
    expect((await reply).processid).toBe(p.processid);
  });

  it('of two asleep executors one gets the process, and the other is not woken for it', async () => {
    const c = await fresh();
    const second = { ...newKey(), name: 'second' };
    await addApprovedExecutor(t, c.owner, c.colonyName, second, second.name, 'ho');
    const base = t.server.srv.waiters.asleep;
    const replies = [(await asleep(c, c.executor, 2)).reply, (await asleep(c, second, 2)).reply];
    const w = watchAssigns(t.server.srv.db);
    try {
      const p = await submit(c);
      await sleep(100);
      expect(w.assigns).toBe(0);
      expect(t.server.srv.waiters.asleep).toBe(base + 1);
      const got = await Promise.all(replies);
      expect(got.filter((g) => g.processid === p.processid)).toHaveLength(1);
    } finally {
      w.restore();
    }
  });

  it('a submit statement that fails hands nothing: the submit gets the error, the executor keeps waiting', async () => {
    const c = await fresh();
    const base = t.server.srv.waiters.size;
    const { reply } = await asleep(c);
    const db = t.server.srv.db;
    const query = db.query.bind(db);
    db.query = (async (sql: string, params?: unknown[]) => {
      if (sql.includes('AS handed')) throw new Error('database away');
      return query(sql, params);
    }) as Db['query'];
    try {
      expect((await t.fail('submitfuncspecmsg', { spec: spec(c) }, c.user)).status).toBe(500);
    } finally {
      db.query = query;
    }
    expect(t.server.srv.waiters.size).toBe(base + 1);
    const p = await submit(c);
    expect((await reply).processid).toBe(p.processid);
  });

  it('subscribers see the process WAITING, then RUNNING', async () => {
    const c = await fresh();
    const ws = [await openPubsub(t.url), await openPubsub(t.url)];
    try {
      ws[0].subscribe('subscribeprocessesmsg', { colonyname: c.colonyName, executortype: 'ho', state: 0, timeout: 10 }, c.executor);
      ws[1].subscribe('subscribeprocessesmsg', { colonyname: c.colonyName, executortype: 'ho', state: 1, timeout: 10 }, c.executor);
      await sleep(200);
      const { reply } = await asleep(c);
      const p = await submit(c);
      expect((await reply).processid).toBe(p.processid);
      const [waiting] = await ws[0].waitFrames(1, 5_000);
      const [running] = await ws[1].waitFrames(1, 5_000);
      expect(waiting.payload).toMatchObject({ processid: p.processid, state: 0 });
      expect(running.payload).toMatchObject({ processid: p.processid, state: 1, assignedexecutorid: c.executor.id });
    } finally {
      for (const s of ws) s.close();
    }
  });
});
