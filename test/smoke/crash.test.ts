// "A server killed at any moment loses no acknowledged work": the real server (`colonies
// server start`, a child process) is killed with SIGKILL in the middle of a load of submits,
// assigns and closes, then started again on the same database. Everything a client got a
// reply for must be there: every acknowledged submit, every acknowledged assignment (still
// with its executor) and every acknowledged close (SUCCESS, with its output). Requests that
// were in flight may or may not have happened, but nothing else may have: no process the
// clients did not submit, no process assigned to two executors. Then the executors finish
// what they hold and drain the queue, each process exactly once. The second test does the
// same with executors of the runtime (src/executor): results they hold when the server dies are
// reported once it is back, and no process runs twice.
// Runs on the database of the pass: a PGlite data folder, or a fresh PostgreSQL schema.
import { afterAll, expect, test } from 'vitest';
import { ColoniesClient } from '../../src/client/index.js';
import { serverCrypto } from '../../src/crypto/server.js';
import { buildRequest, decodeReply } from '../../src/protocol/envelope.js';
import { ColoniesError } from '../../src/protocol/errors.js';
import { childServers, kill, newKey, runtimeExecutors, type Key } from '../helpers/child-server.js';
import { freePort } from '../helpers/ports.js';

const crypto = serverCrypto();
const COLONY = 'crash';
const TYPE = 'crash-test';
const SUBMITTERS = 3;
const EXECUTORS = 3;
/** kill once this many closes were acknowledged */
const CLOSES_BEFORE_KILL = 150;

const servers = childServers('crash');
const serverKey = servers.serverKey;
const startServer = servers.start;
afterAll(() => servers.cleanup());

