// Process and executor logs (PROTOCOL §6.10, SEMANTICS §11): who may write, count limits,
// since/latest, exact nanosecond timestamps, scoping by colony, search.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKey, setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';
import { assignNow } from '../helpers/workflow.js';

let t: TestServer;
let c: Cast;
let other: Cast;
let running: any;
const COLONY = 'logs';

beforeAll(async () => {
  t = await startTestServer();
  c = await setupColony(t, COLONY);
  // Another colony with an executor of the same name: its logs must never show up here.
  other = await setupColony(t, 'logs2');
  const twin = { ...newKey(), name: c.executor.name };
  await t.call('addexecutormsg', { executor: { executorid: twin.id, executortype: 'test-executor', executorname: twin.name, colonyname: 'logs2' } }, other.owner);
  await t.call('approveexecutormsg', { colonyname: 'logs2', executorname: twin.name }, other.owner);
  await t.call('addexecutorlogmsg', { colonyname: 'logs2', executorname: twin.name, message: 'other colony' }, twin);

  await t.call('submitfuncspecmsg', { spec: { funcname: 'f', maxexectime: -1, conditions: { colonyname: COLONY, executortype: 'test-executor' } } }, c.user);
  running = await assignNow(t, c);
  for (const m of ['line 1', 'line 2', 'needle line 3', 'line 4']) await t.call('addlogmsg', { processid: running.processid, message: m }, c.executor);
});
afterAll(() => t?.close());

const byProcess = (extra: Record<string, unknown>) => t.call('getlogsmsg', { colonyname: COLONY, processid: running.processid, count: 100, ...extra }, c.user);

describe('addlogmsg', () => {
  it('stores entries with colony, executor name and an exact int64 ns timestamp', async () => {
    const logs = await byProcess({});
    expect(logs.map((l: any) => l.message)).toEqual(['line 1', 'line 2', 'needle line 3', 'line 4']);
    expect(logs[0]).toMatchObject({ processid: running.processid, colonyname: COLONY, executorname: c.executor.name });
    for (const l of logs) expect(typeof l.timestamp).toBe('bigint');
    const ts = logs.map((l: any) => l.timestamp as bigint);
    expect([...ts].sort((a, b) => (a < b ? -1 : 1))).toEqual(ts);
  });

  it('refuses other callers (403), processes not running (403) and unknown processes (500)', async () => {
    expect(await t.fail('addlogmsg', { processid: running.processid, message: 'x' }, c.user)).toEqual({
      status: 403,
      message: 'Failed to add log, not allowed to add log, only the assigned Executor may att logs',
    });
    expect((await t.fail('addlogmsg', { processid: running.processid, message: 'x' }, other.executor)).status).toBe(403);
    const waiting = await t.call('submitfuncspecmsg', { spec: { funcname: 'w', maxexectime: -1, conditions: { colonyname: COLONY, executortype: 'nobody' } } }, c.user);
    expect((await t.fail('addlogmsg', { processid: waiting.processid, message: 'x' }, c.executor)).status).toBe(403);
    expect((await t.fail('addlogmsg', { processid: 'nope', message: 'x' }, c.executor)).status).toBe(500);
    expect(await t.call('getlogsmsg', { colonyname: COLONY, processid: waiting.processid, count: 10 }, c.user)).toBeNull();
    expect((await byProcess({})).length).toBe(4);
  });
});

