// Two server replicas on ONE PostgreSQL schema: wake-ups, WebSocket process events and channel
// entries cross replicas through the database (LISTEN/NOTIFY). PostgreSQL only: an embedded
// PGlite database belongs to a single server, so there is no second replica to talk to.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEADER_LOCK_KEY } from '../../src/server/loops.js';
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

  // What a replica misses while its LISTEN connection is down (killed here; it comes back
  // after a 250 ms backoff) it must make up for once it listens again.
  const listenerPids = async () =>
    (
      await a.server.srv.db.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE query ILIKE 'LISTEN%' AND query LIKE $1",
        [`%colonies_events_${schema}%`],
      )
    ).map((r) => r.pid);

  /**
   * Kills both replicas' LISTEN connections, runs `during`, and tells whether it finished before
   * either replica was LISTENing again (only then did it happen in the gap). Waits until the
   * replicas hear each other again.
   */
  async function inListenGap(during: () => Promise<void>): Promise<boolean> {
    await until(() => a.server.srv.bus.livePeers() === 1 && b.server.srv.bus.livePeers() === 1);
    const before = await listenerPids();
    expect(before.length).toBe(2);
    for (const pid of before) await a.server.srv.db.query('SELECT pg_terminate_backend($1)', [pid]);
    try {
      await during();
      return (await listenerPids()).every((pid) => before.includes(pid));
    } finally {
      const end = Date.now() + 10_000;
      while (Date.now() < end) {
        const now = await listenerPids();
        if (now.length === 2 && now.every((pid) => !before.includes(pid))) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await until(() => a.server.srv.bus.livePeers() === 1 && b.server.srv.bus.livePeers() === 1);
    }
  }

  /** Closes whatever an earlier (failed) test left in the queue, so each test starts empty. */
  async function drain(): Promise<void> {
    for (;;) {
      let p: { processid: string };
      try {
        p = await a.call('assignprocessmsg', { colonyname: c.colonyName, timeout: -1 }, c.executor);
      } catch {
        return;
      }
      await a.call('closesuccessfulmsg', { processid: p.processid, out: [] }, c.executor);
    }
  }

  /** Runs a scenario until its action landed in a LISTEN gap (a busy machine may reconnect first). */
  async function withGap(scenario: (gap: typeof inListenGap) => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 5; i++) {
      await drain();
      if (await scenario(inListenGap)) return;
    }
    throw new Error('never managed to act while the LISTEN connections were down');
  }

  it('an executor parked on B is woken for a process submitted on A while B was not listening', async () => {
    await withGap(async (gap) => {
      // short timeout: without the catch-up after the reconnect the call ends in "no process"
      const waiting = b.call('assignprocessmsg', { colonyname: c.colonyName, timeout: 5 }, c.executor);
      await until(() => b.server.srv.waiters.size > 0);
      let p!: { processid: string };
      const inGap = await gap(async () => {
        p = await submit();
      });
      expect((await waiting).processid).toBe(p.processid);
      await b.call('closesuccessfulmsg', { processid: p.processid, out: [] }, c.executor);
      return inGap;
    });
  });

  it('a process subscriber on B gets a close made on A while B was not listening', async () => {
    await withGap(async (gap) => {
      const p = await submit();
      const ws = await openPubsub(b.url);
      try {
        ws.subscribe('subscribeprocessmsg', { processid: p.processid, state: 2, timeout: 20 }, c.user);
        await until(() => pubsubStats(b.server.srv).processSubscribers > 0);
        await a.call('assignprocessmsg', { colonyname: c.colonyName, timeout: -1 }, c.executor);
        const inGap = await gap(async () => {
          await a.call('closesuccessfulmsg', { processid: p.processid, out: ['in-gap'] }, c.executor);
        });
        const [f] = await ws.waitFrames(1, 5_000);
        expect(f.payload).toMatchObject({ processid: p.processid, state: 2, out: ['in-gap'] });
        return inGap;
      } finally {
        ws.close();
      }
    });
  });

  it('type subscribers on B get the processes submitted and closed on A while B was not listening', async () => {
    await withGap(async (gap) => {
      const earlier = await submit(); // before the gap: not sent again
      const waiting = await openPubsub(b.url);
      const closed = await openPubsub(b.url);
      try {
        const subs = pubsubStats(b.server.srv).processSubscribers;
        waiting.subscribe('subscribeprocessesmsg', { colonyname: c.colonyName, executortype: 'rep', state: 0, timeout: 20 }, c.executor);
        closed.subscribe('subscribeprocessesmsg', { colonyname: c.colonyName, executortype: 'rep', state: 2, timeout: 20 }, c.executor);
        await until(() => pubsubStats(b.server.srv).processSubscribers === subs + 2);
        await a.call('assignprocessmsg', { colonyname: c.colonyName, timeout: -1 }, c.executor);
        // B last heard itself up to 2 s before the gap (its heartbeat): the catch-up starts there
        await new Promise((r) => setTimeout(r, 2_500));
        let p!: { processid: string };
        const inGap = await gap(async () => {
          p = await submit();
          await a.call('closesuccessfulmsg', { processid: earlier.processid, out: ['in-gap'] }, c.executor);
        });
        // (the catch-up may also repeat frames from just before the gap: at worst twice)
        expect(await frameOf(waiting, p.processid)).toMatchObject({ processid: p.processid, state: 0 });
        expect(await frameOf(closed, earlier.processid)).toMatchObject({ processid: earlier.processid, state: 2, out: ['in-gap'] });
        await drain();
        return inGap;
      } finally {
        waiting.close();
        closed.close();
      }
    });
  });

  /** The payload of the first frame about `processid`, waiting up to 5 s for it. */
  async function frameOf(ws: Awaited<ReturnType<typeof openPubsub>>, processid: string): Promise<unknown> {
    const end = Date.now() + 5_000;
    for (let n = 1; ; n++) {
      const frames = await ws.waitFrames(n, Math.max(1, end - Date.now()));
      const f = frames.find((x) => (x.payload as { processid?: string })?.processid === processid);
      if (f) return f.payload;
    }
  }

  /** A channel subscriber on B; an entry is appended on A (and the process closed, with `close`) while B is not listening. */
  async function channelGapScenario(close: boolean): Promise<void> {
    await withGap(async (gap) => {
      const p = await submit({ channels: ['gap'] });
      await a.call('assignprocessmsg', { colonyname: c.colonyName, timeout: -1 }, c.executor);
      const ws = await openPubsub(b.url);
      try {
        ws.subscribe('subscribechannelmsg', { processid: p.processid, name: 'gap', timeout: 20 }, c.user);
        await until(() => pubsubStats(b.server.srv).channelSubscribers > 0);
        const payload = Buffer.from(close ? 'last words' : 'missed?').toString('base64');
        const inGap = await gap(async () => {
          await a.call('channelappendmsg', { processid: p.processid, name: 'gap', sequence: 1, payload }, c.executor);
          if (close) await a.call('closesuccessfulmsg', { processid: p.processid, out: [] }, c.executor);
        });
        // what was written (before the close) is delivered
        const [f] = await ws.waitFrames(1, 5_000);
        expect(f.payload).toEqual([expect.objectContaining({ sequence: 1, payload })]);
        // then, if the process closed, the subscription ends
        if (close) await until(() => pubsubStats(b.server.srv).channelSubscribers === 0, 5_000);
        else await a.call('closesuccessfulmsg', { processid: p.processid, out: [] }, c.executor);
        return inGap;
      } finally {
        ws.close();
      }
    });
  }

  it('a channel subscriber on B gets an entry appended on A while B was not listening', () => channelGapScenario(false));

  it('a channel subscriber on B is ended when the process closes on A while B was not listening', () => channelGapScenario(true));

  it('getclustermsg on either replica lists both, led by the holder of the leader lock', async () => {
    type Cluster = { nodes: { name: string; host: string; port: number; apiport: number }[]; leader: { name: string; port: number } };
    await until(() => a.server.srv.isLeader() !== b.server.srv.isLeader());
    const leaderPort = a.server.srv.isLeader() ? a.server.port : b.server.port;
    const views: Cluster[] = [];
    for (const r of [a, b]) {
      let cl!: Cluster;
      const end = Date.now() + 10_000;
      // a replica knows the other once a heartbeat that says where it serves came in
      while (Date.now() < end) {
        cl = await r.call('getclustermsg', {}, a.serverKey); // one server owner for both
        if (cl.nodes.length === 2 && cl.leader.port === leaderPort) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      expect(cl.nodes.map((n) => n.port).sort()).toEqual([a.server.port, b.server.port].sort());
      expect(cl.nodes.every((n) => n.host === '127.0.0.1' && n.apiport === n.port)).toBe(true);
      expect(new Set(cl.nodes.map((n) => n.name)).size).toBe(2);
      expect(cl.leader.port).toBe(leaderPort);
      expect(cl.nodes.find((n) => n.port === leaderPort)?.name).toBe(cl.leader.name);
      views.push(cl);
    }
    // both replicas describe the same cluster
    expect(views[1]).toEqual(views[0]);
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

  // Last in this file: it stops one replica for good.
  it('when the leader dies, the other replica takes the leader lock and runs the singleton work', async () => {
    await until(() => a.server.srv.isLeader() !== b.server.srv.isLeader());
    const [leader, follower] = a.server.srv.isLeader() ? [a, b] : [b, a];
    // The session holding the leader lock (keyed by this schema) dies, as when its replica
    // crashes, and the replica with it.
    const killed = await follower.server.srv.db.query<{ ok: boolean }>(
      `SELECT pg_terminate_backend(l.pid) AS ok FROM pg_locks l
        WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objsubid = 2
          AND l.objid::text::bigint = (hashtext($2)::bigint & 4294967295)`,
      [LEADER_LOCK_KEY, schema],
    );
    expect(killed).toEqual([{ ok: true }]);
    await leader.server.close();
    await until(() => follower.server.srv.isLeader(), 15_000);
    // the new leader runs the timeouts: an expired assignment goes back to the queue
    const p = await follower.call(
      'submitfuncspecmsg',
      { spec: { funcname: 'f', maxexectime: 1, maxretries: 1, conditions: { colonyname: c.colonyName, executortype: 'rep' } } },
      c.user,
    );
    const got = await follower.call('assignprocessmsg', { colonyname: c.colonyName, timeout: 5 }, c.executor);
    expect(got.processid).toBe(p.processid);
    const end = Date.now() + 15_000;
    let now: any;
    do {
      await new Promise((r) => setTimeout(r, 100));
      now = await follower.call('getprocessmsg', { processid: p.processid }, c.user);
    } while (now.state !== 0 && Date.now() < end);
    expect(now).toMatchObject({ state: 0, retries: 1 });
  });
});