test('a server killed with SIGKILL in the middle of a load loses no acknowledged submit, assignment or close', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/api`;
  /** resolves with the reply payload; rejects with ColoniesError (an answer) or a transport error (no answer) */
  const call = async (type: string, msg: Record<string, unknown>, key: Key): Promise<any> => {
    const r = await fetch(url, { method: 'POST', body: buildRequest(type as any, msg, key.prv, crypto) });
    return decodeReply(await r.text()).payload;
  };

  let server = await startServer(port);
  const owner = newKey();
  const user = newKey();
  const executors = Array.from({ length: EXECUTORS }, (_, i) => ({ ...newKey(), name: `crash-ex-${i}` }));
  await call('addcolonymsg', { colony: { colonyid: owner.id, name: COLONY } }, serverKey);
  await call('addusermsg', { user: { colonyname: COLONY, userid: user.id, name: 'crash-user', email: '', phone: '' } }, owner);
  for (const e of executors) {
    await call('addexecutormsg', { executor: { executorid: e.id, executortype: TYPE, executorname: e.name, colonyname: COLONY } }, owner);
    await call('approveexecutormsg', { colonyname: COLONY, executorname: e.name }, owner);
  }

  const submitted = new Set<string>(); // acknowledged submits
  const assignedTo = new Map<string, string>(); // acknowledged assignments: processid → executor id
  const closed = new Set<string>(); // acknowledged closes
  let stop = false;
  let killed!: () => void;
  const killNow = new Promise<void>((r) => (killed = r));
  const spec = { funcname: 'work', maxexectime: 600, maxretries: 3, conditions: { colonyname: COLONY, executortype: TYPE } };

  const submitter = async () => {
    while (!stop) {
      let p;
      try {
        p = await call('submitfuncspecmsg', { spec }, user);
      } catch (e) {
        if (e instanceof ColoniesError) throw e; // an answered error is a failure of the test
        return; // the server is gone: this submit's outcome is unknown
      }
      submitted.add(p.processid);
    }
  };
  const executor = async (e: Key) => {
    while (!stop) {
      let p;
      try {
        p = await call('assignprocessmsg', { colonyname: COLONY, timeout: 1 }, e);
      } catch (err) {
        if (err instanceof ColoniesError && err.status === 404) continue; // nothing waiting
        if (err instanceof ColoniesError) throw err;
        return;
      }
      expect(assignedTo.get(p.processid), `process ${p.processid} assigned twice`).toBeUndefined();
      assignedTo.set(p.processid, e.id);
      try {
        await call('closesuccessfulmsg', { processid: p.processid, out: [p.processid] }, e);
      } catch (err) {
        if (err instanceof ColoniesError) throw err;
        return;
      }
      closed.add(p.processid);
      if (closed.size === CLOSES_BEFORE_KILL) killed();
    }
  };
  const load = Promise.all([...Array.from({ length: SUBMITTERS }, submitter), ...executors.map(executor)]);
  await Promise.race([killNow, load.then(() => Promise.reject(new Error('the load ended before the kill')))]);
  await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 30))); // a moment within the load
  await kill(server);
  stop = true;
  await load;
  expect(closed.size).toBeGreaterThanOrEqual(CLOSES_BEFORE_KILL);

  server = await startServer(port);
  const get = (id: string) => call('getprocessmsg', { processid: id }, user);
  const before = await call('getcolonystatsmsg', { colonyname: COLONY }, user);
  const total = before.waitingprocesses + before.runningprocesses + before.successfulprocesses + before.failedprocesses + before.cancelledprocesses;
  // nothing appeared that the clients did not send: at most one unanswered submit per submitter
  expect(total - submitted.size).toBeGreaterThanOrEqual(0);
  expect(total - submitted.size).toBeLessThanOrEqual(SUBMITTERS);
  expect(before.failedprocesses).toBe(0);
  // every acknowledged submit survived; every acknowledged close is SUCCESS with its output;
  // every acknowledged assignment is still that executor's (RUNNING, or SUCCESS when its
  // unanswered close went through)
  for (const id of submitted) {
    const p = await get(id);
    expect(p.processid).toBe(id);
    if (closed.has(id)) expect(p, id).toMatchObject({ state: 2, out: [id] });
    else if (assignedTo.has(id)) {
      expect([1, 2], id).toContain(p.state);
      expect(p.assignedexecutorid, id).toBe(assignedTo.get(id));
    }
  }
  // a RUNNING process nobody was told about is an assignment whose reply was lost: at most one
  // per executor, and to an executor that asked
  const running: any[] = (await call('getprocessesmsg', { colonyname: COLONY, state: 1, count: 100 }, user)) ?? [];
  const unacked = running.filter((p) => !assignedTo.has(p.processid));
  expect(unacked.length).toBeLessThanOrEqual(EXECUTORS);
  for (const p of unacked) expect(executors.map((e) => e.id)).toContain(p.assignedexecutorid);

  // The executors finish what they were told they hold, then drain the queue.
  for (const [id, exId] of assignedTo) {
    if (closed.has(id)) continue;
    const e = executors.find((x) => x.id === exId)!;
    await call('closesuccessfulmsg', { processid: id, out: [id] }, e);
    closed.add(id);
  }
  for (let i = 0; ; i = (i + 1) % EXECUTORS) {
    let p;
    try {
      p = await call('assignprocessmsg', { colonyname: COLONY, timeout: -1 }, executors[i]);
    } catch (err) {
      if (err instanceof ColoniesError && err.status === 404) break;
      throw err;
    }
    expect(assignedTo.has(p.processid), `process ${p.processid} assigned twice`).toBe(false);
    assignedTo.set(p.processid, executors[i].id);
    await call('closesuccessfulmsg', { processid: p.processid, out: [p.processid] }, executors[i]);
    closed.add(p.processid);
  }
  const stats = await call('getcolonystatsmsg', { colonyname: COLONY }, user);
  expect(stats).toMatchObject({ waitingprocesses: 0, runningprocesses: unacked.length, successfulprocesses: total - unacked.length, failedprocesses: 0 });
  for (const id of submitted) if (!unacked.some((p) => p.processid === id)) expect(closed.has(id), id).toBe(true);
  await kill(server);
}, 180_000);

test('executors of the runtime ride out a server killed with SIGKILL: every process ends SUCCESS, each run once', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let server = await startServer(port);
  const colony = 'crash2';
  const owner = newKey();
  const user = newKey();
  const type = 'crash-runtime';
  const client = new ColoniesClient({ url, prvKey: user.prv });
  await client.addColony({ colonyid: owner.id, name: colony }, serverKey.prv);
  await client.addUser({ colonyname: colony, userid: user.id, name: 'u', email: '', phone: '' }, owner.prv);
  const ran = new Map<string, number>();
  // While `hold` is set, handlers wait for `release`: the test kills the server while both
  // executors hold a result, so that their closes find no server.
  let hold = false;
  let holding = 0;
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const executors = runtimeExecutors({
    url,
    colony,
    ownerPrv: owner.prv,
    type,
    name: 'rt',
    n: 2,
    ran,
    during: async () => {
      if (hold) {
        holding++;
        await released;
      }
    },
  });
  try {
    await Promise.all(executors.map((h) => h.ready));
    const N = 300;
    const ids: string[] = [];
    // maxexectime: an assignment whose reply died with the server would go back to the queue
    // (none here: both executors are inside a handler when the server dies); long enough for a
    // slow restart, so that the held results are still theirs to report
    for (let i = 0; i < N; i++) {
      ids.push((await client.submitFunctionSpec({ funcname: 'work', maxexectime: 30, maxretries: 5, conditions: { colonyname: colony, executortype: type } })).processid);
    }
    const stats = () => client.getColonyStatistics(colony);
    while ((await stats()).successfulprocesses < N / 4) await new Promise((r) => setTimeout(r, 20));
    hold = true;
    while (holding < executors.length) await new Promise((r) => setTimeout(r, 5));
    await kill(server);
    release(); // the two results go to a dead server: their closes are retried
    await new Promise((r) => setTimeout(r, 1000));
    server = await startServer(port);
    const end = Date.now() + 60_000;
    let s = await stats();
    while (s.successfulprocesses < N && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      s = await stats();
    }
    expect(s).toMatchObject({ successfulprocesses: N, waitingprocesses: 0, runningprocesses: 0, failedprocesses: 0 });
    for (const id of [ids[0], ids[N >> 1], ids[N - 1]]) expect((await client.getProcess(id)).out).toEqual([id]);
    // Every process ran exactly once: no result was dropped and run again after a requeue. (An
    // assignment whose reply died with the server is requeued too, but its handler never ran.)
    expect(ids.filter((id) => ran.get(id) !== 1)).toEqual([]);
  } finally {
    await Promise.all(executors.map((h) => h.stop(0)));
    await kill(server);
  }
}, 120_000);
