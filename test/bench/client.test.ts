// The load generator's HTTP client (bench/lib/client.ts, undici pool): replies, error replies,
// transport errors and aborts behave as the load threads expect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BenchClient, isAbort, newKey, statusOf } from '../../bench/lib/client.js';
import { createColony } from '../../bench/lib/setup.js';
import { ColoniesError } from '../../src/protocol/errors.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { freePort } from '../helpers/ports.js';

let t: TestServer;
let address: string;
let client: BenchClient;

beforeAll(async () => {
  t = await startTestServer();
  address = t.url.replace(/^https?:\/\//, '');
  client = new BenchClient(address, 8);
});

afterAll(async () => {
  await client?.close();
  await t?.close();
});


describe('BenchClient', () => {
  it('resolves with the decoded payload, and a signed body can be sent again', async () => {
    const v = await client.call<{ msgtype: string }>('versionmsg', {}, newKey());
    expect(v.msgtype).toBe('versionmsg');
    const colony = await createColony(address, t.serverKey, 1, 'client');
    const body = client.sign('getcolonystatsmsg', { colonyname: colony.name }, colony.submitter);
    for (let i = 0; i < 3; i++) {
      const s = await client.send<{ successfulprocesses: number }>(body);
      expect(s.successfulprocesses).toBe(0);
    }
  });

  it('rejects an error reply with ColoniesError and its status', async () => {
    const e = await client.call('getcolonystatsmsg', { colonyname: 'no-such-colony' }, newKey()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ColoniesError);
    expect(statusOf(e)).toBeGreaterThanOrEqual(400);
    expect(isAbort(e)).toBe(false);
  });

  it('rejects a transport error with something that is not a ColoniesError', async () => {
    const dead = new BenchClient(`127.0.0.1:${await freePort()}`, 1); // nothing listens there
    try {
      const e = await dead.call('versionmsg', {}, newKey()).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(Error);
      expect(statusOf(e)).toBeUndefined();
    } finally {
      await dead.close();
    }
  });

  it('an abort signal ends a parked long poll as an abort', async () => {
    const colony = await createColony(address, t.serverKey, 1, 'abort');
    const ac = new AbortController();
    const msg = { colonyname: colony.name, timeout: 30, availablecpu: '', availablemem: '' };
    const pending = client.call('assignprocessmsg', msg, colony.executors[0], ac.signal).catch((x: unknown) => x);
    setTimeout(() => ac.abort(), 100);
    const e = await pending;
    expect(isAbort(e)).toBe(true);
    expect(statusOf(e)).toBeUndefined();
    // the client is still usable afterwards
    expect((await client.call<{ msgtype: string }>('versionmsg', {}, newKey())).msgtype).toBe('versionmsg');
  });
});
