// Group commit (src/server/batch.ts) and the grouped statements it drives: several submits of
// one caller in one INSERT, several closes in one UPDATE, several access reads in one SELECT,
// each request with its own outcome.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Batcher } from '../../src/server/batch.js';
import { closeFailedForCallers, closeSuccessfulForCallers, errorsJson, outputJson } from '../../src/store/process-close.js';
import { getProcessesForCallers, insertSubmitted, newProcessRow } from '../../src/store/processes.js';
import { FunctionSpecSchema } from '../../src/protocol/objects.js';
import { nowNs } from '../../src/protocol/time.js';
import { addApprovedExecutor, newKey, setupColony, startTestServer, type Cast, type Key, type TestServer } from '../helpers/server.js';
import { watchStatements } from '../helpers/statements.js';

/** A write whose statements the test releases one at a time. */
function gatedWrite() {
  const calls: number[][] = [];
  const gates: (() => void)[] = [];
  const write = (items: number[]) => {
    calls.push(items);
    return new Promise<string[]>((resolve, reject) => {
      gates.push(() => (items.includes(-1) ? reject(new Error(`bad item in ${items}`)) : resolve(items.map((i) => `r${i}`))));
    });
  };
  const release = async () => {
    while (gates.length > 0) gates.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { calls, write, release };
}

describe('Batcher', () => {
  it('a lone request goes at once; requests arriving meanwhile go together, each with its own result', async () => {
    const g = gatedWrite();
    const b = new Batcher<number, string>(g.write, 64, 1);
    const first = b.run('k', 1);
    expect(g.calls).toEqual([[1]]); // no timer: written immediately
    const rest = [2, 3, 4].map((i) => b.run('k', i));
    expect(g.calls).toEqual([[1]]); // waiting for the running write
    await g.release();
    expect(g.calls).toEqual([[1], [2, 3, 4]]);
    await g.release();
    expect(await Promise.all([first, ...rest])).toEqual(['r1', 'r2', 'r3', 'r4']);
  });

  it('keys are independent lanes; at most maxRunning writes per key; at most maxBatch items per write', async () => {
    const g = gatedWrite();
    const b = new Batcher<number, string>(g.write, 2, 2);
    const all = [1, 2, 3, 4, 5, 6].map((i) => b.run('a', i));
    const other = b.run('b', 7);
    expect(g.calls).toEqual([[1], [2], [7]]);
    await g.release();
    expect(g.calls.slice(3)).toEqual([[3, 4], [5, 6]]);
    await g.release();
    expect(await Promise.all([...all, other])).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
  });

  it('a failed grouped write is retried item by item: only the bad item fails', async () => {
    const g = gatedWrite();
    const failures: [string, number][] = [];
    const b = new Batcher<number, string>(g.write, 64, 1, (e, n) => failures.push([(e as Error).message, n]));
    const first = b.run('k', 1);
    const group = [2, -1, 3].map((i) => b.run('k', i).then((r) => ({ ok: r }), (e: Error) => ({ err: e.message })));
    await g.release(); // first
    await g.release(); // the group fails
    await g.release(); // one by one
    expect(await first).toBe('r1');
    expect(await Promise.all(group)).toEqual([{ ok: 'r2' }, { err: 'bad item in -1' }, { ok: 'r3' }]);
    expect(g.calls).toEqual([[1], [2, -1, 3], [2], [-1], [3]]);
    // the group's failure is told once; the lone item's own failure is its caller's
    expect(failures).toEqual([['bad item in 2,-1,3', 3]]);
  });
});

describe('grouped statements', () => {
  let t: TestServer;
  let c: Cast;
  let other: Key;
  const COLONY = 'dev';
  const TYPE = 'cli';
  const spec = (funcname: string) => FunctionSpecSchema.parse({ funcname, conditions: { colonyname: COLONY, executortype: TYPE } });
  const get = (processid: string) => t.call('getprocessmsg', { processid }, c.user);

  beforeAll(async () => {
    t = await startTestServer();
    c = await setupColony(t, COLONY, TYPE);
    other = newKey();
    await addApprovedExecutor(t, c.owner, COLONY, other, 'other', TYPE);
  });
  afterAll(() => t?.close());

  it('one INSERT stores several submits of a member, with the initiator name; a non-member stores nothing', async () => {
    const db = t.server.srv.db;
    const rows = ['a', 'b', 'c'].map((f) => newProcessRow(spec(f), { initiatorid: c.user.id, initiatorname: '', now: nowNs() }));
    expect(await insertSubmitted(db, rows)).toBe('stored');
    for (const r of rows) {
      expect(r.initiatorname).toBe(c.user.name);
      expect(await get(r.processid)).toMatchObject({ state: 0, initiatorname: c.user.name, spec: { funcname: r.funcname } });
    }
    const stranger = newKey();
    const refused = ['x', 'y'].map((f) => newProcessRow(spec(f), { initiatorid: stranger.id, initiatorname: '', now: nowNs() }));
    expect(await insertSubmitted(db, refused)).toBe('notmember');
    for (const r of refused) expect((await t.fail('getprocessmsg', { processid: r.processid }, c.user)).status).toBe(404);
    const mixed = [rows[0], refused[0]].map((r) => ({ ...r }));
    await expect(insertSubmitted(db, mixed)).rejects.toThrow('one caller and one colony');
  });

  it('one UPDATE closes several processes, and tells each refused one why', async () => {
    const db = t.server.srv.db;
    const submitted = [];
    for (let i = 0; i < 4; i++) submitted.push(await t.call('submitfuncspecmsg', { spec: spec(`close${i}`) }, c.user));
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push(await t.call('assignprocessmsg', { colonyname: COLONY, timeout: -1 }, c.executor));
    const theirs = await t.call('assignprocessmsg', { colonyname: COLONY, timeout: -1 }, other);
    const now = nowNs();
    const attempts = await closeSuccessfulForCallers(db, [
      { processid: mine[0].processid, executorid: c.executor.id, now, json: outputJson(['one']) },
      { processid: theirs.processid, executorid: c.executor.id, now, json: outputJson(['stolen']) }, // not assigned to the caller
      { processid: 'f'.repeat(64), executorid: c.executor.id, now, json: null }, // no such process
      { processid: mine[1].processid, executorid: c.executor.id, now, json: outputJson([]) },
      { processid: mine[2].processid, executorid: c.user.id, now, json: null }, // a member, but not the assigned executor
    ]);
    expect(attempts.map((a) => a.closed !== null)).toEqual([true, false, false, true, false]);
    expect(attempts[1].brief).toMatchObject({ processid: theirs.processid, assignedexecutorid: other.id, state: 1, acc_member: true });
    expect(attempts[2].brief).toBeNull();
    expect(attempts[0].closed).toMatchObject({ processid: mine[0].processid, colonyname: COLONY, funcname: mine[0].spec.funcname, endtime: now });
    expect(await get(mine[0].processid)).toMatchObject({ state: 2, out: ['one'] });
    expect(await get(mine[1].processid)).toMatchObject({ state: 2, out: [] });
    expect(await get(theirs.processid)).toMatchObject({ state: 1, out: [] });
    expect(await get(mine[2].processid)).toMatchObject({ state: 1 });

    const failed = await closeFailedForCallers(db, [
      { processid: mine[2].processid, executorid: c.executor.id, now, json: errorsJson(['boom']) },
      { processid: theirs.processid, executorid: other.id, now, json: errorsJson(null) },
    ]);
    expect(failed.map((a) => a.closed !== null)).toEqual([true, true]);
    expect(await get(mine[2].processid)).toMatchObject({ state: 3, errors: ['boom'] });
    expect(await get(theirs.processid)).toMatchObject({ state: 3 });
  });

  it('one SELECT reads several processes, each with its own caller\'s membership, in order', async () => {
    const db = t.server.srv.db;
    const a = await t.call('submitfuncspecmsg', { spec: spec('read-a') }, c.user);
    const b = await t.call('submitfuncspecmsg', { spec: spec('read-b') }, c.user);
    const stranger = newKey();
    const reads = [
      { processid: b.processid, callerId: c.user.id },
      { processid: a.processid, callerId: stranger.id }, // not a member
      { processid: 'f'.repeat(64), callerId: c.user.id }, // no such process
      { processid: a.processid, callerId: other.id },
      { processid: b.processid, callerId: c.user.id }, // the same read twice
    ];
    const full = await getProcessesForCallers(db, reads, true);
    expect(full.map((r) => r && [r.processid, r.acc_member])).toEqual([[b.processid, true], [a.processid, false], null, [a.processid, true], [b.processid, true]]);
    expect(full[0]).toMatchObject({ colonyname: COLONY, state: 0, spec: { funcname: 'read-b' }, acc_colonyid: c.owner.id });
    const brief = await getProcessesForCallers(db, reads.slice(0, 3), false);
    expect(brief.map((r) => r && [r.processid, r.acc_member])).toEqual([[b.processid, true], [a.processid, false], null]);
    expect(brief[0]).not.toHaveProperty('spec');
    expect(await getProcessesForCallers(db, [], true)).toEqual([]);
  });

  it('concurrent gets over HTTP each get their own answer: the process, 403 for a stranger, 404 for none', async () => {
    const ps: { processid: string }[] = [];
    for (let i = 0; i < 4; i++) ps.push(await t.call('submitfuncspecmsg', { spec: spec(`get${i}`) }, c.user));
    const stranger = newKey();
    const asks = Array.from({ length: 24 }, (_, i) => i);
    const answers = await Promise.all(
      asks.map((i) => {
        const p = ps[i % ps.length];
        if (i % 3 === 1) return t.fail('getprocessmsg', { processid: p.processid }, stranger).then((e) => e.status);
        if (i % 3 === 2) return t.fail('getprocessmsg', { processid: `${i}`.padStart(64, 'e') }, c.user).then((e) => e.status);
        return t.call('getprocessmsg', { processid: p.processid }, i % 2 === 0 ? c.user : other).then((r) => r.spec.funcname);
      }),
    );
    expect(answers).toEqual(asks.map((i) => (i % 3 === 1 ? 403 : i % 3 === 2 ? 404 : `get${i % ps.length}`)));
  });

  it('concurrent closes go one statement at a time, the later ones together', async () => {
    for (let i = 0; i < 12; i++) await t.call('submitfuncspecmsg', { spec: spec(`one-at-a-time${i}`) }, c.user);
    const assigned = [];
    for (let i = 0; i < 12; i++) assigned.push(await t.call('assignprocessmsg', { colonyname: COLONY, timeout: -1 }, c.executor));
    // the first close statement waits a little, so that the other closes surely arrive meanwhile
    const closes = watchStatements(t.server.srv.db, (sql) => sql.startsWith('WITH cur AS'), 100);
    try {
      await Promise.all(assigned.map((p) => t.call('closesuccessfulmsg', { processid: p.processid, out: [] }, c.executor)));
    } finally {
      closes.restore();
    }
    expect(closes.most).toBe(1);
    expect(closes.count).toBeLessThan(12);
    for (const p of assigned) expect((await get(p.processid)).state).toBe(2);
  });

  it('concurrent closes over HTTP each get their own answer', async () => {
    const ps = [];
    for (let i = 0; i < 6; i++) ps.push(await t.call('submitfuncspecmsg', { spec: spec(`http${i}`) }, c.user));
    const assigned = [];
    for (let i = 0; i < 6; i++) assigned.push(await t.call('assignprocessmsg', { colonyname: COLONY, timeout: -1 }, c.executor));
    const answers = await Promise.all(
      assigned.map((p, i) =>
        i % 2 === 0
          ? t.call('closesuccessfulmsg', { processid: p.processid, out: [i] }, c.executor).then(() => 'ok')
          : t.fail('closesuccessfulmsg', { processid: p.processid, out: [i] }, other).then((e) => e.status),
      ),
    );
    expect(answers).toEqual(['ok', 403, 'ok', 403, 'ok', 403]);
    for (const [i, p] of assigned.entries()) expect((await get(p.processid)).state).toBe(i % 2 === 0 ? 2 : 1);
  });
});
