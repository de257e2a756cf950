// Executor RPCs (PROTOCOL §6.3, SEMANTICS §3, OBJECTS §4) and the stale-executor sweep.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../src/server/events.js';
import { sweepStaleExecutors } from '../../src/server/handlers/executors.js';
import { newKey, setupColony, startTestServer, type Cast, type Key, type TestServer } from '../helpers/server.js';
import { count, insertProcess, processRow } from '../helpers/rows.js';

const shapes = JSON.parse(readFileSync(new URL('../vectors/json-shapes.json', import.meta.url), 'utf8'));

let t: TestServer;
let n = 0;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.close());

const fresh = () => setupColony(t, `ex${++n}`);

async function addExecutor(c: Cast, name: string, extra: Record<string, unknown> = {}, server = t): Promise<Key & { reply: any }> {
  const k = newKey();
  const reply = await server.call(
    'addexecutormsg',
    { executor: { executorid: k.id, executortype: 'test-executor', executorname: name, colonyname: c.colonyName, ...extra } },
    c.owner,
  );
  return { ...k, reply };
}

const getEx = (c: Cast, name: string, server = t) => server.call('getexecutormsg', { colonyname: c.colonyName, executorname: name }, c.user);

describe('addexecutormsg', () => {
  it('stores a PENDING executor with a fresh commission time, in Go field order', async () => {
    const c = await fresh();
    const before = Date.now();
    const e = await addExecutor(c, 'w1', { state: 1, lastheardfromtime: '0001-01-01T00:00:00Z', commissiontime: '2001-01-01T00:00:00Z' });
    expect(e.reply).toMatchObject({ executorid: e.id, executortype: 'test-executor', executorname: 'w1', colonyname: c.colonyName, state: 0 });
    expect(Object.keys(e.reply)).toEqual(Object.keys(shapes.Executor_minimal));
    expect(e.reply.capabilities).toEqual({ hardware: null, software: null });
    expect(e.reply.allocations).toEqual({ projects: null });
    expect(e.reply.lastheardfromtime).toBe('0001-01-01T00:00:00Z');
    const commissioned = Date.parse(e.reply.commissiontime);
    expect(commissioned).toBeGreaterThanOrEqual(before - 1);
    expect(commissioned).toBeLessThanOrEqual(Date.now() + 1);
    expect(await getEx(c, 'w1')).toEqual(e.reply);
  });

  it('keeps location, capabilities, allocations and blueprint fields (full shape)', async () => {
    const c = await fresh();
    const full = shapes.Executor_full;
    const e = await addExecutor(c, 'full', {
      locationname: full.locationname,
      capabilities: full.capabilities,
      allocations: full.allocations,
      blueprintid: full.blueprintid,
      blueprintgen: full.blueprintgen,
      requirefuncreg: true,
    });
    expect(Object.keys(e.reply)).toEqual(Object.keys(full));
    expect(e.reply).toMatchObject({
      locationname: full.locationname,
      capabilities: full.capabilities,
      allocations: full.allocations,
      blueprintid: 'bp1',
      blueprintgen: 3,
      requirefuncreg: true,
    });
    expect(Object.keys(e.reply.capabilities.hardware[0])).toEqual(Object.keys(full.capabilities.hardware[0]));
    expect(await getEx(c, 'full')).toEqual(e.reply);
  });

  it('refuses non-owners, a null executor and taken names; nothing is added', async () => {
    const c = await fresh();
    const k = newKey();
    const msg = { executor: { executorid: k.id, executortype: 't', executorname: c.executor.name, colonyname: c.colonyName } };
    expect(await t.fail('addexecutormsg', { executor: { ...msg.executor, executorname: 'x' } }, c.user)).toEqual({
      status: 403,
      message: 'Access denied, not colony owner',
    });
    expect(await t.fail('addexecutormsg', { executor: null }, c.owner)).toEqual({ status: 400, message: 'Failed to add executor, executor is nil' });
    expect(await t.fail('addexecutormsg', msg, c.owner)).toEqual({
      status: 400,
      message: `Executor with name <${c.executor.name}> in Colony <${c.colonyName}> already exists`,
    });
    expect((await t.fail('addexecutormsg', { executor: { ...msg.executor, colonyname: 'nope' } }, c.owner)).status).toBe(403);
    const list = await t.call('getexecutorsmsg', { colonyname: c.colonyName }, c.user);
    expect(list.map((e: any) => [e.executorname, e.executorid])).toEqual([[c.executor.name, c.executor.id]]);
  });

  it('a removed name stays taken while re-registration is off', async () => {
    const c = await fresh();
    await addExecutor(c, 'w');
    await t.call('removeexecutormsg', { colonyname: c.colonyName, executorname: 'w' }, c.owner);
    expect(await t.fail('addexecutormsg', { executor: { executorid: newKey().id, executortype: 't', executorname: 'w', colonyname: c.colonyName } }, c.owner)).toEqual({
      status: 400,
      message: `Executor with name <w> in Colony <${c.colonyName}> already exists`,
    });
    expect((await getEx(c, 'w')).state).toBe(3);
  });
});

