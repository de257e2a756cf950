// A graceful shutdown (SIGTERM/SIGINT on `colonies server start`, RunningServer.close): long
// polls are answered "nothing came" at once instead of being cut off, and a request in flight
// finishes and gets its reply. Above all an assignment already made in the database reaches its
// executor: cut off, it would stay RUNNING for an executor that never heard of it.
import { EventEmitter } from 'node:events';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { expect, it } from 'vitest';
import { InFlight } from '../../src/server/http.js';
import type { Db } from '../../src/store/db.js';
import { setupColony, startTestServer } from '../helpers/server.js';

const NOTHING = { status: 404, message: 'No process available for assignment' };

it('a long poll parked when the server shuts down is answered "nothing came" at once', async () => {
  const t = await startTestServer();
  try {
    const c = await setupColony(t, 'shut1');
    const waiting = t.fail('assignprocessmsg', { colonyname: c.colonyName, timeout: 60 }, c.executor);
    while (t.server.srv.waiters.size === 0) await new Promise((r) => setTimeout(r, 5));
    await t.server.close();
    // answered (an error envelope with its status), not a connection cut off
    expect(await waiting).toEqual(NOTHING);
  } finally {
    await t.close();
  }
});

it('an assignment made while the server shuts down reaches its executor', async () => {
  const t = await startTestServer();
  try {
    const c = await setupColony(t, 'shut2');
    const p = await t.call('submitfuncspecmsg', { spec: { funcname: 'f', conditions: { colonyname: c.colonyName, executortype: c.executor.type } } }, c.user);
    // Hold the reply of the assign statement (stored, not yet answered) until the shutdown began.
    const db = t.server.srv.db as Db & { query: Db['query'] };
    const query = db.query.bind(db);
    let reached!: () => void;
    const atAssign = new Promise<void>((r) => (reached = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    db.query = (async (sql: string, params?: unknown[]) => {
      const rows = await query(sql, params);
      if (sql.includes('FOR UPDATE SKIP LOCKED')) {
        reached();
        await gate;
      }
      return rows;
    }) as Db['query'];
    // a client with a kept-alive connection, opened before the shutdown
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const health = () =>
      new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
        const req = request(`${t.url}/health`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
        });
        req.on('error', reject);
        req.end();
      });
    expect(await health()).toEqual({ status: 200, connection: 'keep-alive' });
    const assigned = t.call('assignprocessmsg', { colonyname: c.colonyName, timeout: 10 }, c.executor);
    await atAssign;
    const closing = t.server.close();
    await new Promise((r) => setTimeout(r, 100)); // the shutdown is under way, waiting for the request
    // no new connections meanwhile; a request on a connection already open is served, and asks
    // the client to close that connection
    const { port } = new URL(t.url);
    await expect(
      new Promise((resolve, reject) => {
        const s = connect(Number(port), '127.0.0.1', () => (s.destroy(), resolve('connected')));
        s.on('error', reject);
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
    // (and /health says 503: a balancer's health check stops sending work here)
    expect(await health()).toEqual({ status: 503, connection: 'close' });
    agent.destroy();
    release();
    expect((await assigned).processid).toBe(p.processid);
    await closing;
    db.query = query;
  } finally {
    await t.close();
  }
});

it('with COLONIES_SHUTDOWN_DELAY a stopping server first serves on as usual, /health answering 503, then drains', async () => {
  const t = await startTestServer({ shutdownDelay: 1 });
  try {
    const c = await setupColony(t, 'shut3');
    const waiting = t.call('assignprocessmsg', { colonyname: c.colonyName, timeout: 60 }, c.executor);
    while (t.server.srv.waiters.size === 0) await new Promise((r) => setTimeout(r, 5));
    const closing = t.server.close();
    await new Promise((r) => setTimeout(r, 100));
    // unready: a health check says 503, but the connection is kept (not draining yet)...
    const health = await fetch(`${t.url}/health`);
    expect([health.status, health.headers.get('connection')]).toEqual([503, 'keep-alive']);
    // ... new connections are accepted and served, and the parked executor stays parked: a
    // process submitted now reaches it
    const p = await t.call('submitfuncspecmsg', { spec: { funcname: 'f', conditions: { colonyname: c.colonyName, executortype: c.executor.type } } }, c.user);
    expect((await waiting).processid).toBe(p.processid);
    await closing;
    await expect(fetch(`${t.url}/health`)).rejects.toThrow();
  } finally {
    await t.close();
  }
});

it('the drain waits for requests in flight and a quiet moment, up to its grace period, and marks replies Connection: close', async () => {
  const inFlight = new InFlight();
  const res = () => Object.assign(new EventEmitter(), { headers: {} as Record<string, string>, setHeader(k: string, v: string) { this.headers[k] = v; } });
  const a = res();
  inFlight.track(a as never);
  inFlight.draining = true;
  const b = res();
  inFlight.track(b as never);
  expect([a.headers.Connection, b.headers.Connection]).toEqual([undefined, 'close']);
  expect(inFlight.count).toBe(2);
  // a request that never ends: the wait gives up after its grace period
  await inFlight.idle(30);
  expect(inFlight.count).toBe(2);
  // requests that end: the wait ends with the last one
  const idle = inFlight.idle(60_000);
  a.emit('close');
  expect(inFlight.count).toBe(1);
  b.emit('close');
  await idle;
  expect(inFlight.count).toBe(0);
  // quiet: no request for the linger time (one just ended), or the grace period is over
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
  expect(await Promise.race([inFlight.quiet(60_000, 120_000).then(() => 'quiet'), sleep(30).then(() => 'still waiting')])).toBe('still waiting');
  expect(await Promise.race([inFlight.quiet(0, 120_000).then(() => 'quiet'), sleep(30_000).then(() => 'still waiting')])).toBe('quiet');
  const c = res();
  inFlight.track(c as never);
  expect(await Promise.race([inFlight.quiet(0, 20).then(() => 'gave up waiting'), sleep(30_000).then(() => 'still waiting')])).toBe('gave up waiting');
  expect(inFlight.count).toBe(1);
});
