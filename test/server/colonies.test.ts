// Colony RPCs (PROTOCOL §6.2, SEMANTICS §2, §16, DECISIONS "removing a colony").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRequest, decodeReply } from '../../src/protocol/envelope.js';
import { browserCrypto } from '../../src/crypto/index.js';
import type { ServerEvent } from '../../src/server/events.js';
import { onColonyRemoval } from '../../src/store/colonies.js';
import { newKey, setupColony, startTestServer, type TestServer } from '../helpers/server.js';
import { count, insertGraph, insertProcess } from '../helpers/rows.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.close());

const colonies = () => t.call<{ name: string; colonyid: string }[] | null>('getcoloniesmsg', {}, t.serverKey);

describe('addcolonymsg / getcoloniesmsg', () => {
  it('lists null before any colony exists', async () => {
    expect(await colonies()).toBeNull();
  });

  it('adds a colony and lists it', async () => {
    const owner = newKey();
    expect(await t.call('addcolonymsg', { colony: { colonyid: owner.id, name: 'alpha' } }, t.serverKey)).toEqual({ colonyid: owner.id, name: 'alpha' });
    expect(await colonies()).toEqual([{ colonyid: owner.id, name: 'alpha' }]);
  });

  it('refuses non-owners, bad ids, duplicates and a null colony; nothing is added', async () => {
    const owner = newKey();
    expect(await t.fail('addcolonymsg', { colony: { colonyid: owner.id, name: 'beta' } }, owner)).toEqual({
      status: 403,
      message: 'Access denied, not server owner',
    });
    expect(await t.fail('addcolonymsg', { colony: { colonyid: 'abc', name: 'beta' } }, t.serverKey)).toEqual({
      status: 400,
      message: 'Failed to add colony, invalid colony Id length',
    });
    expect(await t.fail('addcolonymsg', { colony: { colonyid: owner.id, name: 'alpha' } }, t.serverKey)).toEqual({
      status: 400,
      message: 'A Colony with name <alpha> already exists',
    });
    expect(await t.fail('addcolonymsg', { colony: null }, t.serverKey)).toEqual({ status: 400, message: 'Failed to add colony, colony is <nil>' });
    expect((await colonies())!.map((c) => c.name)).toEqual(['alpha']);
  });

  it('getcoloniesmsg is for the server owner only', async () => {
    expect(await t.fail('getcoloniesmsg', {}, newKey())).toEqual({ status: 403, message: 'Access denied, not server owner' });
  });
});

describe('getcolonymsg', () => {
  it('answers approved members only (the owner is not a member)', async () => {
    const c = await setupColony(t, 'gc');
    const expected = { colonyid: c.owner.id, name: 'gc' };
    expect(await t.call('getcolonymsg', { colonyname: 'gc' }, c.executor)).toEqual(expected);
    expect(await t.call('getcolonymsg', { colonyname: 'gc' }, c.user)).toEqual(expected);
    expect((await t.fail('getcolonymsg', { colonyname: 'gc' }, c.owner)).status).toBe(403);
    const pending = newKey();
    await t.call('addexecutormsg', { executor: { executorid: pending.id, executortype: 't', executorname: 'p', colonyname: 'gc' } }, c.owner);
    expect((await t.fail('getcolonymsg', { colonyname: 'gc' }, pending)).status).toBe(403);
    expect((await t.fail('getcolonymsg', { colonyname: 'nope' }, c.user)).status).toBe(403);
  });
});

describe('getcolonystatsmsg', () => {
  it('counts the colony only, all 14 counters', async () => {
    const c = await setupColony(t, 'st');
    const other = await setupColony(t, 'st2');
    const gone = newKey();
    await t.call('addexecutormsg', { executor: { executorid: gone.id, executortype: 't', executorname: 'gone', colonyname: 'st' } }, c.owner);
    await t.call('removeexecutormsg', { colonyname: 'st', executorname: 'gone' }, c.owner);
    const db = t.server.srv.db;
    for (const state of [0, 1, 2, 2, 3, 4, 4]) await insertProcess(db, { colonyname: 'st', state, assignedexecutorid: c.executor.id });
    await insertProcess(db, { colonyname: 'st2', state: 0 });
    for (const state of [0, 0, 1, 2, 3, 4, 4, 4]) await insertGraph(db, 'st', state);
    await insertGraph(db, 'st2', 2);
    expect(await t.call('getcolonystatsmsg', { colonyname: 'st' }, c.user)).toEqual({
      colonies: 1,
      executors: 2,
      activeexecutors: 1,
      unregisteredexecutors: 1,
      waitingprocesses: 1,
      runningprocesses: 1,
      successfulprocesses: 2,
      failedprocesses: 1,
      cancelledprocesses: 2,
      waitingworkflows: 2,
      runningworkflows: 1,
      successfulworkflows: 1,
      failedworkflows: 1,
      cancelledworkflows: 3,
    });
    // DECISIONS: a non-member gets a 403 error (Go: empty 200)
    expect(await t.fail('getcolonystatsmsg', { colonyname: 'st' }, other.user)).toEqual({
      status: 403,
      message: 'Access denied, not a member of Colony with name <st>',
    });
    expect((await t.fail('getcolonystatsmsg', { colonyname: 'st' }, c.owner)).status).toBe(403);
    expect(await t.fail('getcolonystatsmsg', { colonyname: 'nope' }, c.user)).toEqual({ status: 400, message: 'Colony with name <nope> not found' });
  });
});

