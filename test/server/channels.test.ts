// Channels: channelappendmsg / channelreadmsg / subscribechannelmsg (PROTOCOL §6.14, §7.3,
// SEMANTICS §13), on the real HTTP and WebSocket API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKey, setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';
import { pubsubStats } from '../../src/server/pubsub.js';
import { openPubsub } from '../helpers/ws.js';

let t: TestServer;
let c: Cast;
let n = 0;

beforeAll(async () => {
  t = await startTestServer();
  c = await setupColony(t, 'chan', 'chatter');
});
afterAll(() => t?.close());

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A fresh colony per test keeps assignments apart. */
async function freshColony(): Promise<Cast> {
  n++;
  return setupColony(t, `chan${n}`, 'chatter');
}

async function submit(cast: Cast, channels: string[] | null = ['chat']): Promise<any> {
  return t.call(
    'submitfuncspecmsg',
    {
      spec: {
        funcname: 'chat',
        maxwaittime: -1,
        maxexectime: -1,
        maxretries: -1,
        conditions: { colonyname: cast.colonyName, executortype: cast.executor.type },
        ...(channels ? { channels } : {}),
      },
    },
    cast.user,
  );
}

async function assign(cast: Cast): Promise<any> {
  return t.call('assignprocessmsg', { colonyname: cast.colonyName, timeout: -1 }, cast.executor);
}

const read = (processid: string, key = c.user, afterseq = 0, limit = 0, name = 'chat') =>
  t.call<any[]>('channelreadmsg', { processid, name, afterseq, limit }, key);

