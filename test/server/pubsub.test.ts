// GET /pubsub: subscribeprocessmsg and subscribeprocessesmsg (PROTOCOL §7, SEMANTICS §15,
// DECISIONS: only members and the colony owner subscribe; events never cross colonies).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserCrypto } from '../../src/crypto/index.js';
import { encodePayload } from '../../src/protocol/envelope.js';
import { pubsubStats } from '../../src/server/pubsub.js';
import { newKey, setupColony, startTestServer, type Cast, type Key, type TestServer } from '../helpers/server.js';
import { openPubsub } from '../helpers/ws.js';

let t: TestServer;
let n = 0;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.close());

async function colony(type = 'worker'): Promise<Cast> {
  n++;
  return setupColony(t, `ps${n}`, type);
}

const submit = (cast: Cast, key: Key = cast.user) =>
  t.call('submitfuncspecmsg', {
    spec: { funcname: 'f', maxwaittime: -1, maxexectime: -1, conditions: { colonyname: cast.colonyName, executortype: cast.executor.type } },
  }, key);

const processSubs = () => pubsubStats(t.server.srv).processSubscribers;

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('subscribeprocessmsg', () => {
  it('sends RUNNING and SUCCESS frames while an executor assigns and closes', async () => {
    const c = await colony();
    const p = await submit(c);
    const running = await openPubsub(t.url);
    const success = await openPubsub(t.url);
    const before = processSubs();
    running.subscribe('subscribeprocessmsg', { colonyname: c.colonyName, processid: p.processid, state: 1, timeout: 20 }, c.user);
    // the colony owner may subscribe too (DECISIONS)
    success.subscribe('subscribeprocessmsg', { processid: p.processid, executortype: c.executor.type, state: 2, timeout: 20 }, c.owner);
    await until(() => processSubs() >= before + 2);

    const assigned = await t.call('assignprocessmsg', { colonyname: c.colonyName, timeout: -1 }, c.executor);
    expect(assigned.processid).toBe(p.processid);
    const [r] = await running.waitFrames(1);
    expect(r).toMatchObject({ payloadtype: 'subscribeprocessmsg', error: false, binary: false });
    expect(r.payload).toMatchObject({ processid: p.processid, state: 1, isassigned: true, assignedexecutorid: c.executor.id });

    await t.call('closesuccessfulmsg', { processid: p.processid, out: ['done'] }, c.executor);
    const [s] = await success.waitFrames(1);
    expect(s.payload).toMatchObject({ processid: p.processid, state: 2, out: ['done'] });
    expect(running.frames).toHaveLength(1);
    running.close();
    success.close();
  });

  it('sends a frame at once when the process is already in the state, and closes at the timeout', async () => {
    const c = await colony();
    const p = await submit(c);
    const ws = await openPubsub(t.url);
    ws.subscribe('subscribeprocessmsg', { processid: p.processid, state: 0, timeout: 1 }, c.user);
    const [f] = await ws.waitFrames(1);
    expect(f.payload).toMatchObject({ processid: p.processid, state: 0 });
    await ws.closed;
    expect(ws.frames).toHaveLength(1);
  });

  it('closes at once with timeout 0', async () => {
    const c = await colony();
    const p = await submit(c);
    const ws = await openPubsub(t.url);
    ws.subscribe('subscribeprocessmsg', { processid: p.processid, state: 2, timeout: 0 }, c.user);
    await ws.closed;
    expect(ws.frames).toEqual([]);
  });

  it('closes without a frame on a bad signature or an unparsable envelope', async () => {
    const c = await colony();
    const p = await submit(c);
    const before = processSubs();
    const bad = await openPubsub(t.url);
    const payload = encodePayload({ processid: p.processid, state: 0, timeout: 5, msgtype: 'subscribeprocessmsg' });
    bad.sendRaw(JSON.stringify({ signature: 'abcd', payloadtype: 'subscribeprocessmsg', payload }));
    await bad.closed;
    expect(bad.frames).toEqual([]);

    const garbage = await openPubsub(t.url);
    garbage.sendRaw('this is not json');
    await garbage.closed;
    expect(garbage.frames).toEqual([]);
    expect(processSubs()).toBe(before);
  });

  it('answers non-members and unknown processes with 403 frames and keeps the socket open', async () => {
    const c = await colony();
    const other = await colony();
    const p = await submit(c);
    const before = processSubs();
    const ws = await openPubsub(t.url);
    ws.subscribe('subscribeprocessmsg', { processid: p.processid, state: 0, timeout: 5 }, newKey());
    let frames = await ws.waitFrames(1);
    expect(frames[0]).toMatchObject({
      payloadtype: 'error',
      error: true,
      payload: { status: 403, message: `Access denied, not a member or owner of Colony with name <${c.colonyName}>` },
    });
    // a member of another colony is refused just the same
    ws.subscribe('subscribeprocessmsg', { processid: p.processid, state: 0, timeout: 5 }, other.user);
    frames = await ws.waitFrames(2);
    expect(frames[1].payload).toEqual({ status: 403, message: `Access denied, not a member or owner of Colony with name <${c.colonyName}>` });
    ws.subscribe('subscribeprocessmsg', { processid: 'b'.repeat(64), state: 0, timeout: 5 }, c.user);
    frames = await ws.waitFrames(3);
    expect(frames[2].payload).toEqual({ status: 403, message: `Invalid process with Id ${'b'.repeat(64)}` });
    expect(processSubs()).toBe(before);
    // still open: a valid subscription on the same socket works
    ws.subscribe('subscribeprocessmsg', { processid: p.processid, state: 0, timeout: 5 }, c.user);
    frames = await ws.waitFrames(4);
    expect(frames[3].payload).toMatchObject({ processid: p.processid, state: 0 });
    ws.close();
  });

  it('rejects a msgtype mismatch and non-subscribe payloadtypes with error frames', async () => {
    const c = await colony();
    const ws = await openPubsub(t.url);
    const payload = encodePayload({ processid: 'x', msgtype: 'getprocessmsg' });
    ws.sendRaw(JSON.stringify({ signature: browserCrypto.sign(payload, c.user.prv), payloadtype: 'subscribeprocessmsg', payload }));
    let frames = await ws.waitFrames(1);
    expect(frames[0].payload).toEqual({ status: 403, message: 'Failed to subscribe to process, msg.MsgType does not match payloadType' });
    ws.subscribe('getprocessmsg', { processid: 'x' }, c.user);
    frames = await ws.waitFrames(2);
    expect(frames[1].payload).toEqual({ status: 403, message: 'invalid rpcMsg.PayloadType: getprocessmsg' });
    expect(ws.isClosed()).toBe(false);
    ws.close();
  });

  it('answers a binary request with binary frames', async () => {
    const c = await colony();
    const p = await submit(c);
    const ws = await openPubsub(t.url);
    ws.subscribe('subscribeprocessmsg', { processid: p.processid, state: 0, timeout: 5 }, c.user, true);
    const [f] = await ws.waitFrames(1);
    expect(f).toMatchObject({ binary: true, payloadtype: 'subscribeprocessmsg' });
    ws.close();
  });

  it('refuses upgrades on other paths', async () => {
    await expect(openPubsub(t.url, '/api')).rejects.toThrow();
    await expect(openPubsub(t.url, '/pubsubx')).rejects.toThrow();
  });
});

