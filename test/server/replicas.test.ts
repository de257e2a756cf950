// Two server replicas on ONE PostgreSQL schema: wake-ups, WebSocket process events and channel
// entries cross replicas through the database (LISTEN/NOTIFY). PostgreSQL only: an embedded
// PGlite database belongs to a single server, so there is no second replica to talk to.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pubsubStats } from '../../src/server/pubsub.js';
import { testDbKind } from '../helpers/db.js';
import { setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';
import { openPubsub } from '../helpers/ws.js';

describe('two replicas on one database', () => {
  if (testDbKind !== 'postgres') throw new Error('replicas.test.ts needs COLONIES_TEST_DB=postgres (vitest.config.ts excludes it otherwise)');
  let a: TestServer;
  let b: TestServer;
  let c: Cast;
  const schema = `t_rep_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    a = await startTestServer({}, schema);
    // same server owner on both replicas: they share the server_config row
    b = await startTestServer({ serverId: a.serverKey.id }, schema);
    c = await setupColony(a, 'replicas', 'rep');
  });
  afterAll(async () => {
    // B must not drop the shared schema while A still uses it: close B's server only
    await b?.server.close();
    await a?.close();
  });

  const submit = (spec: Record<string, unknown> = {}) =>
    a.call('submitfuncspecmsg', {
      spec: { funcname: 'f', maxwaittime: -1, maxexectime: -1, conditions: { colonyname: c.colonyName, executortype: 'rep' }, ...spec },
    }, c.user);

  async function until(cond: () => boolean, ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error('condition not met');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('a process submitted on A wakes an executor long-polling on B', async () => {
    const waiting = b.call('assignprocessmsg', { colonyname: c.colonyName, timeout: 20 }, c.executor);
    await until(() => b.server.srv.waiters.size > 0);
    const p = await submit();
    const got = await waiting;
    expect(got.processid).toBe(p.processid);
    await b.call('closesuccessfulmsg', { processid: p.processid, out: [] }, c.executor);
  });

  it('wake-ups keep crossing after the LISTEN connections are killed (they reconnect)', async () => {
    const listeners = () =>
      a.server.srv.db.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE query ILIKE 'LISTEN%' AND query LIKE $1",
        [`%colonies_events_${schema}%`],
      );
    const before = (await listeners()).map((r) => r.pid);
    expect(before.length).toBe(2); // one per replica
    for (const pid of before) await a.server.srv.db.query('SELECT pg_terminate_backend($1)', [pid]);
    // both replicas reconnect and LISTEN again, on new backends
    const end = Date.now() + 10_000;
    let after: number[] = [];
    while (Date.now() < end) {
      after = (await listeners()).map((r) => r.pid);
      if (after.length === 2 && after.every((pid) => !before.includes(pid))) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(after.length).toBe(2);
    expect(after.some((pid) => before.includes(pid))).toBe(false);
    // and they hear each other again (a heartbeat round), so a submit on A wakes B
    await until(() => a.server.srv.bus.livePeers() === 1 && b.server.srv.bus.livePeers() === 1);
    const waiting = b.call('assignprocessmsg', { colonyname: c.colonyName, timeout: 20 }, c.executor);
    await until(() => b.server.srv.waiters.size > 0);
    const p = await submit();
    expect((await waiting).processid).toBe(p.processid);
    await b.call('closesuccessfulmsg', { processid: p.processid, out: [] }, c.executor);
  });

  it('a close on B reaches a WebSocket subscriber on A', async () => {
    const p = await submit();
    const ws = await openPubsub(a.url);
    ws.subscribe('subscribeprocessmsg', { processid: p.processid, state: 2, timeout: 20 }, c.user);
    await until(() => pubsubStats(a.server.srv).processSubscribers > 0);
    await b.call('assignprocessmsg', { colonyname: c.colonyName, timeout: -1 }, c.executor);
    await b.call('closesuccessfulmsg', { processid: p.processid, out: ['from-b'] }, c.executor);
    const [f] = await ws.waitFrames(1);
    expect(f.payload).toMatchObject({ processid: p.processid, state: 2, out: ['from-b'] });
    ws.close();
  });

  it('a channel append on A reaches a channel subscriber on B', async () => {
    const p = await submit({ channels: ['chat'] });
    await b.call('assignprocessmsg', { colonyname: c.colonyName, timeout: -1 }, c.executor);
    const ws = await openPubsub(b.url);
    ws.subscribe('subscribechannelmsg', { processid: p.processid, name: 'chat', timeout: 20 }, c.user);
    await until(() => pubsubStats(b.server.srv).channelSubscribers > 0);
    await a.call('channelappendmsg', { processid: p.processid, name: 'chat', sequence: 1, payload: Buffer.from('over').toString('base64') }, c.executor);
    const [f] = await ws.waitFrames(1);
    expect(f.payload).toEqual([expect.objectContaining({ sequence: 1, senderid: c.executor.id, payload: Buffer.from('over').toString('base64') })]);
    // and B reads the same log
    expect(await b.call('channelreadmsg', { processid: p.processid, name: 'chat' }, c.user)).toHaveLength(1);
    ws.close();
  });
});