describe('COLONIES_ALLOW_EXECUTOR_REREGISTER=true', () => {
  it('re-adding a name unregisters the old executor and reactivates the row with the new identity', async () => {
    // the handler reads the switch per call; flipping it here saves starting a second server
    const config = t.server.srv.config;
    config.allowExecutorReregister = true;
    try {
      const c = await fresh();
      const db = t.server.srv.db;
      await t.call('addfunctionmsg', { fun: { executorname: c.executor.name, colonyname: c.colonyName, funcname: 'f' } }, c.executor);
      const running = await insertProcess(db, { colonyname: c.colonyName, state: 1, assignedexecutorid: c.executor.id });
      const before = await getEx(c, c.executor.name);
      const next = newKey();
      const reply = await t.call(
        'addexecutormsg',
        { executor: { executorid: next.id, executortype: 'other-type', executorname: c.executor.name, colonyname: c.colonyName, locationname: 'lab' } },
        c.owner,
      );
      expect(reply).toMatchObject({ executorid: next.id, executortype: 'other-type', state: 0, locationname: 'lab' });
      expect(Date.parse(reply.commissiontime)).toBeGreaterThan(Date.parse(before.commissiontime));
      expect(await count(db, 'executors WHERE colonyname = $1', [c.colonyName])).toBe(1);
      expect(await count(db, 'functions WHERE colonyname = $1', [c.colonyName])).toBe(0);
      expect(await processRow(db, running)).toMatchObject({ state: 0, isassigned: false, assignedexecutorid: '' });
      // the old key is no longer a member; the new one is pending until approved
      expect((await t.fail('getcolonymsg', { colonyname: c.colonyName }, c.executor)).status).toBe(403);
      expect((await t.fail('getcolonymsg', { colonyname: c.colonyName }, next)).status).toBe(403);
      await t.call('approveexecutormsg', { colonyname: c.colonyName, executorname: c.executor.name }, c.owner);
      await t.call('getcolonymsg', { colonyname: c.colonyName }, next);
    } finally {
      config.allowExecutorReregister = false;
    }
  });
});

