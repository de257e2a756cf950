// High availability end to end: two replicas (`colonies server start`, child processes) on one
// PostgreSQL schema behind a small load balancer (round robin over the backends whose /health
// answered 200 at its last check, every 100 ms; a backend that refuses the connection is
// skipped, as nginx's proxy_next_upstream does; a request cut off midway gets 502). Executors of the runtime and a submitter talk to the balancer only. In the middle of the
// load the replica holding the leader lock is killed with SIGKILL. Every acknowledged submit
// must end SUCCESS with its output, each process run exactly once (a close cut off midway is
// sent again; an assignment whose reply was cut off is requeued by the new leader when its
// maxexectime passes, and its handler had not run), and the other replica must take the lead.
// Which requests the kill cuts off varies from run to run (closes, assigns, submits); the
// deterministic cases are in crash.test.ts, shutdown.test.ts and test/executor.
// PostgreSQL only (vitest.config.ts): an embedded PGlite database belongs to one server.
import { createServer, request, type Server } from 'node:http';
import { afterAll, expect, test } from 'vitest';
import { ColoniesClient } from '../../src/client/index.js';
import { childServers, kill, newKey, runtimeExecutors } from '../helpers/child-server.js';
import { testDbKind } from '../helpers/db.js';
import { freePort } from '../helpers/ports.js';

const servers = childServers('ha');
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers) await c();
  await servers.cleanup();
});