describe('subscribeprocessesmsg', () => {
  it('needs an executor', async () => {
    const c = await colony();
    const ws = await openPubsub(t.url);
    ws.subscribe('subscribeprocessesmsg', { executortype: c.executor.type, state: 0, timeout: 5 }, c.user);
    const [f] = await ws.waitFrames(1);
    expect(f).toMatchObject({ payloadtype: 'error', error: true, payload: { status: 403, message: 'executor not found' } });
    expect(ws.isClosed()).toBe(false);
    ws.close();
  });

  it("delivers every matching event of the executor's own colony to every subscriber, never another colony's", async () => {
    const type = 'shared-type';
    const mine = await colony(type);
    const theirs = await colony(type);
    const second = { ...newKey(), name: 'second' };
    await t.call('addexecutormsg', { executor: { executorid: second.id, executortype: type, executorname: second.name, colonyname: mine.colonyName } }, mine.owner);
    await t.call('approveexecutormsg', { colonyname: mine.colonyName, executorname: second.name }, mine.owner);

    const a = await openPubsub(t.url);
    const b = await openPubsub(t.url);
    const before = processSubs();
    a.subscribe('subscribeprocessesmsg', { executortype: type, state: 0, timeout: 20 }, mine.executor);
    b.subscribe('subscribeprocessesmsg', { colonyname: mine.colonyName, executortype: type, state: 0, timeout: 20 }, second);
    await until(() => processSubs() >= before + 2);

    const foreign = await submit(theirs);
    const own = await submit(mine);
    for (const ws of [a, b]) {
      const [f] = await ws.waitFrames(1);
      // frames of subscribeprocessesmsg use the payloadtype subscribeprocessmsg
      expect(f.payloadtype).toBe('subscribeprocessmsg');
      expect(f.payload.processid).toBe(own.processid);
      expect(f.payload.processid).not.toBe(foreign.processid);
    }
    a.close();
    b.close();
  });

  it('refuses a colony the executor is not in', async () => {
    const c = await colony();
    const other = await colony();
    const ws = await openPubsub(t.url);
    ws.subscribe('subscribeprocessesmsg', { colonyname: other.colonyName, executortype: 'worker', state: 0, timeout: 5 }, c.executor);
    const [f] = await ws.waitFrames(1);
    expect(f.payload).toEqual({ status: 403, message: `Access denied, not a member of Colony with name <${other.colonyName}>` });
    ws.close();
  });
});
