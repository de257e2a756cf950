// assignprocessmsg: matching rules (SEMANTICS §4.2), ordering, the long poll (PROTOCOL §8),
// pause/resume, heartbeat and workflow input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRequest } from '../../src/protocol/envelope.js';
import { browserCrypto } from '../../src/crypto/index.js';
import { FunctionSpecSchema } from '../../src/protocol/objects.js';
import { nowNs } from '../../src/protocol/time.js';
import { ASSIGN_BATCH_FUNCTION, assignNext } from '../../src/store/process-assign.js';
import { insertProcesses, newProcessRow } from '../../src/store/processes.js';
import { newKey, setupColony, startTestServer, type Cast, type Key, type TestServer } from '../helpers/server.js';
import { sleep, waitFor } from '../helpers/workflow.js';

let t: TestServer;
let c: Cast;
const COLONY = 'dev';
const TYPE = 'cli';

beforeAll(async () => {
  t = await startTestServer();
  c = await setupColony(t, COLONY, TYPE);
});
afterAll(() => t?.close());

async function addExecutor(name: string, type = TYPE, locationname?: string): Promise<Key> {
  const k = newKey();
  await t.call('addexecutormsg', { executor: { executorid: k.id, executortype: type, executorname: name, colonyname: COLONY, locationname } }, c.owner);
  await t.call('approveexecutormsg', { colonyname: COLONY, executorname: name }, c.owner);
  return k;
}

const submit = (spec: Record<string, unknown> = {}, conditions: Record<string, unknown> = {}) =>
  t.call('submitfuncspecmsg', { spec: { funcname: 'f', maxexectime: -1, ...spec, conditions: { colonyname: COLONY, executortype: TYPE, ...conditions } } }, c.user);
const assign = (key: Key = c.executor, extra: Record<string, unknown> = {}) =>
  t.call('assignprocessmsg', { colonyname: COLONY, timeout: -1, ...extra }, key);
const assignFails = (key: Key = c.executor, extra: Record<string, unknown> = {}) =>
  t.fail('assignprocessmsg', { colonyname: COLONY, timeout: -1, ...extra }, key);
const NOTHING = { status: 404, message: 'No process available for assignment' };
const clear = () => t.call('removeallprocessesmsg', { colonyname: COLONY, state: -1 }, c.owner);

describe('errors', () => {
  it('404 when nothing is waiting, 400 for timeout 0, 500 for a caller that is not an executor, 403 for strangers', async () => {
    expect(await assignFails()).toEqual(NOTHING);
    expect(await assignFails(c.executor, { timeout: 0 })).toEqual({ status: 400, message: 'Invalid timeout value, timeout cannot be zero' });
    expect(await assignFails(c.user)).toEqual({ status: 500, message: 'Failed to assign process, executor not found' });
    expect(await assignFails(newKey(), { timeout: 0 })).toEqual({ status: 403, message: `Access denied, not a member of Colony with name <${COLONY}>` });
    expect(await assignFails(c.executor, { availablecpu: 'lots' })).toEqual({ status: 400, message: 'Error converting CPU to int' });
    expect((await assignFails(c.executor, { availablemem: 'lots' })).status).toBe(400);
  });

  it('checks membership inside the assign statement: pending executors, unknown colonies, strangers', async () => {
    const pending = newKey();
    await t.call('addexecutormsg', { executor: { executorid: pending.id, executortype: TYPE, executorname: 'not-yet', colonyname: COLONY } }, c.owner);
    const p = await submit();
    expect(await assignFails(pending)).toEqual({ status: 403, message: `Access denied, not a member of Colony with name <${COLONY}>` });
    expect(await assignFails(pending, { availablecpu: 'lots' })).toEqual({ status: 403, message: `Access denied, not a member of Colony with name <${COLONY}>` });
    expect(await assignFails(c.executor, { colonyname: 'no-such-colony' })).toEqual({ status: 403, message: 'Colony with name <no-such-colony> does not exists' });
    expect((await t.call('getprocessmsg', { processid: p.processid }, c.user)).state).toBe(0);
    // a pending executor's failed attempts are no heartbeat
    const rows = await t.server.srv.db.query<{ lastheardfromtime: bigint }>('SELECT lastheardfromtime FROM executors WHERE executorid = $1', [pending.id]);
    expect(rows[0].lastheardfromtime).toBe(0n);
    await t.call('rejectexecutormsg', { colonyname: COLONY, executorname: 'not-yet' }, c.owner);
    expect((await assignFails(pending)).status).toBe(403);
    await clear();
  });

  it('a refused assign leaves the process waiting', async () => {
    const p = await submit();
    expect((await assignFails(c.user)).status).toBe(500);
    expect((await assignFails(newKey())).status).toBe(403);
    expect((await t.call('getprocessmsg', { processid: p.processid }, c.user)).state).toBe(0);
    await clear();
  });
});