describe('getexecutorsmsg / getexecutormsg / getexecutorbyidmsg', () => {
  it('lists all states for any registered member (M*)', async () => {
    const c = await fresh();
    const p = await addExecutor(c, 'pend');
    const list = await t.call('getexecutorsmsg', { colonyname: c.colonyName }, p);
    expect(list.map((e: any) => [e.executorname, e.state])).toEqual([
      [c.executor.name, 1],
      ['pend', 0],
    ]);
    expect((await t.fail('getexecutorsmsg', { colonyname: c.colonyName }, c.owner)).status).toBe(403);
    expect((await t.fail('getexecutorsmsg', { colonyname: c.colonyName }, newKey())).status).toBe(403);
  });

  it('lists null for a colony without executors', async () => {
    const owner = newKey();
    await t.call('addcolonymsg', { colony: { colonyid: owner.id, name: 'noexec' } }, t.serverKey);
    const u = newKey();
    await t.call('addusermsg', { user: { colonyname: 'noexec', userid: u.id, name: 'u' } }, owner);
    expect(await t.call('getexecutorsmsg', { colonyname: 'noexec' }, u)).toBeNull();
  });

  it('getexecutormsg: approved members; unknown is a 500 as in Go', async () => {
    const c = await fresh();
    const p = await addExecutor(c, 'pend');
    expect((await t.call('getexecutormsg', { colonyname: c.colonyName, executorname: 'pend' }, c.executor)).executorid).toBe(p.id);
    expect((await t.fail('getexecutormsg', { colonyname: c.colonyName, executorname: 'pend' }, p)).status).toBe(403);
    expect(await t.fail('getexecutormsg', { colonyname: c.colonyName, executorname: 'nope' }, c.user)).toEqual({
      status: 500,
      message: 'Failed to get executor, executor is nil',
    });
  });

  it('getexecutorbyidmsg: finds by id; unknown is 404', async () => {
    const c = await fresh();
    const other = await fresh();
    const ex = await t.call('getexecutorbyidmsg', { colonyname: '', executorid: c.executor.id }, c.user);
    expect(ex.executorname).toBe(c.executor.name);
    expect((await t.fail('getexecutorbyidmsg', { colonyname: c.colonyName, executorid: c.executor.id }, other.user)).status).toBe(403);
    expect(await t.fail('getexecutorbyidmsg', { colonyname: c.colonyName, executorid: newKey().id }, c.user)).toEqual({
      status: 404,
      message: 'Failed to get executor by ID, executor is nil',
    });
  });
});

describe('approve / reject / remove', () => {
  it('set the state; owner only; unknown executor is 500', async () => {
    const c = await fresh();
    await addExecutor(c, 'w');
    const state = async () => (await getEx(c, 'w')).state;
    for (const [type, verb] of [
      ['approveexecutormsg', 'approve'],
      ['rejectexecutormsg', 'reject'],
      ['removeexecutormsg', 'remove'],
    ]) {
      expect(await t.fail(type, { colonyname: c.colonyName, executorname: 'w' }, c.user)).toEqual({ status: 403, message: 'Access denied, not colony owner' });
      expect(await t.fail(type, { colonyname: c.colonyName, executorname: 'nope' }, c.owner)).toEqual({
        status: 500,
        message: `Failed to ${verb} executor, executor is nil`,
      });
    }
    expect(await state()).toBe(0);
    expect(await t.call('approveexecutormsg', { colonyname: c.colonyName, executorname: 'w' }, c.owner)).toEqual({});
    expect(await state()).toBe(1);
    await t.call('rejectexecutormsg', { colonyname: c.colonyName, executorname: 'w' }, c.owner);
    expect(await state()).toBe(2);
    await t.call('removeexecutormsg', { colonyname: c.colonyName, executorname: 'w' }, c.owner);
    expect(await state()).toBe(3);
    // Go quirk kept: approving an unregistered executor re-activates it
    await t.call('approveexecutormsg', { colonyname: c.colonyName, executorname: 'w' }, c.owner);
    expect(await state()).toBe(1);
  });

  it('remove requeues the executor running processes, deletes its functions and publishes WAITING', async () => {
    const c = await fresh();
    const db = t.server.srv.db;
    await t.call('addfunctionmsg', { fun: { executorname: c.executor.name, colonyname: c.colonyName, funcname: 'f' } }, c.executor);
    const running = await insertProcess(db, { colonyname: c.colonyName, state: 1, assignedexecutorid: c.executor.id, executornames: [c.executor.name] });
    const done = await insertProcess(db, { colonyname: c.colonyName, state: 2, assignedexecutorid: c.executor.id });
    const w2 = await addExecutor(c, 'w2');
    const othersRunning = await insertProcess(db, { colonyname: c.colonyName, state: 1, assignedexecutorid: w2.id });
    const events: ServerEvent[] = [];
    const off = t.server.srv.bus.on((e) => events.push(e));
    try {
      await t.call('removeexecutormsg', { colonyname: c.colonyName, executorname: c.executor.name }, c.owner);
    } finally {
      off();
    }
    expect(await processRow(db, running)).toEqual({ state: 0, isassigned: false, assignedexecutorid: '', starttime: 0n, endtime: 0n });
    expect(await processRow(db, done)).toMatchObject({ state: 2, assignedexecutorid: c.executor.id });
    expect(await processRow(db, othersRunning)).toMatchObject({ state: 1, assignedexecutorid: w2.id });
    expect(await count(db, 'functions WHERE colonyname = $1', [c.colonyName])).toBe(0);
    // on PostgreSQL other test servers' events may arrive through NOTIFY: look at this colony only
    expect(events.filter((e) => e.kind === 'process' && e.colonyname === c.colonyName)).toEqual([
      { kind: 'process', processid: running, colonyname: c.colonyName, executortype: 'test-executor', state: 0, targeted: true, processgraphid: undefined },
    ]);
    // the removed executor is no longer an approved member
    expect((await t.fail('getcolonymsg', { colonyname: c.colonyName }, c.executor)).status).toBe(403);
  });
});