describe('getlogsmsg', () => {
  it('count limits: oldest `count` first; > 500 → 403; 0 → null', async () => {
    expect((await byProcess({ count: 2 })).map((l: any) => l.message)).toEqual(['line 1', 'line 2']);
    expect(await t.fail('getlogsmsg', { colonyname: COLONY, processid: running.processid, count: 501 }, c.user)).toEqual({
      status: 403,
      message: 'Count exceeds max log count (500)',
    });
    expect(await byProcess({ count: 0 })).toBeNull();
  });

  it('since: entries strictly newer than an exact ns timestamp; latest: the newest, oldest first', async () => {
    const all = await byProcess({});
    const since = await byProcess({ since: all[1].timestamp });
    expect(since.map((l: any) => l.message)).toEqual(['needle line 3', 'line 4']);
    expect(since[0].timestamp).toBe(all[2].timestamp);
    expect((await byProcess({ since: all[3].timestamp })) ?? []).toEqual([]);
    expect((await byProcess({ latest: true, count: 2 })).map((l: any) => l.message)).toEqual(['needle line 3', 'line 4']);
    // latest wins over since (the original's precedence)
    expect((await byProcess({ latest: true, count: 1, since: all[0].timestamp })).map((l: any) => l.message)).toEqual(['line 4']);
  });

  it('by executor name: process and executor-level logs of that executor in this colony only', async () => {
    await t.call('addexecutorlogmsg', { colonyname: COLONY, executorname: c.executor.name, message: 'executor-level' }, c.executor);
    const logs = await t.call('getlogsmsg', { colonyname: COLONY, executorname: c.executor.name, count: 100 }, c.user);
    expect(logs.map((l: any) => l.message)).toEqual(['line 1', 'line 2', 'needle line 3', 'line 4', 'executor-level']);
    expect(logs[4]).toMatchObject({ processid: '', colonyname: COLONY });
    const latest = await t.call('getlogsmsg', { colonyname: COLONY, executorname: c.executor.name, count: 1, latest: true }, c.user);
    expect(latest.map((l: any) => l.message)).toEqual(['executor-level']);
    expect(await t.fail('getlogsmsg', { colonyname: COLONY, executorname: 'nobody', count: 1 }, c.user)).toEqual({
      status: 500,
      message: 'Failed to get logs, executor does not exist',
    });
  });

  it('refuses non-members (403) and unknown processes (500)', async () => {
    expect((await t.fail('getlogsmsg', { colonyname: COLONY, processid: running.processid, count: 1 }, other.user)).status).toBe(403);
    expect((await t.fail('getlogsmsg', { colonyname: COLONY, executorname: c.executor.name, count: 1 }, other.user)).status).toBe(403);
    expect(await t.fail('getlogsmsg', { colonyname: COLONY, processid: 'nope', count: 1 }, c.user)).toEqual({
      status: 500,
      message: 'Failed to get logs, process does not exist',
    });
  });
});

describe('addexecutorlogmsg', () => {
  it('only the executor itself may write under its name', async () => {
    expect(await t.fail('addexecutorlogmsg', { colonyname: COLONY, executorname: 'someone-else', message: 'x' }, c.executor)).toEqual({
      status: 403,
      message: 'Failed to add executor log, executor name mismatch',
    });
    expect(await t.fail('addexecutorlogmsg', { colonyname: COLONY, executorname: c.executor.name, message: 'x' }, c.user)).toEqual({
      status: 403,
      message: 'Failed to add executor log, executor not found',
    });
    expect((await t.fail('addexecutorlogmsg', { colonyname: COLONY, executorname: c.executor.name, message: 'x' }, other.user)).status).toBe(403);
    const logs = await t.call('getlogsmsg', { colonyname: COLONY, executorname: c.executor.name, count: 100 }, c.user);
    expect(logs.filter((l: any) => l.message === 'x')).toEqual([]);
  });
});

describe('searchlogsmsg', () => {
  it('finds substrings in the colony logs of the last days, with limits', async () => {
    const found = await t.call('searchlogsmsg', { colonyname: COLONY, text: 'needle', days: 1, count: 10 }, c.user);
    expect(found.map((l: any) => l.message)).toEqual(['needle line 3']);
    expect(await t.call('searchlogsmsg', { colonyname: COLONY, text: 'other colony', days: 1, count: 10 }, c.user)).toBeNull();
    expect((await t.call('searchlogsmsg', { colonyname: COLONY, text: 'line', days: 1, count: 2 }, c.user)).length).toBe(2);
    expect(await t.fail('searchlogsmsg', { colonyname: COLONY, text: 'x', days: 31, count: 1 }, c.user)).toEqual({
      status: 400,
      message: 'Count exceeds max day count (30)',
    });
    expect(await t.fail('searchlogsmsg', { colonyname: COLONY, text: 'x', days: 1, count: 101 }, c.user)).toEqual({
      status: 400,
      message: 'Count exceeds max log count (100)',
    });
    expect((await t.fail('searchlogsmsg', { colonyname: COLONY, text: 'x', days: 1, count: 1 }, other.user)).status).toBe(403);
  });
});