describe('the assigned process', () => {
  it('is RUNNING, assigned to the caller, with starttime/execdeadline set; the heartbeat is refreshed', async () => {
    const p = await submit({ maxexectime: 30, env: { A: '1' } });
    const a = await assign();
    expect(a).toMatchObject({ processid: p.processid, state: 1, isassigned: true, assignedexecutorid: c.executor.id });
    expect(a.starttime).not.toBe('0001-01-01T00:00:00Z');
    expect(Date.parse(a.execdeadline) - Date.parse(a.starttime)).toBe(30_000);
    // Go replies with the attributes as read before the assignment; later reads follow the process
    expect(a.attributes[0].state).toBe(0);
    const g = await t.call('getprocessmsg', { processid: p.processid }, c.user);
    expect(g.attributes[0].state).toBe(1);
    expect({ ...g, attributes: [] }).toEqual({ ...a, attributes: [] });
    const ex = await t.call('getexecutormsg', { colonyname: COLONY, executorname: c.executor.name }, c.user);
    expect(Date.now() - Date.parse(ex.lastheardfromtime)).toBeLessThan(60_000);
    expect(await assignFails()).toEqual(NOTHING);
    await t.call('closesuccessfulmsg', { processid: p.processid }, c.executor);
    await clear();
  });

  it('maxexectime 0 or -1 sets no execution deadline', async () => {
    await submit({ maxexectime: 0 });
    const a = await assign();
    expect(a.execdeadline).toBe('0001-01-01T00:00:00Z');
    await t.call('closesuccessfulmsg', { processid: a.processid }, c.executor);
    await clear();
  });
});

describe('matching', () => {
  it('by executor type, names ("*" = any) and priority, then FIFO', async () => {
    const other = await submit({}, { executortype: 'other' });
    const elsewhere = await submit({ priority: 10 }, { executornames: ['someone-else'] });
    const low = await submit({ priority: -5 });
    const first = await submit();
    const named = await submit({}, { executornames: [c.executor.name] });
    const star = await submit({}, { executornames: ['*'] });
    const high = await submit({ priority: 3 });
    const order = [];
    for (let i = 0; i < 5; i++) order.push((await assign()).processid);
    expect(order).toEqual([high.processid, first.processid, named.processid, star.processid, low.processid]);
    expect(await assignFails()).toEqual(NOTHING);
    const someone = await addExecutor('someone-else');
    expect((await assign(someone)).processid).toBe(elsewhere.processid);
    const otherEx = await addExecutor('other-ex', 'other');
    expect((await assign(otherEx)).processid).toBe(other.processid);
    await t.call('removeallprocessesmsg', { colonyname: COLONY, state: -1 }, c.owner);
  });

  it('by location, case-insensitively; an executor without location only takes location-less processes', async () => {
    const home = await addExecutor('ex-home', TYPE, 'Home');
    const away = await submit({}, { locationname: 'AWAY' });
    const near = await submit({}, { locationname: 'HOME' });
    expect(await assignFails()).toEqual(NOTHING);
    expect((await assign(home)).processid).toBe(near.processid);
    expect(await assignFails(home)).toEqual(NOTHING);
    expect((await t.call('getprocessmsg', { processid: away.processid }, c.user)).state).toBe(0);
    const anywhere = await submit();
    expect((await assign(home)).processid).toBe(anywhere.processid);
    await t.call('removeallprocessesmsg', { colonyname: COLONY, state: -1 }, c.owner);
  });

  it('by cpu and memory ("" = unlimited; cores or millicores; any memory unit)', async () => {
    const big = await submit({}, { cpu: '500m', mem: '1Gi' });
    expect(await assignFails(c.executor, { availablecpu: '100m' })).toEqual(NOTHING);
    expect(await assignFails(c.executor, { availablecpu: '1', availablemem: '512Mi' })).toEqual(NOTHING);
    expect(await assignFails(c.executor, { availablecpu: '0.4' })).toEqual(NOTHING);
    expect((await assign(c.executor, { availablecpu: '0.5', availablemem: '1073741824' })).processid).toBe(big.processid);
    const small = await submit();
    expect((await assign(c.executor, { availablecpu: '0m', availablemem: '0' })).processid).toBe(small.processid);
    const any = await submit({}, { cpu: '64', mem: '1Ti' });
    expect((await assign()).processid).toBe(any.processid);
    await t.call('removeallprocessesmsg', { colonyname: COLONY, state: -1 }, c.owner);
  });

  it('never hands out processes with more than 127 nodes/processes', async () => {
    const huge = await submit({}, { nodes: 128 });
    await submit({}, { processespernode: 200 });
    expect(await assignFails()).toEqual(NOTHING);
    expect((await t.call('getprocessmsg', { processid: huge.processid }, c.user)).state).toBe(0);
    await clear();
  });
});