describe('reportallocationmsg / updateexecutormsg', () => {
  const allocations = { projects: { p1: { allocatedcpu: 1, usedcpu: 2, allocatedgpu: 3, usedgpu: 4, allocatedstorage: 5, usedstorage: 6 } } };
  const capabilities = { hardware: [{ model: 'new', cpu: '1000m' }], software: [{ name: 's', type: 't', version: '1' }] };

  it('the executor itself (any state) updates its own record', async () => {
    const c = await fresh();
    const p = await addExecutor(c, 'pend');
    expect(await t.call('reportallocationmsg', { colonyname: c.colonyName, executorname: 'pend', allocations }, p)).toEqual({});
    expect(await t.call('updateexecutormsg', { colonyname: c.colonyName, executorname: 'pend', capabilities }, p)).toEqual({});
    const ex = await getEx(c, 'pend');
    expect(ex.allocations).toEqual(allocations);
    expect(ex.capabilities.software).toEqual(capabilities.software);
    expect(ex.capabilities.hardware[0]).toEqual({
      model: 'new',
      nodes: 0,
      cpu: '1000m',
      cores: 0,
      mem: '',
      storage: '',
      gpu: { name: '', mem: '', count: 0, nodecount: 0 },
      platform: '',
      architecture: '',
      network: null,
    });
  });

  it('others are refused and nothing changes', async () => {
    const c = await fresh();
    await addExecutor(c, 'w');
    const target = { colonyname: c.colonyName, executorname: 'w' };
    expect(await t.fail('reportallocationmsg', { ...target, allocations }, c.executor)).toEqual({
      status: 400,
      message: 'Only an executor can report allocations to itself',
    });
    expect(await t.fail('updateexecutormsg', { ...target, capabilities }, c.user)).toEqual({
      status: 400,
      message: 'Only an executor can update its own capabilities',
    });
    expect(await t.fail('updateexecutormsg', { ...target, executorname: 'nope', capabilities }, c.executor)).toEqual({
      status: 400,
      message: 'Executor with name <nope> does not exist',
    });
    expect((await t.fail('reportallocationmsg', { ...target, allocations }, newKey())).status).toBe(403);
    const ex = await getEx(c, 'w');
    expect(ex.allocations).toEqual({ projects: null });
    expect(ex.capabilities).toEqual({ hardware: null, software: null });
  });
});

