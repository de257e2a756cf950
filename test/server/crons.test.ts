// Crons (PROTOCOL §6.12, SEMANTICS §10): validation, CRUD, the trigger loop (server started
// with a 100 ms checker period), runcron, waitforprevprocessgraph and root input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextRun, parseCronExpression, parseGoDuration } from '../../src/domain/cron-schedule.js';
import { parseTime, ZERO_TIME } from '../../src/protocol/time.js';
import { newKey, setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';
import { assignNow, node, sleep, waitFor, workflow } from '../helpers/workflow.js';

let t: TestServer;
let c: Cast;
const COLONY = 'crons';
const spec = (nodename: string, executortype = 'nobody') =>
  JSON.stringify(workflow(COLONY, { ...node(nodename), conditions: { executortype } }));

beforeAll(async () => {
  t = await startTestServer({ cronCheckerPeriod: 100 });
  c = await setupColony(t, COLONY);
});
afterAll(() => t?.close());

const addCron = (cron: Record<string, unknown>) =>
  t.call('addcronmsg', { cron: { colonyname: COLONY, cronexpression: '', interval: 3600, random: false, waitforprevprocessgraph: false, ...cron } }, c.user);
const getCron = (cronid: string) => t.call('getcronmsg', { cronid }, c.user);
const crons = () => t.call('getcronsmsg', { colonyname: COLONY, count: 100 }, c.user);
const waitingGraphs = async () => (await t.call('getprocessgraphsmsg', { colonyname: COLONY, count: 100, state: 0 }, c.user)) ?? [];

describe('addcronmsg', () => {
  it('stores a cron (ids, initiator, zero times) and lists it; getcron fills checkerperiod', async () => {
    const cron = await addCron({ name: 'stored', workflowspec: spec('s') });
    expect(cron).toMatchObject({ initiatorid: c.user.id, initiatorname: c.user.name, colonyname: COLONY, name: 'stored', interval: 3600 });
    expect(cron.cronid).toMatch(/^[0-9a-f]{64}$/);
    expect([cron.nextrun, cron.lastrun, cron.prevprocessgraphid, cron.checkerperiod]).toEqual([ZERO_TIME, ZERO_TIME, '', 0]);
    expect((await getCron(cron.cronid)).checkerperiod).toBe(100);
    expect((await crons()).map((x: any) => x.cronid)).toContain(cron.cronid);
    await t.call('removecronmsg', { cronid: cron.cronid }, c.user);
  });

  it.each([
    ['interval 0', { interval: 0 }, 'Cron interval must be -1 (disabled) or larger than 0'],
    ['a bad expression', { interval: -1, cronexpression: 'bad' }, 'expected exactly 6 fields, found 1: [bad]'],
    ['a 5-field expression', { interval: -1, cronexpression: '* * * * *' }, 'expected exactly 6 fields, found 5: [* * * * *]'],
    ['random with an expression', { interval: -1, cronexpression: '0/2 * * * * *', random: true }, 'Random cron is only supported when specifying intervals'],
    ['a bad dependency', { workflowspec: JSON.stringify(workflow(COLONY, node('a', ['zz']))) }, 'Failed to submit workflow, invalid dependencies, are you depending on a nodename that does not exits?'],
  ])('refuses %s with 400 and stores nothing', async (_n, cron, message) => {
    expect(await t.fail('addcronmsg', { cron: { colonyname: COLONY, name: 'bad', workflowspec: spec('b'), ...cron } }, c.user)).toEqual({ status: 400, message });
    expect(await crons()).toEqual([]);
  });

  it('refuses workflow text that is not JSON, duplicate names (400), a nil cron (400), non-members (403)', async () => {
    expect((await t.fail('addcronmsg', { cron: { colonyname: COLONY, name: 'j', interval: 1, workflowspec: '{nope' } }, c.user)).status).toBe(400);
    const first = await addCron({ name: 'dup', workflowspec: spec('d') });
    expect(await t.fail('addcronmsg', { cron: { colonyname: COLONY, name: 'dup', interval: 5, workflowspec: spec('d') } }, c.user)).toEqual({
      status: 400,
      message: `Cron with name <dup> in Colony <${COLONY}> already exists`,
    });
    expect(await t.fail('addcronmsg', { cron: null }, c.user)).toEqual({ status: 400, message: 'Failed to add cron, msg.Cron is nil' });
    expect((await t.fail('addcronmsg', { cron: { colonyname: COLONY, name: 'x', interval: 1, workflowspec: spec('x') } }, c.owner)).status).toBe(403);
    expect((await crons()).map((x: any) => x.name)).toEqual(['dup']);
    await t.call('removecronmsg', { cronid: first.cronid }, c.user);
  });

  it('accepts a valid 6-field expression and descriptors', async () => {
    for (const [name, expr] of [['e1', '0/2 * * * * *'], ['e2', '@every 90s'], ['e3', 'TZ=Europe/Stockholm 0 30 9 * * MON-FRI'], ['e4', '@daily']]) {
      const cron = await addCron({ name, interval: -1, cronexpression: expr, workflowspec: spec(name) });
      await t.call('removecronmsg', { cronid: cron.cronid }, c.user);
    }
    expect(await crons()).toEqual([]);
  });
});

describe('get / remove', () => {
  it('unknown ids → 500, non-members → 403', async () => {
    expect(await t.fail('getcronmsg', { cronid: 'nope' }, c.user)).toEqual({ status: 500, message: 'Failed to get cron, cron is nil' });
    expect(await t.fail('removecronmsg', { cronid: 'nope' }, c.user)).toEqual({ status: 500, message: 'Failed to remove cron, cron is nil' });
    const cron = await addCron({ name: 'private', workflowspec: spec('p') });
    expect((await t.fail('getcronmsg', { cronid: cron.cronid }, newKey())).status).toBe(403);
    expect((await t.fail('removecronmsg', { cronid: cron.cronid }, newKey())).status).toBe(403);
    expect((await getCron(cron.cronid)).name).toBe('private');
    await t.call('removecronmsg', { cronid: cron.cronid }, c.user);
    expect((await t.fail('getcronmsg', { cronid: cron.cronid }, c.user)).status).toBe(500);
  });
});

describe('trigger loop', () => {
  it('fires a 1 s interval cron once per second and stops when it is removed', async () => {
    const start = Date.now();
    const cron = await addCron({ name: 'tick', interval: 1, workflowspec: spec('tick') });
    // The first tick only schedules (now + 1 s); then one run per due time.
    await waitFor(async () => (await waitingGraphs()).length >= 3, 15_000);
    const seen = await getCron(cron.cronid);
    await t.call('removecronmsg', { cronid: cron.cronid }, c.user);
    const fired = await waitingGraphs();
    expect(fired.length).toBeLessThanOrEqual(Math.floor((Date.now() - start) / 1000));
    const times = fired.map((g: any) => parseTime(g.submissiontime)!).sort((a: bigint, b: bigint) => (a < b ? -1 : 1));
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(1_000_000_000n);
    expect(seen.lastrun).not.toBe(ZERO_TIME);
    expect(fired.map((g: any) => g.processgraphid)).toContain(seen.prevprocessgraphid);
    expect(fired[0].initiatorname).toBe(c.user.name);
    const after = (await waitingGraphs()).length;
    await sleep(1500);
    expect((await waitingGraphs()).length).toBe(after);
    await t.call('removeallprocessgraphsmsg', { colonyname: COLONY, state: 0 }, c.owner);
  });
});

describe('runcronmsg', () => {
  it('runs now and replies with the cron as it was before the run', async () => {
    const cron = await addCron({ name: 'manual', workflowspec: spec('m') });
    const reply = await t.call('runcronmsg', { cronid: cron.cronid }, c.user);
    expect(reply).toMatchObject({ cronid: cron.cronid, prevprocessgraphid: '', lastrun: ZERO_TIME });
    const after = await getCron(cron.cronid);
    expect(after.prevprocessgraphid).not.toBe('');
    expect(after.lastrun).not.toBe(ZERO_TIME);
    expect(after.nextrun).not.toBe(ZERO_TIME);
    const g = await t.call('getprocessgraphmsg', { processgraphid: after.prevprocessgraphid }, c.user);
    expect(g).toMatchObject({ initiatorid: c.user.id, state: 0, colonyname: COLONY });
    await t.call('removecronmsg', { cronid: cron.cronid }, c.user);
    await t.call('removeallprocessgraphsmsg', { colonyname: COLONY, state: -1 }, c.owner);
  });

  it('checks membership before running anything (403, no graph)', async () => {
    const cron = await addCron({ name: 'guarded', workflowspec: spec('g') });
    expect((await t.fail('runcronmsg', { cronid: cron.cronid }, newKey())).status).toBe(403);
    expect((await t.fail('runcronmsg', { cronid: cron.cronid }, c.owner)).status).toBe(403);
    expect(await waitingGraphs()).toEqual([]);
    expect((await getCron(cron.cronid)).prevprocessgraphid).toBe('');
    expect(await t.fail('runcronmsg', { cronid: 'nope' }, c.user)).toEqual({ status: 400, message: 'cron not found' });
    await t.call('removecronmsg', { cronid: cron.cronid }, c.user);
  });

  it('waitforprevprocessgraph: waits while the previous graph runs; cancelled or done graphs release it; leaf output feeds the roots', async () => {
    const wf = JSON.stringify(workflow(COLONY, node('first'), node('last', ['first'])));
    const cron = await addCron({ name: 'chained', waitforprevprocessgraph: true, workflowspec: wf });
    await t.call('runcronmsg', { cronid: cron.cronid }, c.user);
    const g1 = (await getCron(cron.cronid)).prevprocessgraphid;
    await t.call('runcronmsg', { cronid: cron.cronid }, c.user); // g1 still waiting: skipped
    expect((await getCron(cron.cronid)).prevprocessgraphid).toBe(g1);
    expect((await waitingGraphs()).length).toBe(1);

    // Run g1 to success: the next run's roots get the leaves' output as `in`.
    const first = await assignNow(t, c);
    await t.call('closesuccessfulmsg', { processid: first.processid, out: ['x'] }, c.executor);
    const last = await assignNow(t, c);
    await t.call('closesuccessfulmsg', { processid: last.processid, out: ['leaf-out', 2] }, c.executor);
    await t.call('runcronmsg', { cronid: cron.cronid }, c.user);
    const g2 = (await getCron(cron.cronid)).prevprocessgraphid;
    expect(g2).not.toBe(g1);
    const graph2 = await t.call('getprocessgraphmsg', { processgraphid: g2 }, c.user);
    const root = await t.call('getprocessmsg', { processid: graph2.rootprocessids[0] }, c.user);
    expect(root.in).toEqual(['leaf-out', 2]);
    const child = await t.call('getprocessmsg', { processid: graph2.processids[1] }, c.user);
    expect(child.in).toEqual([]);

    // A cancelled previous graph counts as finished (DECISIONS.md).
    await t.call('cancelprocessgraphmsg', { processgraphid: g2 }, c.user);
    await t.call('runcronmsg', { cronid: cron.cronid }, c.user);
    expect((await getCron(cron.cronid)).prevprocessgraphid).not.toBe(g2);
    await t.call('removecronmsg', { cronid: cron.cronid }, c.user);
    await t.call('removeallprocessgraphsmsg', { colonyname: COLONY, state: -1 }, c.owner);
  });

  it('the trigger loop honours waitforprevprocessgraph too', async () => {
    const cron = await addCron({ name: 'waiter', interval: 1, waitforprevprocessgraph: true, workflowspec: spec('w') });
    const g1 = await waitFor(async () => (await getCron(cron.cronid)).prevprocessgraphid, 5000);
    await sleep(2300); // two more due times pass while g1 waits
    expect((await getCron(cron.cronid)).prevprocessgraphid).toBe(g1);
    expect((await waitingGraphs()).length).toBe(1);
    await t.call('removecronmsg', { cronid: cron.cronid }, c.user);
    await t.call('removeallprocessgraphsmsg', { colonyname: COLONY, state: -1 }, c.owner);
  });
});

describe('schedules (domain)', () => {
  const at = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;
  const iso = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString();

  it('interval crons run every interval; random ones once per interval-long window (DECISIONS.md)', () => {
    const now = at('2026-01-01T00:00:10.500Z');
    expect(iso(nextRun({ interval: 30, random: false, cronexpression: '' }, now))).toBe('2026-01-01T00:00:40.500Z');
    // The window after the current one ([00:00:30, 00:01:00) for a 30 s interval), at a random moment in it.
    expect(iso(nextRun({ interval: 30, random: true, cronexpression: '' }, now, () => 0))).toBe('2026-01-01T00:00:30.000Z');
    expect(iso(nextRun({ interval: 30, random: true, cronexpression: '' }, now, () => 0.5))).toBe('2026-01-01T00:00:45.000Z');
    const last = nextRun({ interval: 30, random: true, cronexpression: '' }, now, () => 0.99999);
    expect(last < at('2026-01-01T00:01:00Z')).toBe(true);
    // Fired late in its window, the next run still lands in the following window.
    expect(iso(nextRun({ interval: 30, random: true, cronexpression: '' }, last, () => 0))).toBe('2026-01-01T00:01:00.000Z');
  });

  it('expressions: 6 fields with seconds, descriptors, TZ prefix; Go-style errors', () => {
    const now = at('2026-01-01T00:00:00.500Z');
    expect(iso(parseCronExpression('0/2 * * * * *').next(now))).toBe('2026-01-01T00:00:02.000Z');
    expect(iso(parseCronExpression('TZ=UTC 0 30 12 * * ?').next(now))).toBe('2026-01-01T12:30:00.000Z');
    expect(iso(parseCronExpression('CRON_TZ=Asia/Tokyo 0 0 9 * * *').next(now))).toBe('2026-01-02T00:00:00.000Z');
    expect(iso(parseCronExpression('@every 1m30s').next(now))).toBe('2026-01-01T00:01:30.000Z');
    expect(iso(parseCronExpression('TZ=UTC @hourly').next(now))).toBe('2026-01-01T01:00:00.000Z');
    expect(parseGoDuration('1h30m')).toBe(5400n * 1_000_000_000n);
    expect(parseGoDuration('1.5s')).toBe(1_500_000_000n);
    expect(parseGoDuration('soon')).toBeNull();
    expect(() => parseCronExpression('')).toThrow('empty cron expression string');
    expect(() => parseCronExpression('1 2 3')).toThrow('expected exactly 6 fields, found 3: [1 2 3]');
    expect(() => parseCronExpression('@sometimes')).toThrow('unrecognized descriptor: @sometimes');
    expect(() => parseCronExpression('TZ=Nowhere/Land * * * * * *')).toThrow('provided bad location Nowhere/Land');
    expect(() => parseCronExpression('*/0 * * * * *')).toThrow();
    // An expression that never matches has no next run.
    expect(nextRun({ interval: -1, random: false, cronexpression: '0 0 0 31 2 *' }, now)).toBe(0n);
  });
});