describe('channelappendmsg / channelreadmsg', () => {
  it('appends (byte array and base64 payloads) and reads back in order, afterseq is an index', async () => {
    const p = await submit(c);
    expect(await t.call('channelappendmsg', { processid: p.processid, name: 'chat', sequence: 1, payload: [104, 105] }, c.user)).toEqual({});
    await t.call('channelappendmsg', { processid: p.processid, name: 'chat', sequence: 2, payload: b64('yo'), payloadtype: 'end' }, c.user);
    const all = await read(p.processid);
    expect(all).toHaveLength(2);
    expect(all[0]).toMatchObject({ sequence: 1, senderid: c.user.id, payload: b64('hi'), type: 'data' });
    expect(all[1]).toMatchObject({ sequence: 2, senderid: c.user.id, payload: b64('yo'), type: 'end' });
    expect(all[0]).not.toHaveProperty('inreplyto');
    expect(all[0].timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
    // afterseq 1 = from the second entry on (an index, not a sequence number)
    expect((await read(p.processid, c.user, 1)).map((e) => e.sequence)).toEqual([2]);
    expect(await read(p.processid, c.user, 2)).toEqual([]);
    expect((await read(p.processid, c.user, 0, 1)).map((e) => e.sequence)).toEqual([1]);
    expect((await read(p.processid, c.user, -5)).length).toBe(2);
  });

  it('keeps inreplyto and an empty channel reads as []', async () => {
    const p = await submit(c);
    expect(await read(p.processid)).toEqual([]);
    await t.call('channelappendmsg', { processid: p.processid, name: 'chat', sequence: 7, inreplyto: 3, payload: '' }, c.user);
    const [e] = await read(p.processid);
    expect(e).toMatchObject({ sequence: 7, inreplyto: 3, payload: '', type: 'data' });
  });

  it('orders entries of one sender by sequence, others by arrival', async () => {
    const cast = await freshColony();
    const p = await submit(cast);
    await assign(cast);
    const app = (key: any, sequence: number) =>
      t.call('channelappendmsg', { processid: p.processid, name: 'chat', sequence, payload: b64(`${sequence}`) }, key);
    await app(cast.executor, 2);
    await app(cast.user, 10);
    await app(cast.executor, 1); // late: goes before the executor's sequence 2
    await app(cast.executor, 3);
    const log = await read(p.processid, cast.user);
    expect(log.map((e) => [e.senderid === cast.executor.id ? 'x' : 'u', e.sequence])).toEqual([
      ['x', 1],
      ['x', 2],
      ['u', 10],
      ['x', 3],
    ]);
  });

  it('lets only the initiator and the assigned executor in', async () => {
    const cast = await freshColony();
    const p = await submit(cast);
    const other = { ...newKey(), name: 'other' };
    await t.call('addusermsg', { user: { colonyname: cast.colonyName, userid: other.id, name: other.name } }, cast.owner);
    // the executor is a member but not yet a party
    expect(await t.fail('channelreadmsg', { processid: p.processid, name: 'chat' }, cast.executor)).toEqual({
      status: 403,
      message: 'Not authorized to read from channel',
    });
    expect(await t.fail('channelappendmsg', { processid: p.processid, name: 'chat', sequence: 1, payload: 'aGk=' }, other)).toEqual({
      status: 403,
      message: 'Not authorized to write to channel',
    });
    await assign(cast);
    await t.call('channelappendmsg', { processid: p.processid, name: 'chat', sequence: 1, payload: b64('x') }, cast.executor);
    expect(await read(p.processid, cast.executor)).toHaveLength(1);
    // the refused append changed nothing
    expect((await read(p.processid, cast.user)).map((e) => e.senderid)).toEqual([cast.executor.id]);
  });

  it('refuses non-members, unknown processes and unknown or closed channels', async () => {
    const cast = await freshColony();
    const p = await submit(cast);
    const stranger = newKey();
    expect(await t.fail('channelappendmsg', { processid: p.processid, name: 'chat', sequence: 1, payload: '' }, stranger)).toEqual({
      status: 403,
      message: `Access denied, not a member of Colony with name <${cast.colonyName}>`,
    });
    expect(await t.fail('channelreadmsg', { processid: 'f'.repeat(64), name: 'chat' }, cast.user)).toEqual({
      status: 404,
      message: 'Process not found',
    });
    expect(await t.fail('channelreadmsg', { processid: p.processid, name: 'nope' }, cast.user)).toEqual({
      status: 404,
      message: 'Channel not found',
    });
    const plain = await submit(cast, null);
    expect(await t.fail('channelappendmsg', { processid: plain.processid, name: 'chat', sequence: 1, payload: '' }, cast.user)).toEqual({
      status: 404,
      message: 'Channel not found',
    });
    // closing the process destroys its channels
    await t.call('channelappendmsg', { processid: p.processid, name: 'chat', sequence: 1, payload: '' }, cast.user);
    await assign(cast);
    await t.call('closesuccessfulmsg', { processid: p.processid, out: [] }, cast.executor);
    expect(await t.fail('channelreadmsg', { processid: p.processid, name: 'chat' }, cast.user)).toEqual({
      status: 404,
      message: 'Channel not found',
    });
    expect(await t.fail('channelappendmsg', { processid: p.processid, name: 'chat', sequence: 2, payload: '' }, cast.user)).toEqual({
      status: 404,
      message: 'Channel not found',
    });
  });

  it('enforces the payload size, log size and rate limits', async () => {
    const p = await submit(c);
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 1).toString('base64');
    expect(await t.fail('channelappendmsg', { processid: p.processid, name: 'chat', sequence: 1, payload: big }, c.user)).toEqual({
      status: 500,
      message: 'message payload exceeds maximum size',
    });
    expect(await read(p.processid)).toEqual([]);

    await t.call('channelappendmsg', { processid: p.processid, name: 'chat', sequence: 1, payload: '' }, c.user);
    const db = t.server.srv.db;
    // a full log (10 000 entries) refuses more
    await db.query('UPDATE channels SET entries = 10000 WHERE processid = $1', [p.processid]);
    expect(await t.fail('channelappendmsg', { processid: p.processid, name: 'chat', sequence: 2, payload: '' }, c.user)).toEqual({
      status: 500,
      message: 'channel log is full',
    });
    await db.query('UPDATE channels SET entries = 1 WHERE processid = $1', [p.processid]);
    // the per-process token bucket: two tokens left and (refill time in the future) no refill
    const future = (BigInt(Date.now() + 600_000) * 1_000_000n).toString();
    await db.query('UPDATE channel_rates SET tokens = 2, refilled = $2 WHERE processid = $1', [p.processid, future]);
    await t.call('channelappendmsg', { processid: p.processid, name: 'chat', sequence: 2, payload: '' }, c.user);
    await t.call('channelappendmsg', { processid: p.processid, name: 'chat', sequence: 3, payload: '' }, c.user);
    expect(await t.fail('channelappendmsg', { processid: p.processid, name: 'chat', sequence: 4, payload: '' }, c.user)).toEqual({
      status: 500,
      message: 'rate limit exceeded',
    });
    expect((await read(p.processid)).map((e) => e.sequence)).toEqual([1, 2, 3]);
    const [bucket] = await db.query<{ tokens: number }>('SELECT tokens FROM channel_rates WHERE processid = $1', [p.processid]);
    expect(bucket.tokens).toBe(0);
  });

  it('removing the process removes its channel rows', async () => {
    const cast = await freshColony();
    const p = await submit(cast);
    await t.call('channelappendmsg', { processid: p.processid, name: 'chat', sequence: 1, payload: '' }, cast.user);
    await t.call('removeprocessmsg', { processid: p.processid }, cast.user);
    const db = t.server.srv.db;
    const rows = await db.query<{ n: number }>(
      'SELECT (SELECT count(*) FROM channels WHERE processid = $1)::int + (SELECT count(*) FROM channel_entries WHERE processid = $1)::int AS n',
      [p.processid],
    );
    expect(rows[0].n).toBe(0);
  });
});

