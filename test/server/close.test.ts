// closesuccessfulmsg / closefailedmsg / setoutputmsg: the state machine of SEMANTICS §5, the
// assigned-executor rule, function statistics and the events each change publishes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../src/server/events.js';
import { addApprovedExecutor, newKey, setupColony, startTestServer, type Cast, type Key, type TestServer } from '../helpers/server.js';

let t: TestServer;
let c: Cast;
let other: Key;
const COLONY = 'dev';
const TYPE = 'cli';
const ZERO = '0001-01-01T00:00:00Z';

beforeAll(async () => {
  t = await startTestServer();
  c = await setupColony(t, COLONY, TYPE);
  other = newKey();
  await addApprovedExecutor(t, c.owner, COLONY, other, 'other', 'nobody');
});
afterAll(() => t?.close());

const get = (processid: string) => t.call('getprocessmsg', { processid }, c.user);

/** A RUNNING process assigned to the test executor. */
async function running(spec: Record<string, unknown> = {}) {
  const p = await t.call(
    'submitfuncspecmsg',
    { spec: { funcname: 'work', maxexectime: -1, ...spec, conditions: { colonyname: COLONY, executortype: TYPE } } },
    c.user,
  );
  const a = await t.call('assignprocessmsg', { colonyname: COLONY, timeout: -1 }, c.executor);
  expect(a.processid).toBe(p.processid);
  return a;
}

describe('closesuccessfulmsg', () => {
  it('RUNNING → SUCCESS with output, endtime and attribute states; again on SUCCESS (Go quirk)', async () => {
    const p = await running({ env: { E: '1' } });
    await t.call('closesuccessfulmsg', { processid: p.processid, out: ['r', 1, { x: true }] }, c.executor);
    const s = await get(p.processid);
    expect(s).toMatchObject({ state: 2, isassigned: true, assignedexecutorid: c.executor.id, out: ['r', 1, { x: true }], errors: [] });
    expect(s.endtime).not.toBe(ZERO);
    expect(s.attributes.map((a: any) => a.state)).toEqual([2]);
    // twice: allowed, endtime moves, output replaced only when non-empty
    await t.call('closesuccessfulmsg', { processid: p.processid, out: [] }, c.executor);
    expect((await get(p.processid)).out).toEqual(['r', 1, { x: true }]);
    await t.call('closesuccessfulmsg', { processid: p.processid, out: ['again'] }, c.executor);
    const again = await get(p.processid);
    expect(again.out).toEqual(['again']);
    expect(again.endtime >= s.endtime).toBe(true);
    expect(await t.fail('closefailedmsg', { processid: p.processid, errors: ['e'] }, c.executor)).toEqual({
      status: 400,
      message: 'Tried to set successful process as failed',
    });
    expect((await get(p.processid)).state).toBe(2);
  });

  it('keeps the output of setoutputmsg when closed without output', async () => {
    const p = await running();
    await t.call('setoutputmsg', { processid: p.processid, out: ['partial'] }, c.executor);
    expect((await get(p.processid)).out).toEqual(['partial']);
    await t.call('setoutputmsg', { processid: p.processid, out: [] }, c.executor);
    await t.call('closesuccessfulmsg', { processid: p.processid }, c.executor);
    expect((await get(p.processid)).out).toEqual(['partial']);
  });

  it('only the assigned executor may close (403), refusals change nothing', async () => {
    const p = await running();
    expect(await t.fail('closesuccessfulmsg', { processid: p.processid }, other)).toEqual({
      status: 403,
      message: 'Failed to close process as successful, not allowed to close process as successful',
    });
    expect(await t.fail('closefailedmsg', { processid: p.processid }, c.user)).toEqual({
      status: 403,
      message: 'Failed to close process as failed, not allowed to close process as failed',
    });
    expect((await t.fail('closesuccessfulmsg', { processid: p.processid }, newKey())).status).toBe(403);
    expect((await t.fail('closesuccessfulmsg', { processid: p.processid }, c.owner)).status).toBe(403);
    expect(await get(p.processid)).toMatchObject({ state: 1, endtime: ZERO, out: [] });
    await t.call('closesuccessfulmsg', { processid: p.processid }, c.executor);

    const w = await t.call('submitfuncspecmsg', { spec: { funcname: 'w', conditions: { colonyname: COLONY, executortype: 'nobody-at-all' } } }, c.user);
    expect(await t.fail('closesuccessfulmsg', { processid: w.processid }, c.executor)).toEqual({
      status: 403,
      message: 'Failed to close process as successful, process is not assigned',
    });
    expect(await t.fail('closefailedmsg', { processid: w.processid }, c.executor)).toEqual({
      status: 403,
      message: 'Failed to close process as failed, process is not assigned',
    });
    expect((await get(w.processid)).state).toBe(0);
    expect(await t.fail('closesuccessfulmsg', { processid: 'a'.repeat(64) }, c.executor)).toEqual({
      status: 500,
      message: 'Failed to close process as successful, process is nil',
    });
    expect(await t.fail('closefailedmsg', { processid: 'a'.repeat(64) }, c.executor)).toEqual({
      status: 500,
      message: 'Failed to close process as failed, process is nil',
    });
  });

  it('the assigned executor must still be an approved member (403 before any state rule), and nothing changes', async () => {
    const p = await running();
    await t.call('rejectexecutormsg', { colonyname: COLONY, executorname: c.executor.name }, c.owner);
    try {
      for (const type of ['closesuccessfulmsg', 'closefailedmsg']) {
        expect(await t.fail(type, { processid: p.processid, out: ['x'], errors: ['e'] }, c.executor)).toEqual({
          status: 403,
          message: `Access denied, not a member of Colony with name <${COLONY}>`,
        });
      }
      expect(await get(p.processid)).toMatchObject({ state: 1, endtime: ZERO, out: [], errors: [] });
    } finally {
      await t.call('approveexecutormsg', { colonyname: COLONY, executorname: c.executor.name }, c.owner);
    }
    await t.call('closesuccessfulmsg', { processid: p.processid, out: ['x'] }, c.executor);
    expect(await get(p.processid)).toMatchObject({ state: 2, out: ['x'] });
  });

  it('updates the statistics of the executor’s registered function', async () => {
    await t.call(
      'addfunctionmsg',
      { fun: { executorname: c.executor.name, executortype: TYPE, colonyname: COLONY, funcname: 'stats' } },
      c.executor,
    );
    for (let i = 0; i < 2; i++) {
      const p = await running({ funcname: 'stats' });
      await t.call('closesuccessfulmsg', { processid: p.processid }, c.executor);
    }
    const fns = await t.call('getfunctionsmsg', { colonyname: COLONY, executorname: c.executor.name }, c.user);
    const f = fns.find((x: any) => x.funcname === 'stats');
    expect(f.counter).toBe(2);
    expect(f.maxexectime).toBeGreaterThanOrEqual(f.minexectime);
    expect(f.avgwaittime).toBeGreaterThan(0);
  });
});