describe('changecolonyidmsg', () => {
  it('rotates the owner key and echoes the request', async () => {
    const c = await setupColony(t, 'rot');
    const next = newKey();
    expect(await t.call('changecolonyidmsg', { colonyname: 'rot', colonyid: next.id }, c.owner)).toEqual({
      msgtype: 'changecolonyidmsg',
      colonyname: 'rot',
      colonyid: next.id,
    });
    expect((await t.fail('pauseassignmentsmsg', { colonyname: 'rot' }, c.owner)).message).toBe('Access denied, not colony owner');
    await t.call('pauseassignmentsmsg', { colonyname: 'rot' }, next);
  });

  it('refuses empty and short ids and non-owners; the id stays', async () => {
    const c = await setupColony(t, 'rot2');
    expect(await t.fail('changecolonyidmsg', { colonyname: 'rot2', colonyid: '' }, c.owner)).toEqual({
      status: 400,
      message: 'Failed to change colony Id, colony Id is empty',
    });
    expect(await t.fail('changecolonyidmsg', { colonyname: 'rot2', colonyid: 'abc' }, c.owner)).toEqual({
      status: 400,
      message: 'Failed to change colony Id, new colony Id is not 64 characters',
    });
    const stranger = newKey();
    expect(await t.fail('changecolonyidmsg', { colonyname: 'rot2', colonyid: stranger.id }, c.user)).toEqual({
      status: 403,
      message: 'Access denied, not colony owner',
    });
    expect(await t.call('getcolonymsg', { colonyname: 'rot2' }, c.user)).toEqual({ colonyid: c.owner.id, name: 'rot2' });
  });
});

describe('pause / resume / getpausestatusmsg', () => {
  it('sets the flag, replies with pausestatusreplymsg and publishes resume', async () => {
    const c = await setupColony(t, 'pz');
    const status = async () => {
      const r = await t.post(buildRequest('getpausestatusmsg', { colonyname: 'pz' }, c.executor.prv, browserCrypto));
      expect(r.status).toBe(200);
      return decodeReply(r.text);
    };
    expect(await status()).toEqual({ payloadtype: 'pausestatusreplymsg', payload: { msgtype: 'pausestatusreplymsg', colonyname: 'pz', ispaused: false } });
    expect(await t.call('pauseassignmentsmsg', { colonyname: 'pz' }, c.owner)).toEqual({});
    expect((await status()).payload).toEqual({ msgtype: 'pausestatusreplymsg', colonyname: 'pz', ispaused: true });
    const events: ServerEvent[] = [];
    const off = t.server.srv.bus.on((e) => events.push(e));
    try {
      expect(await t.call('resumeassignmentsmsg', { colonyname: 'pz' }, c.owner)).toEqual({});
    } finally {
      off();
    }
    expect(events).toContainEqual({ kind: 'resume', colonyname: 'pz' });
    expect((await status()).payload).toMatchObject({ ispaused: false });
  });

  it('pause/resume are for the colony owner; status for any registered member (M*)', async () => {
    const c = await setupColony(t, 'pz2');
    expect(await t.fail('pauseassignmentsmsg', { colonyname: 'pz2' }, c.executor)).toEqual({ status: 403, message: 'Access denied, not colony owner' });
    expect((await t.call('getpausestatusmsg', { colonyname: 'pz2' }, c.user)).ispaused).toBe(false);
    await t.call('pauseassignmentsmsg', { colonyname: 'pz2' }, c.owner);
    expect((await t.fail('resumeassignmentsmsg', { colonyname: 'pz2' }, c.user)).status).toBe(403);
    const pending = newKey();
    await t.call('addexecutormsg', { executor: { executorid: pending.id, executortype: 't', executorname: 'p', colonyname: 'pz2' } }, c.owner);
    expect((await t.call('getpausestatusmsg', { colonyname: 'pz2' }, pending)).ispaused).toBe(true);
    expect((await t.fail('getpausestatusmsg', { colonyname: 'pz2' }, c.owner)).status).toBe(403);
    expect((await t.fail('pauseassignmentsmsg', { colonyname: 'nope' }, c.owner)).status).toBe(403);
  });
});

