// The timeout loop (SEMANTICS §6, DECISIONS "maxexectime 0 = no limit"), run every 100 ms here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECOND_NS, nowNs } from '../../src/protocol/time.js';
import { sweepTimeouts } from '../../src/server/timeouts.js';
import { newKey, setupColony, startTestServer, type Cast, type Key, type TestServer } from '../helpers/server.js';

let t: TestServer;
let c: Cast;
let second: Key;
const COLONY = 'dev';
const TYPE = 'cli';

beforeAll(async () => {
  t = await startTestServer({ timeoutCheckerPeriod: 100 });
  c = await setupColony(t, COLONY, TYPE);
  second = newKey();
  await t.call('addexecutormsg', { executor: { executorid: second.id, executortype: TYPE, executorname: 'second', colonyname: COLONY } }, c.owner);
  await t.call('approveexecutormsg', { colonyname: COLONY, executorname: 'second' }, c.owner);
});
afterAll(() => t?.close());

const submit = (spec: Record<string, unknown>, executortype = TYPE) =>
  t.call('submitfuncspecmsg', { spec: { funcname: 'f', ...spec, conditions: { colonyname: COLONY, executortype } } }, c.user);
const get = (processid: string) => t.call('getprocessmsg', { processid }, c.user);

async function until(processid: string, done: (p: any) => boolean): Promise<any> {
  for (let i = 0; i < 200; i++) {
    const p = await get(processid);
    if (done(p)) return p;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`process ${processid} never reached the expected state`);
}

describe('maxexectime', () => {
  it('requeues an expired process (retries + 1, a parked executor gets it) and fails it when out of retries', async () => {
    const p = await submit({ maxexectime: 1, maxretries: 1, maxwaittime: 30 });
    const first = await t.call('assignprocessmsg', { colonyname: COLONY, timeout: -1 }, c.executor);
    expect(first.processid).toBe(p.processid);
    // the second executor waits; the requeue event must wake it
    const again = await t.call('assignprocessmsg', { colonyname: COLONY, timeout: 20 }, second);
    expect(again).toMatchObject({ processid: p.processid, retries: 1, state: 1, assignedexecutorid: second.id });
    expect(again.endtime).not.toBe('0001-01-01T00:00:00Z');
    expect(Date.parse(again.waitdeadline)).toBeGreaterThan(Date.parse(first.starttime));
    // the first executor lost it
    expect(await t.fail('closesuccessfulmsg', { processid: p.processid }, c.executor)).toEqual({
      status: 403,
      message: 'Failed to close process as successful, not allowed to close process as successful',
    });
    const failed = await until(p.processid, (x) => x.state === 3);
    expect(failed).toMatchObject({ retries: 1, errors: ['Maximum execution time limit exceeded'], assignedexecutorid: second.id });
    expect(await t.fail('closesuccessfulmsg', { processid: p.processid }, second)).toEqual({
      status: 400,
      message: 'Tried to set failed process as successful',
    });
  });

  it('0 and -1 mean no limit; maxretries -1 requeues forever', async () => {
    const none = await submit({ maxexectime: 0 });
    await t.call('assignprocessmsg', { colonyname: COLONY, timeout: -1 }, c.executor);
    const minus = await submit({ maxexectime: -1 });
    await t.call('assignprocessmsg', { colonyname: COLONY, timeout: -1 }, c.executor);
    const forever = await submit({ maxexectime: 1, maxretries: -1 });
    await t.call('assignprocessmsg', { colonyname: COLONY, timeout: -1 }, c.executor);
    // a sweep an hour from now: only `forever` has a deadline, and it is requeued, not failed
    await sweepTimeouts(t.server.srv, nowNs() + 3600n * SECOND_NS);
    expect((await get(none.processid)).state).toBe(1);
    expect((await get(minus.processid)).state).toBe(1);
    expect(await get(forever.processid)).toMatchObject({ state: 0, retries: 1 });
    await t.call('closesuccessfulmsg', { processid: none.processid }, c.executor);
    await t.call('closesuccessfulmsg', { processid: minus.processid }, c.executor);
    await t.call('cancelprocessmsg', { processid: forever.processid }, c.user);
  });

  it('compares whole seconds: a deadline in the current second has not expired', async () => {
    const p = await submit({ maxexectime: 5, maxretries: 0 });
    const a = await t.call('assignprocessmsg', { colonyname: COLONY, timeout: -1 }, c.executor);
    const deadline = BigInt(Date.parse(a.execdeadline)) * 1_000_000n;
    const sameSecond = (deadline / SECOND_NS) * SECOND_NS + SECOND_NS - 1n;
    await sweepTimeouts(t.server.srv, sameSecond);
    expect((await get(p.processid)).state).toBe(1);
    await sweepTimeouts(t.server.srv, sameSecond + 1n);
    expect(await get(p.processid)).toMatchObject({ state: 3, errors: ['Maximum execution time limit exceeded'] });
  });
});

describe('maxwaittime', () => {
  it('fails a process still waiting after maxwaittime; 0 and -1 never expire', async () => {
    const p = await submit({ maxwaittime: 1, env: { K: 'v' } }, 'nobody');
    const keep0 = await submit({ maxwaittime: 0 }, 'nobody');
    const keep1 = await submit({ maxwaittime: -1 }, 'nobody');
    const failed = await until(p.processid, (x) => x.state === 3);
    expect(failed).toMatchObject({ errors: ['Maximum waiting time limit exceeded'], isassigned: false, assignedexecutorid: '' });
    expect(failed.endtime).not.toBe('0001-01-01T00:00:00Z');
    expect(failed.attributes[0].state).toBe(3);
    await sweepTimeouts(t.server.srv, nowNs() + 3600n * SECOND_NS);
    expect((await get(keep0.processid)).state).toBe(0);
    expect((await get(keep1.processid)).state).toBe(0);
    await t.call('removeallprocessesmsg', { colonyname: COLONY, state: -1 }, c.owner);
  });
});
