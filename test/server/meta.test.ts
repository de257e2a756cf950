// Server / meta RPCs (PROTOCOL §6.1): versionmsg, getserverinfomsg, getstatisticsmsg,
// getclustermsg, changeserveridmsg.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeReply } from '../../src/protocol/envelope.js';
import { newKey, setupColony, startTestServer, type TestServer } from '../helpers/server.js';
import { insertGraph, insertProcess } from '../helpers/rows.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ buildVersion: 'v9.9.9', buildTime: '2026-01-02T03:04:05Z' });
});
afterAll(() => t?.close());

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64');

describe('versionmsg / getserverinfomsg (unauthenticated)', () => {
  it('versionmsg answers without a signature', async () => {
    const r = await t.post(JSON.stringify({ signature: '', payloadtype: 'versionmsg', payload: b64({ buildversion: '', buildtime: '', msgtype: 'versionmsg' }) }));
    expect(r.status).toBe(200);
    const reply = decodeReply(r.text);
    expect(reply.payloadtype).toBe('versionmsg');
    expect(reply.payload).toEqual({ buildversion: 'v9.9.9', buildtime: '2026-01-02T03:04:05Z', msgtype: 'versionmsg' });
    expect(Object.keys(reply.payload as object)).toEqual(['buildversion', 'buildtime', 'msgtype']);
  });

  it('versionmsg ignores a garbage signature', async () => {
    const r = await t.post(JSON.stringify({ signature: 'zz', payloadtype: 'versionmsg', payload: b64({ msgtype: 'versionmsg' }) }));
    expect(r.status).toBe(200);
  });

  it('getserverinfomsg reports build and the http backend', async () => {
    const info = await t.call('getserverinfomsg', {}, newKey());
    expect(info).toEqual({
      buildversion: 'v9.9.9',
      buildtime: '2026-01-02T03:04:05Z',
      backends: [{ type: 'http', port: t.server.port, host: '127.0.0.1' }],
    });
  });
});

describe('getstatisticsmsg', () => {
  it('refuses anyone but the server owner', async () => {
    const c = await setupColony(t, 'statsref');
    for (const key of [newKey(), c.owner, c.executor, c.user]) {
      expect(await t.fail('getstatisticsmsg', {}, key)).toEqual({ status: 403, message: 'Access denied, not server owner' });
    }
  });

  it('fills every counter from live counts', async () => {
    const before = await t.call('getstatisticsmsg', {}, t.serverKey);
    const c = await setupColony(t, 'statsfill');
    // one pending and one unregistered executor besides the approved one
    const pending = newKey();
    await t.call('addexecutormsg', { executor: { executorid: pending.id, executortype: 'x', executorname: 'pend', colonyname: c.colonyName } }, c.owner);
    const gone = newKey();
    await t.call('addexecutormsg', { executor: { executorid: gone.id, executortype: 'x', executorname: 'gone', colonyname: c.colonyName } }, c.owner);
    await t.call('removeexecutormsg', { colonyname: c.colonyName, executorname: 'gone' }, c.owner);
    const db = t.server.srv.db;
    for (const state of [0, 0, 1, 2, 2, 2, 3, 4]) await insertProcess(db, { colonyname: c.colonyName, state, assignedexecutorid: c.executor.id });
    for (const state of [0, 1, 1, 2, 3, 3, 3, 4]) await insertGraph(db, c.colonyName, state);
    const after = await t.call('getstatisticsmsg', {}, t.serverKey);
    const diff = Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - before[k]]));
    expect(diff).toEqual({
      colonies: 1,
      executors: 2, // approved + pending; unregistered excluded at server scope (as in Go)
      activeexecutors: 1,
      unregisteredexecutors: 1,
      waitingprocesses: 2,
      runningprocesses: 1,
      successfulprocesses: 3,
      failedprocesses: 1,
      cancelledprocesses: 1,
      waitingworkflows: 1,
      runningworkflows: 2,
      successfulworkflows: 1,
      failedworkflows: 3,
      cancelledworkflows: 1,
    });
    expect(Object.keys(after)).toEqual(Object.keys(diff));
  });
});

describe('getclustermsg', () => {
  it('describes a one-node cluster led by this server', async () => {
    const cl = await t.call('getclustermsg', {}, t.serverKey);
    const node = { name: 'colonies', host: '127.0.0.1', port: t.server.port, peerport: 0, relayport: 0, apiport: t.server.port };
    expect(cl).toEqual({ nodes: [node], leader: node });
  });

  it('refuses non-owners', async () => {
    expect(await t.fail('getclustermsg', {}, newKey())).toEqual({ status: 403, message: 'Access denied, not server owner' });
  });
});

describe('changeserveridmsg', () => {
  it('refuses non-owners and changes nothing', async () => {
    const stranger = newKey();
    expect(await t.fail('changeserveridmsg', { serverid: stranger.id }, stranger)).toEqual({
      status: 403,
      message: 'Access denied, not server owner',
    });
    await t.call('getstatisticsmsg', {}, t.serverKey);
  });

  it('rejects an empty id and changes nothing', async () => {
    expect(await t.fail('changeserveridmsg', { serverid: '' }, t.serverKey)).toEqual({
      status: 400,
      message: 'Failed to change server Id, server Id is empty',
    });
    await t.call('getstatisticsmsg', {}, t.serverKey);
  });

  it('hands the server over to a new key and echoes the request', async () => {
    const next = newKey();
    expect(await t.call('changeserveridmsg', { serverid: next.id }, t.serverKey)).toEqual({ msgtype: 'changeserveridmsg', serverid: next.id });
    expect((await t.fail('getstatisticsmsg', {}, t.serverKey)).status).toBe(403);
    await t.call('getcoloniesmsg', {}, next);
    // and back, so the key the helper holds stays the owner
    await t.call('changeserveridmsg', { serverid: t.serverKey.id }, next);
    await t.call('getstatisticsmsg', {}, t.serverKey);
  });
});