describe('removecolonymsg', () => {
  it('removes everything of the colony, including tables added later, and nothing of others', async () => {
    const db = t.server.srv.db;
    // a table some later migration might add: found by its colonyname column
    await db.exec('CREATE TABLE zz_extra (colonyname text NOT NULL, v int)');
    const doomed = await setupColony(t, 'doomed');
    const kept = await setupColony(t, 'kept');
    for (const c of [doomed, kept]) {
      await t.call('addlocationmsg', { location: { locationid: 'l', name: 'home', colonyname: c.colonyName } }, c.owner);
      await t.call('addfunctionmsg', { fun: { executorname: c.executor.name, colonyname: c.colonyName, funcname: 'f' } }, c.executor);
      const pid = await insertProcess(db, { colonyname: c.colonyName, state: 1, assignedexecutorid: c.executor.id });
      await db.query("INSERT INTO attributes (attributeid, targetid, targetcolonyname, attributetype, key) VALUES ($1, $2, $3, 0, 'k')", [
        `a-${c.colonyName}`,
        pid,
        c.colonyName,
      ]);
      await db.query('INSERT INTO zz_extra (colonyname, v) VALUES ($1, 1)', [c.colonyName]);
      await insertGraph(db, c.colonyName, 0);
    }
    const rows = async (name: string) => ({
      executors: await count(db, 'executors WHERE colonyname = $1', [name]),
      users: await count(db, 'users WHERE colonyname = $1', [name]),
      locations: await count(db, 'locations WHERE colonyname = $1', [name]),
      functions: await count(db, 'functions WHERE colonyname = $1', [name]),
      processes: await count(db, 'processes WHERE colonyname = $1', [name]),
      attributes: await count(db, 'attributes WHERE targetcolonyname = $1', [name]),
      extra: await count(db, 'zz_extra WHERE colonyname = $1', [name]),
      graphs: await count(db, 'process_graphs WHERE colonyname = $1', [name]),
      colony: await count(db, 'colonies WHERE name = $1', [name]),
    });
    const full = { executors: 1, users: 1, locations: 1, functions: 1, processes: 1, attributes: 1, extra: 1, graphs: 1, colony: 1 };
    expect(await rows('doomed')).toEqual(full);

    // refused: non-owner and unknown colony; nothing changes
    expect(await t.fail('removecolonymsg', { colonyname: 'doomed' }, doomed.owner)).toEqual({ status: 403, message: 'Access denied, not server owner' });
    expect(await t.fail('removecolonymsg', { colonyname: 'nope' }, t.serverKey)).toEqual({ status: 400, message: 'Colony with name <nope> not found' });
    expect(await rows('doomed')).toEqual(full);

    expect(await t.call('removecolonymsg', { colonyname: 'doomed' }, t.serverKey)).toEqual({});
    expect(await rows('doomed')).toEqual({ executors: 0, users: 0, locations: 0, functions: 0, processes: 0, attributes: 0, extra: 0, graphs: 0, colony: 0 });
    expect(await rows('kept')).toEqual(full);
    expect((await colonies())!.map((c) => c.name)).not.toContain('doomed');

    // the name is free again, and nothing of the old colony comes back
    const owner = newKey();
    await t.call('addcolonymsg', { colony: { colonyid: owner.id, name: 'doomed' } }, t.serverKey);
    expect(await rows('doomed')).toEqual({ ...full, executors: 0, users: 0, locations: 0, functions: 0, processes: 0, attributes: 0, extra: 0, graphs: 0 });
    await db.exec('DROP TABLE zz_extra');
  });

  it('runs registered cleanups in the same transaction: a failing one leaves the colony intact', async () => {
    const seen: string[] = [];
    onColonyRemoval(async (q, name) => {
      seen.push(name);
      if (name === 'boom') throw new Error('cleanup failed');
      await q.query('SELECT 1');
    });
    await setupColony(t, 'boom');
    await setupColony(t, 'fine');
    expect(await t.fail('removecolonymsg', { colonyname: 'boom' }, t.serverKey)).toEqual({ status: 500, message: 'cleanup failed' });
    const db = t.server.srv.db;
    expect(await count(db, 'executors WHERE colonyname = $1', ['boom'])).toBe(1);
    expect(await count(db, 'colonies WHERE name = $1', ['boom'])).toBe(1);
    await t.call('removecolonymsg', { colonyname: 'fine' }, t.serverKey);
    expect(seen).toEqual(['boom', 'fine']);
    expect(await count(db, 'colonies WHERE name = $1', ['fine'])).toBe(0);
  });
});