describe('long poll', () => {
  it('an executor parked in assign receives a process submitted later', async () => {
    const parked = assign(c.executor, { timeout: 20 });
    await sleep(200);
    const p = await submit();
    expect((await parked).processid).toBe(p.processid);
    await t.call('closesuccessfulmsg', { processid: p.processid }, c.executor);
  });

  it('a burst wakes every parked executor (chained wake-ups)', async () => {
    const keys = [c.executor, await addExecutor('burst-1'), await addExecutor('burst-2')];
    const parked = keys.map((k) => assign(k, { timeout: 20 }));
    await sleep(200);
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) ids.add((await submit()).processid);
    const got = await Promise.all(parked);
    expect(new Set(got.map((p: any) => p.processid))).toEqual(ids);
    expect(new Set(got.map((p: any) => p.assignedexecutorid)).size).toBe(3);
    await clear();
  });

  it('one wake-up for several waiting processes still drains them all (the chain goes on while more is waiting)', async () => {
    const keys = [c.executor, await addExecutor('chain-1'), await addExecutor('chain-2')];
    const parked = keys.map((k) => assign(k, { timeout: 20 }));
    await waitFor(async () => t.server.srv.waiters.size >= 3, 10_000, 20);
    // three processes stored without their events, then a single event
    const rows = [0, 1, 2].map(() =>
      newProcessRow(FunctionSpecSchema.parse({ funcname: 'f', maxexectime: -1, conditions: { colonyname: COLONY, executortype: TYPE } }), {
        initiatorid: c.user.id,
        initiatorname: c.user.name,
        now: nowNs(),
      }),
    );
    await insertProcesses(t.server.srv.db, rows);
    t.server.srv.bus.publish({ kind: 'process', processid: rows[0].processid, colonyname: COLONY, executortype: TYPE, state: 0 });
    const got = await Promise.all(parked);
    expect(new Set(got.map((p: any) => p.processid))).toEqual(new Set(rows.map((r) => r.processid)));
    await clear();
  });

  it('the statement asks whether more is waiting only when another executor is parked here', async () => {
    const db = t.server.srv.db;
    const rows = [0, 1, 2].map(() =>
      newProcessRow(FunctionSpecSchema.parse({ funcname: 'f', maxexectime: -1, conditions: { colonyname: COLONY, executortype: TYPE } }), {
        initiatorid: c.user.id,
        initiatorname: c.user.name,
        now: nowNs(),
      }),
    );
    await insertProcesses(db, rows);
    const params = { executorid: c.executor.id, colonyname: COLONY, cpu: 1n << 62n, mem: 1n << 62n };
    const first = await assignNext(db, { ...params, now: nowNs(), wantMore: false });
    expect(first).toMatchObject({ kind: 'assigned', more: false }); // two were still waiting
    const second = await assignNext(db, { ...params, now: nowNs(), wantMore: true });
    expect(second).toMatchObject({ kind: 'assigned', more: true });
    expect(await assignNext(db, { ...params, now: nowNs(), wantMore: true })).toMatchObject({ kind: 'assigned', more: false });

    // what the server passes: executors parked in the colony, not counting the caller itself
    const waiters = t.server.srv.waiters;
    expect(waiters.parkedIn(COLONY)).toBe(0);
    const self = waiters.park(COLONY, TYPE, Date.now() + 10_000);
    const other = waiters.park(COLONY, 'another-type', Date.now() + 10_000);
    expect(waiters.parkedIn(COLONY)).toBe(2);
    expect(waiters.parkedIn('another-colony')).toBe(0);
    expect(self.active).toBe(true);
    other.cancel();
    expect(other.active).toBe(false);
    expect(waiters.parkedIn(COLONY)).toBe(1);
    self.cancel();
    expect(waiters.parkedIn(COLONY)).toBe(0);
    await clear();
  });

  it('when nothing else is waiting, an assignment wakes nobody else (no empty attempts)', async () => {
    const other = await addExecutor('idle-1');
    const db = t.server.srv.db;
    const query = db.query.bind(db);
    // assignments made: by an assign statement, or by a submit handing its process to an asleep executor
    let assigns = 0;
    db.query = (async (sql: string, params?: unknown[]) => {
      if (sql.startsWith('WITH ex AS') || sql.includes(ASSIGN_BATCH_FUNCTION)) assigns++; // one attempt, or several grouped
      const rows = await query(sql, params);
      if (sql.includes('AS handed') && (rows[0] as { handed?: string } | undefined)?.handed) assigns++;
      return rows;
    }) as typeof db.query;
    try {
      const parked = [c.executor, other].map((k) => assign(k, { timeout: 4 }).catch((e: Error) => e));
      // asleep, not merely parked: an executor parks before its second attempt, which may still
      // be on its way to the database when both are parked
      await waitFor(async () => t.server.srv.waiters.asleep >= 2, 10_000, 20);
      const before = assigns; // each made its attempts
      const p = await submit();
      await waitFor(async () => t.server.srv.waiters.size <= 1, 10_000, 20);
      await sleep(200);
      expect(assigns - before).toBe(1); // the woken one took it; the other still sleeps
      expect(t.server.srv.waiters.size).toBe(1);
      const got = (await Promise.all(parked)).filter((r: any) => r.processid === p.processid);
      expect(got.length).toBe(1);
    } finally {
      db.query = query;
    }
    await clear();
  });

  it('times out with 404 after the requested seconds', async () => {
    expect(await assignFails(c.executor, { timeout: 1 })).toEqual(NOTHING);
  });

  it('a client that goes away stops waiting', async () => {
    const body = buildRequest('assignprocessmsg', { colonyname: COLONY, timeout: 30 }, c.executor.prv, browserCrypto);
    const ac = new AbortController();
    const req = fetch(`${t.url}/api`, { method: 'POST', body, signal: ac.signal }).catch((e) => e);
    const waiters = t.server.srv.waiters;
    await waitFor(async () => waiters.size > 0, 10_000, 20);
    expect(waiters.size).toBe(1);
    ac.abort();
    await req;
    await waitFor(async () => waiters.size === 0, 10_000, 20);
    expect(waiters.size).toBe(0);
  });
});