describe('subscribechannelmsg', () => {
  it('sends the existing entries from afterseq, then each new entry, then [] at the timeout', async () => {
    const cast = await freshColony();
    const p = await submit(cast);
    for (const s of [1, 2, 3]) {
      await t.call('channelappendmsg', { processid: p.processid, name: 'chat', sequence: s, payload: b64(`m${s}`) }, cast.user);
    }
    const ws = await openPubsub(t.url);
    ws.subscribe('subscribechannelmsg', { processid: p.processid, name: 'chat', afterseq: 1, timeout: 2 }, cast.user);
    const [first] = await ws.waitFrames(1);
    expect(first.payloadtype).toBe('subscribechannelmsg');
    expect(first.payload.map((e: any) => e.sequence)).toEqual([2, 3]);
    await assign(cast);
    await t.call('channelappendmsg', { processid: p.processid, name: 'chat', sequence: 1, payload: b64('reply'), inreplyto: 3 }, cast.executor);
    const frames = await ws.waitFrames(2);
    expect(frames[1].payload).toEqual([expect.objectContaining({ sequence: 1, inreplyto: 3, senderid: cast.executor.id, payload: b64('reply') })]);
    const end = await ws.waitFrames(3);
    expect(end[2]).toMatchObject({ payloadtype: 'subscribechannelmsg', error: false, payload: [] });
    // the stream ended, the socket stays open (as in Go)
    expect(ws.isClosed()).toBe(false);
    ws.close();
  });

  it('sends no first frame for an empty channel and streams to every subscriber', async () => {
    const cast = await freshColony();
    const p = await submit(cast);
    await assign(cast);
    const a = await openPubsub(t.url);
    const b = await openPubsub(t.url);
    a.subscribe('subscribechannelmsg', { processid: p.processid, name: 'chat', timeout: 10 }, cast.user);
    b.subscribe('subscribechannelmsg', { processid: p.processid, name: 'chat', timeout: 10 }, cast.executor);
    await waitSubscribers(2);
    await t.call('channelappendmsg', { processid: p.processid, name: 'chat', sequence: 1, payload: b64('x') }, cast.user);
    for (const ws of [a, b]) {
      const [f] = await ws.waitFrames(1);
      expect(f.payload).toEqual([expect.objectContaining({ sequence: 1, payload: b64('x') })]);
      ws.close();
    }
  });

  it('delivers the last entries when the process closes, then stops streaming', async () => {
    const cast = await freshColony();
    const p = await submit(cast);
    await assign(cast);
    const ws = await openPubsub(t.url);
    ws.subscribe('subscribechannelmsg', { processid: p.processid, name: 'chat', timeout: 30 }, cast.user);
    await waitSubscribers(1);
    await t.call('channelappendmsg', { processid: p.processid, name: 'chat', sequence: 1, payload: '', payloadtype: 'end' }, cast.executor);
    await t.call('closesuccessfulmsg', { processid: p.processid, out: [] }, cast.executor);
    const [f] = await ws.waitFrames(1);
    expect(f.payload).toEqual([expect.objectContaining({ sequence: 1, type: 'end' })]);
    await until(() => subscriberCount() === 0);
    ws.close();
  });

  it('answers errors with error frames and keeps the socket open', async () => {
    const cast = await freshColony();
    const p = await submit(cast);
    const ws = await openPubsub(t.url);
    ws.subscribe('subscribechannelmsg', { processid: 'a'.repeat(64), name: 'chat' }, cast.user);
    ws.subscribe('subscribechannelmsg', { processid: p.processid, name: 'nope' }, cast.user);
    ws.subscribe('subscribechannelmsg', { processid: p.processid, name: 'chat' }, cast.executor);
    ws.subscribe('subscribechannelmsg', { processid: p.processid, name: 'chat' }, newKey());
    const frames = await ws.waitFrames(4);
    const errors = frames.map((f) => ({ error: f.error, ...f.payload }));
    expect(errors).toEqual(
      expect.arrayContaining([
        { error: true, status: 404, message: 'Process not found' },
        { error: true, status: 404, message: 'Channel not found' },
        { error: true, status: 403, message: 'Not authorized to subscribe to channel' },
        { error: true, status: 403, message: `Access denied, not a member of Colony with name <${cast.colonyName}>` },
      ]),
    );
    expect(ws.isClosed()).toBe(false);
    expect(subscriberCount()).toBe(0);
    ws.close();
  });
});

function subscriberCount(): number {
  return pubsubStats(t.server.srv).channelSubscribers;
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function waitSubscribers(k: number): Promise<void> {
  await until(() => subscriberCount() >= k);
}
