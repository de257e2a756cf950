// The SDK's WebSocket helpers against a real server.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ColoniesClient, ColoniesError, ProcessState, WAIT_TIMEOUT_STATUS, type Process } from '../../src/client/index.js';
import { setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';

let t: TestServer;
let cast: Cast;
let client: ColoniesClient;

beforeAll(async () => {
  t = await startTestServer();
  cast = await setupColony(t, 'rt');
  client = new ColoniesClient({ url: t.url, prvKey: cast.user.prv });
});
afterAll(() => t?.close());

const submit = (funcname = 'f') =>
  client.submitFunctionSpec({ funcname, maxexectime: -1, conditions: { colonyname: cast.colonyName, executortype: cast.executor.type } });

describe('WebSocket subscriptions', () => {
  test('waitForProcess resolves when the process reaches the state', async () => {
    const p = await submit();
    const running = client.waitForProcess(p.processid, ProcessState.RUNNING, 10);
    await client.assign(cast.colonyName, 5, '', '', cast.executor.prv);
    const r = await running;
    expect(r.processid).toBe(p.processid);
    expect(r.state).toBe(ProcessState.RUNNING);
    await client.closeSuccessful(p.processid, ['ok'], cast.executor.prv);
  });

  test('waitForProcess resolves at once if the process is already there', async () => {
    const p = await submit();
    const w = await client.waitForProcess(p.processid, ProcessState.WAITING, 5);
    expect(w.state).toBe(ProcessState.WAITING);
    await client.cancelProcess(p.processid);
  });

  test('waitForProcessEnd sees failures and cancellations', async () => {
    const p = await submit();
    const end = client.waitForProcessEnd(p.processid, 10);
    await client.assign(cast.colonyName, 5, '', '', cast.executor.prv);
    await client.closeFailed(p.processid, ['bad'], cast.executor.prv);
    const f = await end;
    expect(f.state).toBe(ProcessState.FAILED);
    expect(f.errors).toEqual(['bad']);

    const q = await submit();
    const cancelled = client.waitForProcessEnd(q.processid, 10);
    await client.cancelProcess(q.processid);
    expect((await cancelled).state).toBe(ProcessState.CANCELLED);
  });

  test('waitForProcess times out with status 408', async () => {
    const p = await submit();
    const e = await client.waitForProcess(p.processid, ProcessState.SUCCESS, 1).catch((x) => x);
    expect(e).toBeInstanceOf(ColoniesError);
    expect(e.status).toBe(WAIT_TIMEOUT_STATUS);
    await client.cancelProcess(p.processid);
  });

  test('subscribing to an unknown process rejects with the server error', async () => {
    const e = await client.waitForProcess('0'.repeat(64), ProcessState.SUCCESS, 5).catch((x) => x);
    expect(e).toBeInstanceOf(ColoniesError);
    expect(e.status).toBeGreaterThanOrEqual(400);
  });

  test('subscribeProcess delivers each frame; close() ends it', async () => {
    const p = await submit();
    const frames: Process[] = [];
    const sub = client.subscribeProcess(p.processid, ProcessState.WAITING, 10, (x) => frames.push(x));
    await expect.poll(() => frames.length).toBe(1);
    sub.close();
    await sub.done;
    await client.cancelProcess(p.processid);
  });

  test('subscribeProcesses (executor) sees new waiting processes of its type', async () => {
    const seen: string[] = [];
    const sub = client.subscribeProcesses(cast.executor.type, ProcessState.WAITING, 10, (x) => seen.push(x.processid), cast.colonyName, cast.executor.prv);
    // The subscription is registered asynchronously: submit until one of ours is seen.
    const submitted: string[] = [];
    await expect
      .poll(
        async () => {
          submitted.push((await submit('seen')).processid);
          return submitted.some((id) => seen.includes(id));
        },
        { timeout: 10_000, interval: 300 },
      )
      .toBe(true);
    sub.close();
    await sub.done;
    await client.removeAllProcesses(cast.colonyName, ProcessState.WAITING, cast.owner.prv);
  });

  test('subscribeChannel streams entries', async () => {
    const p = await client.submitFunctionSpec({ funcname: 'chat', channels: ['c'], conditions: { colonyname: cast.colonyName, executortype: cast.executor.type } });
    await client.channelAppend(p.processid, 'c', 1, 'one');
    const got: string[] = [];
    const sub = client.subscribeChannel(p.processid, 'c', 0, 10, (entries) => {
      for (const e of entries) got.push(Buffer.from(String(e.payload), 'base64').toString());
    });
    await expect.poll(() => got).toEqual(['one']);
    await client.channelAppend(p.processid, 'c', 2, 'two');
    await expect.poll(() => got).toEqual(['one', 'two']);
    sub.close();
    await client.cancelProcess(p.processid);
  });
});