describe('closefailedmsg', () => {
  it('RUNNING → FAILED with errors (null when none were sent); failed stays failed', async () => {
    const p = await running();
    await t.call('closefailedmsg', { processid: p.processid, errors: ['boom'] }, c.executor);
    const f = await get(p.processid);
    expect(f).toMatchObject({ state: 3, errors: ['boom'], isassigned: true });
    expect(f.endtime).not.toBe(ZERO);
    expect(await t.fail('closefailedmsg', { processid: p.processid, errors: ['x'] }, c.executor)).toEqual({
      status: 400,
      message: 'Tried to set failed process as failed',
    });
    expect(await t.fail('closesuccessfulmsg', { processid: p.processid }, c.executor)).toEqual({
      status: 400,
      message: 'Tried to set failed process as successful',
    });
    expect(await get(p.processid)).toEqual(f);

    const q = await running();
    await t.call('closefailedmsg', { processid: q.processid }, c.executor);
    expect((await get(q.processid)).errors).toBeNull();

    const r = await running();
    await t.call('cancelprocessmsg', { processid: r.processid }, c.user);
    expect(await t.fail('closefailedmsg', { processid: r.processid }, c.executor)).toEqual({
      status: 400,
      message: 'Tried to set cancelled process as failed',
    });
    expect((await get(r.processid)).state).toBe(4);
  });
});

describe('setoutputmsg', () => {
  it('assigned executor and RUNNING only (403)', async () => {
    const p = await running();
    expect(await t.fail('setoutputmsg', { processid: p.processid, out: ['x'] }, other)).toEqual({
      status: 403,
      message: 'Failed to close process as successful, not allowed to close process as successful',
    });
    await t.call('closesuccessfulmsg', { processid: p.processid, out: ['done'] }, c.executor);
    expect(await t.fail('setoutputmsg', { processid: p.processid, out: ['x'] }, c.executor)).toEqual({
      status: 403,
      message: 'Failed to set output, process is not running',
    });
    expect((await get(p.processid)).out).toEqual(['done']);
    expect((await t.fail('setoutputmsg', { processid: 'b'.repeat(64), out: ['x'] }, c.executor)).status).toBe(500);
  });
});

describe('events', () => {
  it('submit, assign, close, fail and cancel publish the new state after commit', async () => {
    const seen: ServerEvent[] = [];
    const off = t.server.srv.bus.on((e) => e.kind === 'process' && seen.push(e));
    try {
      const a = await running();
      await t.call('closesuccessfulmsg', { processid: a.processid }, c.executor);
      const b = await running();
      await t.call('closefailedmsg', { processid: b.processid }, c.executor);
      const w = await t.call(
        'submitfuncspecmsg',
        { spec: { funcname: 'n', conditions: { colonyname: COLONY, executortype: TYPE, executornames: ['x'] } } },
        c.user,
      );
      await t.call('cancelprocessmsg', { processid: w.processid }, c.user);
      const states = (id: string) => seen.filter((e) => e.kind === 'process' && e.processid === id).map((e: any) => [e.state, e.targeted ?? false]);
      expect(states(a.processid)).toEqual([
        [0, false],
        [1, false],
        [2, false],
      ]);
      expect(states(b.processid)).toEqual([
        [0, false],
        [1, false],
        [3, false],
      ]);
      expect(states(w.processid)).toEqual([
        [0, true],
        [4, false],
      ]);
      expect(seen.every((e: any) => e.colonyname === COLONY && e.executortype !== '')).toBe(true);
    } finally {
      off();
    }
  });
});