describe('changeexecutoridmsg', () => {
  it('the calling executor rotates its own id', async () => {
    const c = await fresh();
    const next = newKey();
    expect(await t.call('changeexecutoridmsg', { colonyname: c.colonyName, executorid: next.id }, c.executor)).toEqual({
      msgtype: 'changeexecutoridmsg',
      colonyname: c.colonyName,
      executorid: next.id,
    });
    expect((await getEx(c, c.executor.name)).executorid).toBe(next.id);
    await t.call('getcolonymsg', { colonyname: c.colonyName }, next);
    expect((await t.fail('getcolonymsg', { colonyname: c.colonyName }, c.executor)).status).toBe(403);
  });

  it('refuses empty/short ids, non-executors and strangers; the id stays', async () => {
    const c = await fresh();
    const msg = (executorid: string) => ({ colonyname: c.colonyName, executorid });
    expect(await t.fail('changeexecutoridmsg', msg(''), c.executor)).toEqual({ status: 400, message: 'Failed to change executor Id, executor Id is empty' });
    expect(await t.fail('changeexecutoridmsg', msg('abc'), c.executor)).toEqual({
      status: 400,
      message: 'Failed to change executor Id, new executor Id is not 64 characters',
    });
    expect(await t.fail('changeexecutoridmsg', msg(newKey().id), c.user)).toEqual({ status: 400, message: 'Failed to change executor Id, executor not found' });
    expect((await t.fail('changeexecutoridmsg', msg(newKey().id), newKey())).status).toBe(403);
    expect((await getEx(c, c.executor.name)).executorid).toBe(c.executor.id);
  });
});

describe('one key, one live executor per colony (differs from Go, which does not check)', () => {
  const idTaken = (c: Cast, id: string) => ({ status: 400, message: `An executor with Id <${id}> already exists in Colony with name <${c.colonyName}>` });

  it('a removed executor\'s key re-added under a new name acts as the new executor, not the removed row', async () => {
    const c = await fresh();
    await t.call('removeexecutormsg', { colonyname: c.colonyName, executorname: c.executor.name }, c.owner);
    await t.call(
      'addexecutormsg',
      { executor: { executorid: c.executor.id, executortype: c.executor.type, executorname: 'again', colonyname: c.colonyName } },
      c.owner,
    );
    await t.call('approveexecutormsg', { colonyname: c.colonyName, executorname: 'again' }, c.owner);
    const spec = { funcname: 'f', maxexectime: -1, conditions: { colonyname: c.colonyName, executortype: c.executor.type } };
    const submitted = await t.call('submitfuncspecmsg', { spec }, c.executor);
    expect(submitted.initiatorname).toBe('again');
    const assigned = await t.call('assignprocessmsg', { colonyname: c.colonyName, timeout: -1 }, c.executor);
    expect(assigned.processid).toBe(submitted.processid);
    expect(Date.parse((await getEx(c, 'again')).lastheardfromtime)).toBeGreaterThan(0);
    expect((await getEx(c, c.executor.name)).state).toBe(3);
    expect(await t.call('getexecutorbyidmsg', { colonyname: c.colonyName, executorid: c.executor.id }, c.user)).toMatchObject({ executorname: 'again', state: 1 });
    const next = newKey();
    await t.call('changeexecutoridmsg', { colonyname: c.colonyName, executorid: next.id }, c.executor);
    expect((await getEx(c, 'again')).executorid).toBe(next.id);
    expect((await getEx(c, c.executor.name)).executorid).toBe(c.executor.id);
  });

  it('an executor cannot take the id of another live executor; the ids stay and both keep working', async () => {
    const c = await fresh();
    const pending = await addExecutor(c, 'pending');
    expect(await t.fail('changeexecutoridmsg', { colonyname: c.colonyName, executorid: c.executor.id }, pending)).toEqual(idTaken(c, c.executor.id));
    expect((await getEx(c, 'pending')).executorid).toBe(pending.id);
    expect((await getEx(c, c.executor.name)).executorid).toBe(c.executor.id);
    expect((await t.fail('assignprocessmsg', { colonyname: c.colonyName, timeout: -1 }, c.executor)).status).toBe(404);
    // a removed executor's id is free to take
    const removed = await addExecutor(c, 'removed');
    await t.call('removeexecutormsg', { colonyname: c.colonyName, executorname: 'removed' }, c.owner);
    await t.call('changeexecutoridmsg', { colonyname: c.colonyName, executorid: removed.id }, pending);
    expect((await getEx(c, 'pending')).executorid).toBe(removed.id);
  });

  it('addexecutormsg refuses an id a live executor of the colony holds, and stores nothing', async () => {
    const c = await fresh();
    const msg = { executor: { executorid: c.executor.id, executortype: 't', executorname: 'twin', colonyname: c.colonyName } };
    expect(await t.fail('addexecutormsg', msg, c.owner)).toEqual(idTaken(c, c.executor.id));
    expect(await count(t.server.srv.db, 'executors WHERE colonyname = $1', [c.colonyName])).toBe(1);
    // the same id in another colony is fine (ids are per colony), and so is re-registering one's own name
    const other = await fresh();
    await t.call('addexecutormsg', { executor: { ...msg.executor, colonyname: other.colonyName } }, other.owner);
    const config = t.server.srv.config;
    config.allowExecutorReregister = true;
    try {
      await t.call('addexecutormsg', { executor: { ...msg.executor, executorname: c.executor.name } }, c.owner);
    } finally {
      config.allowExecutorReregister = false;
    }
    expect(await getEx(c, c.executor.name)).toMatchObject({ executorid: c.executor.id, executortype: 't', state: 0 });
  });
  it('two adds (or an add and an id change) racing for one key: one wins, the other is refused', async () => {
    for (let round = 0; round < 8; round++) {
      const c = await fresh();
      const k = newKey();
      const add = (name: string) =>
        t.call('addexecutormsg', { executor: { executorid: k.id, executortype: 't', executorname: name, colonyname: c.colonyName } }, c.owner).then(
          () => 'ok',
          (e: Error) => e.message,
        );
      const change = t.call('changeexecutoridmsg', { colonyname: c.colonyName, executorid: k.id }, c.executor).then(
        () => 'ok',
        (e: Error) => e.message,
      );
      const outcomes = await Promise.all([add('a'), add('b'), change]);
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
      expect(outcomes.filter((o) => o !== 'ok').every((o) => o.includes(`An executor with Id <${k.id}> already exists`))).toBe(true);
      const holders = await t.server.srv.db.query('SELECT executorname FROM executors WHERE colonyname = $1 AND executorid = $2 AND state <> 3', [c.colonyName, k.id]);
      expect(holders).toHaveLength(1);
    }
  });
});