describe('pause / resume', () => {
  it('503 without timeout, 408 when the timeout expires, and resume wakes a parked executor', async () => {
    const p = await submit();
    await t.call('pauseassignmentsmsg', { colonyname: COLONY }, c.owner);
    try {
      expect(await assignFails()).toEqual({ status: 503, message: 'No processes available: colony assignments are paused' });
      expect(await assignFails(c.executor, { timeout: 1 })).toEqual({ status: 408, message: 'Assignment timeout: colony assignments are paused' });
      expect((await t.call('getprocessmsg', { processid: p.processid }, c.user)).state).toBe(0);
      const parked = assign(c.executor, { timeout: 20 });
      await sleep(200);
      await t.call('resumeassignmentsmsg', { colonyname: COLONY }, c.owner);
      expect((await parked).processid).toBe(p.processid);
    } finally {
      await t.call('resumeassignmentsmsg', { colonyname: COLONY }, c.owner);
    }
    await t.call('closesuccessfulmsg', { processid: p.processid }, c.executor);
  });
});

describe('workflow children', () => {
  it('get the concatenated output of their parents as input, in parent order', async () => {
    const node = (nodename: string, dependencies: string[] = []) => ({
      nodename,
      funcname: nodename,
      maxexectime: -1,
      conditions: { colonyname: COLONY, executortype: TYPE, dependencies },
    });
    await t.call('submitworkflowspecmsg', { spec: { colonyname: COLONY, functionspecs: [node('a'), node('b'), node('c', ['a', 'b'])] } }, c.user);
    const roots = [await assign(), await assign()];
    expect(await assignFails()).toEqual(NOTHING);
    const byName = Object.fromEntries(roots.map((p: any) => [p.spec.nodename, p]));
    await t.call('closesuccessfulmsg', { processid: byName.b.processid, out: ['from-b', { k: 1 }] }, c.executor);
    await t.call('closesuccessfulmsg', { processid: byName.a.processid, out: ['from-a'] }, c.executor);
    const child = await assign();
    expect(child.spec.nodename).toBe('c');
    expect(child.in).toEqual(['from-a', 'from-b', { k: 1 }]);
    expect(child.args).toBeUndefined();
    expect(child.spec.args).toEqual([]);
    await t.call('closesuccessfulmsg', { processid: child.processid }, c.executor);
  });
});