/** A round-robin HTTP balancer with health checks on a free port; `backends` are ports on 127.0.0.1. */
async function balancer(backends: number[]): Promise<{ url: string; close(): Promise<void> }> {
  let next = 0;
  const healthy = new Set(backends);
  const check = (port: number) => {
    const req = request({ host: '127.0.0.1', port, path: '/health', agent: false, timeout: 500 }, (r) => {
      r.resume();
      if (r.statusCode === 200) healthy.add(port);
      else healthy.delete(port);
    });
    req.on('error', () => healthy.delete(port));
    req.on('timeout', () => req.destroy());
    req.end();
  };
  const checks = setInterval(() => backends.forEach(check), 100);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      // the backends that passed their last check first (in turn), then the others
      const up = backends.filter((p) => healthy.has(p));
      const first = next++;
      const order = [...up.map((_, i) => up[(first + i) % up.length]), ...backends.filter((p) => !healthy.has(p))];
      const attempt = (left: number) => {
        const port = order[order.length - left];
        const up = request(
          { host: '127.0.0.1', port, method: req.method, path: req.url, agent: false, headers: { 'content-type': req.headers['content-type'] ?? 'text/plain', 'content-length': body.length } },
          (ur) => {
            res.writeHead(ur.statusCode ?? 502, { 'content-type': ur.headers['content-type'] ?? 'text/plain' });
            ur.pipe(res);
            ur.on('error', () => res.destroy());
          },
        );
        up.on('error', (e: NodeJS.ErrnoException) => {
          // nothing was sent to a backend that refused the connection: the next one may serve it
          if (e.code === 'ECONNREFUSED' && left > 1) return attempt(left - 1);
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('502 Bad Gateway');
          else res.destroy();
        });
        up.end(body);
      };
      attempt(order.length);
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        clearInterval(checks);
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * Two replicas of one database behind a balancer, a colony `name` with a user (whose client
 * talks to the balancer) and 3 runtime executors of type `${name}-worker` running `work`.
 */
async function cluster(name: string, env: Record<string, string> = {}) {
  if (testDbKind !== 'postgres') throw new Error('ha.test.ts needs COLONIES_TEST_DB=postgres (vitest.config.ts excludes it otherwise)');
  const ports = [await freePort(), await freePort()];
  const replicas = [await servers.start(ports[0], env), await servers.start(ports[1], env)];
  const lb = await balancer(ports);
  closers.push(() => lb.close());

  const colony = name;
  const type = `${name}-worker`;
  const owner = newKey();
  const user = newKey();
  const client = new ColoniesClient({ url: lb.url, prvKey: user.prv });
  await client.addColony({ colonyid: owner.id, name: colony }, servers.serverKey.prv);
  await client.addUser({ colonyname: colony, userid: user.id, name: 'u', email: '', phone: '' }, owner.prv);

  const ran = new Map<string, number>();
  const warnings: string[] = [];
  const during = () => new Promise<void>((r) => setTimeout(r, 1));
  const executors = runtimeExecutors({ url: lb.url, colony, ownerPrv: owner.prv, type, name, n: 3, ran, during, warnings });
  closers.push(async () => void (await Promise.all(executors.map((h) => h.stop(0)))));
  await Promise.all(executors.map((h) => h.ready));
  return { ports, replicas, client, colony, type, ran, warnings, env };
}

/** The colony's statistics once nothing is WAITING or RUNNING any more, or at `ms`. */
async function settled(client: ColoniesClient, colony: string, ms: number) {
  const end = Date.now() + ms;
  let s = await client.getColonyStatistics(colony);
  while ((s.waitingprocesses > 0 || s.runningprocesses > 0) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    s = await client.getColonyStatistics(colony);
  }
  return s;
}

test('two replicas behind a balancer: the leader is killed under load, nothing acknowledged is lost, nothing runs twice', async () => {
  const { ports, replicas, client, colony, type, ran } = await cluster('ha');

  // who leads: the replica to kill
  let leaderPort = 0;
  for (let i = 0; i < 100 && !leaderPort; i++) {
    const cl = await client.getCluster(servers.serverKey.prv);
    if (cl.nodes?.length === 2) leaderPort = cl.leader.port;
    else await new Promise((r) => setTimeout(r, 100));
  }
  expect(ports).toContain(leaderPort);
  const leader = replicas[ports.indexOf(leaderPort)];
  const survivor = ports[1 - ports.indexOf(leaderPort)];

  const N = 400;
  const acked: string[] = [];
  let unanswered = 0;
  let sent = 0;
  const stats = () => client.getColonyStatistics(colony);
  const submitter = async () => {
    while (sent < N) {
      sent++;
      try {
        const p = await client.submitFunctionSpec({ funcname: 'work', maxexectime: 4, maxretries: 5, conditions: { colonyname: colony, executortype: type } });
        acked.push(p.processid);
      } catch {
        unanswered++; // cut off by the kill: stored or not, nobody was told
      }
    }
  };
  // kill the leader while submits, assigns and closes are in flight
  const killer = async () => {
    while ((await stats()).successfulprocesses < N / 8) await new Promise((r) => setTimeout(r, 5));
    await kill(leader);
  };
  await Promise.all([submitter(), submitter(), submitter(), killer()]);
  expect(leader.signalCode).toBe('SIGKILL');
  expect(acked.length + unanswered).toBe(N);

  const s = await settled(client, colony, 60_000);
  expect(s).toMatchObject({ waitingprocesses: 0, runningprocesses: 0, failedprocesses: 0 });
  // every acknowledged submit is there and SUCCESS with its output; at most the unanswered
  // submits were stored besides
  expect(s.successfulprocesses - acked.length).toBeGreaterThanOrEqual(0);
  expect(s.successfulprocesses - acked.length).toBeLessThanOrEqual(unanswered);
  for (const id of [acked[0], acked[acked.length >> 1], acked[acked.length - 1]]) expect((await client.getProcess(id)).out).toEqual([id]);
  expect(acked.filter((id) => ran.get(id) !== 1)).toEqual([]);
  // the survivor leads now (it takes the lock at its next election, within 2 s of the kill)
  let led = 0;
  for (let i = 0; i < 150 && led !== survivor; i++) {
    led = (await client.getCluster(servers.serverKey.prv)).leader.port;
    if (led !== survivor) await new Promise((r) => setTimeout(r, 100));
  }
  expect(led).toBe(survivor);
}, 120_000);

// Without a delay, the replica stops listening as its /health turns 503: connections the kernel
// had completed but the server not yet accepted are reset (the balancer says 502). With
// COLONIES_SHUTDOWN_DELAY the balancer's health check sees the 503 first and stops sending work
// there, so nothing is reset.
test.each([
  { name: 'rolling', delay: '', maxErrors: 10 },
  { name: 'rolling-delay', delay: '1', maxErrors: 0 },
])('a rolling restart (SIGTERM one replica, start it again, then the other) strands nothing and runs nothing twice; COLONIES_SHUTDOWN_DELAY=$delay', async ({ name, delay, maxErrors }) => {
  const { ports, replicas, client, colony, type, ran, warnings, env } = await cluster(name, delay ? { COLONIES_SHUTDOWN_DELAY: delay } : {});

  const N = 600;
  const acked: string[] = [];
  const errors: string[] = [];
  let sent = 0;
  let restarted = false;
  const submitter = async () => {
    while (sent < N || !restarted) {
      sent++;
      try {
        acked.push((await client.submitFunctionSpec({ funcname: 'work', maxexectime: 30, conditions: { colonyname: colony, executortype: type } })).processid);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
  };
  /** SIGTERM: the replica drains and exits by itself */
  const stop = (i: number) =>
    new Promise<number | null>((resolve) => {
      replicas[i].once('exit', (code) => resolve(code));
      replicas[i].kill('SIGTERM');
    });
  const roll = async () => {
    while (acked.length < N / 6) await new Promise((r) => setTimeout(r, 5));
    for (const i of [0, 1]) {
      expect(await stop(i)).toBe(0);
      replicas[i] = await servers.start(ports[i], env);
    }
    restarted = true;
  };
  await Promise.all([submitter(), submitter(), submitter(), roll()]);
  // The only requests left unanswered: connections the kernel had completed but the server had
  // not accepted yet when it closed its listener (reset; see above).
  expect(errors.every((m) => m.includes('502'))).toBe(true);
  expect(errors.length).toBeLessThanOrEqual(maxErrors);

  // Nothing is stranded: no assignment waits for its maxexectime (30 s) to come back.
  const s = await settled(client, colony, 20_000);
  expect(s).toMatchObject({ waitingprocesses: 0, runningprocesses: 0, failedprocesses: 0 });
  expect(s.successfulprocesses - acked.length).toBeGreaterThanOrEqual(0);
  expect(s.successfulprocesses - acked.length).toBeLessThanOrEqual(errors.length);
  expect(acked.filter((id) => ran.get(id) !== 1)).toEqual([]);
  // an executor request reset the same way was sent again (a close) or asked anew (an assign);
  // no result was given up
  expect(warnings.filter((w) => !w.includes('trying again') && !w.startsWith('assign failed'))).toEqual([]);
}, 120_000);