describe('stale executor sweep', () => {
  it('unregisters executors not heard from within the duration, requeues their work, skips never-seen ones', async () => {
    const c = await fresh();
    const db = t.server.srv.db;
    const stale = await addExecutor(c, 'stale');
    const alive = await addExecutor(c, 'alive');
    await addExecutor(c, 'never');
    for (const name of ['stale', 'alive', 'never']) await t.call('approveexecutormsg', { colonyname: c.colonyName, executorname: name }, c.owner);
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    await db.query('UPDATE executors SET lastheardfromtime = $3 WHERE colonyname = $1 AND executorname = $2', [c.colonyName, 'stale', nowNs - 120_000_000_000n]);
    await db.query('UPDATE executors SET lastheardfromtime = $3 WHERE colonyname = $1 AND executorname = $2', [c.colonyName, 'alive', nowNs]);
    const running = await insertProcess(db, { colonyname: c.colonyName, state: 1, assignedexecutorid: stale.id });
    const alivesRun = await insertProcess(db, { colonyname: c.colonyName, state: 1, assignedexecutorid: alive.id });

    // with the default 600 s nobody is stale
    expect(await sweepStaleExecutors(t.server.srv)).toBe(0);
    expect((await getEx(c, 'stale')).state).toBe(1);

    expect(await sweepStaleExecutors(t.server.srv, 60)).toBe(1);
    const states = Object.fromEntries(
      (await t.call('getexecutorsmsg', { colonyname: c.colonyName }, c.user)).map((e: any) => [e.executorname, e.state]),
    );
    expect(states).toEqual({ [c.executor.name]: 1, stale: 3, alive: 1, never: 1 });
    expect(await processRow(db, running)).toMatchObject({ state: 0, assignedexecutorid: '' });
    expect(await processRow(db, alivesRun)).toMatchObject({ state: 1, assignedexecutorid: alive.id });
    // already unregistered executors are not swept again
    expect(await sweepStaleExecutors(t.server.srv, 60)).toBe(0);
    void stale;
  });
});
