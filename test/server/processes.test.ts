// Submit (normalisation vs the observed Go replies), get, list, history, cancel, remove.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTime } from '../../src/protocol/time.js';
import { addApprovedExecutor, newKey, setupColony, startTestServer, type Cast, type Key, type TestServer } from '../helpers/server.js';
import { node, sleep, waitFor, workflow } from '../helpers/workflow.js';

const observed = JSON.parse(readFileSync(new URL('../vectors/observed-go-server.json', import.meta.url), 'utf8'));
const goReply = (note: string) => observed.probe1.find((e: { note: string }) => e.note === note).decoded;

let t: TestServer;
let c: Cast;
const COLONY = 'dev';

/** an executor of the type the workflow helpers submit to */
const wfExecutor = { ...newKey(), name: 'wf-executor' };

beforeAll(async () => {
  t = await startTestServer();
  c = await setupColony(t, COLONY, 'cli');
  await addApprovedExecutor(t, c.owner, COLONY, wfExecutor, wfExecutor.name, 'test-executor');
});
afterAll(() => t?.close());

const submit = (spec: Record<string, unknown>, key: Key = c.user) =>
  t.call('submitfuncspecmsg', { spec: { maxexectime: -1, ...spec, conditions: { colonyname: COLONY, executortype: 'cli', ...(spec.conditions as object) } } }, key);
const get = (processid: string) => t.call('getprocessmsg', { processid }, c.user);
const assign = () => t.call('assignprocessmsg', { colonyname: COLONY, timeout: -1 }, c.executor);
const list = (msg: Record<string, unknown>) => t.call('getprocessesmsg', { colonyname: COLONY, count: 100, ...msg }, c.user);

/** The process JSON with the values that differ per run replaced by placeholders. */
function shape(p: any) {
  return {
    ...p,
    processid: '<id>',
    initiatorid: '<id>',
    initiatorname: '<name>',
    prioritytime: '<ns>',
    submissiontime: '<time>',
    starttime: p.starttime.startsWith('0001-') ? '<zero>' : '<time>',
    endtime: '<zero>',
    waitdeadline: '<zero>',
    execdeadline: '<zero>',
    attributes: p.attributes.map((a: any) => ({ ...a, attributeid: '<id>', targetid: '<id>' })),
  };
}

async function drain() {
  // Leave no WAITING cli process behind for the next test.
  await t.call('removeallprocessesmsg', { colonyname: COLONY, state: 0 }, c.owner);
}

describe('submitfuncspecmsg', () => {
  it('normalises a minimal colonies-ts spec exactly like the Go server', async () => {
    const p = await t.call('submitfuncspecmsg', { spec: { funcname: 'echo', args: ['hi'], conditions: { colonyname: COLONY, executortype: 'cli' } } }, c.user);
    expect(shape(p)).toEqual(shape(goReply('submit minimal spec (no maxexectime) by user')));
    expect(p.initiatorid).toBe(c.user.id);
    expect(p.initiatorname).toBe(c.user.name);
    expect(typeof p.prioritytime).toBe('bigint');
    expect(p.submissiontime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(await get(p.processid)).toEqual(p);
    await drain();
  });

  it('normalises a full spec (env → ENV attributes, cpu, mem, executornames []) like the Go server', async () => {
    const p = await t.call(
      'submitfuncspecmsg',
      {
        spec: {
          nodename: 'n',
          funcname: 'work',
          args: [1, 'a'],
          kwargs: { k: 'v' },
          priority: 2,
          maxwaittime: -1,
          maxexectime: -1,
          maxretries: 3,
          conditions: { colonyname: COLONY, executornames: [], executortype: 'cli', cpu: '500m', mem: '1Gi' },
          label: 'lbl',
          env: { E1: 'v1' },
        },
      },
      c.executor,
    );
    expect(shape(p)).toEqual(shape(goReply('submit full spec')));
    expect(p.initiatorname).toBe(c.executor.name);
    // Go's deterministic attribute id, checked against the observed pair
    const goFull = goReply('submit full spec');
    const { attributeId } = await import('../../src/store/attributes.js');
    expect(attributeId(goFull.processid, 'E1', 3)).toBe(goFull.attributes[0].attributeid);
    expect(p.attributes[0].attributeid).toBe(attributeId(p.processid, 'E1', 3));
    // prioritytime = submission − priority days
    expect(BigInt(p.prioritytime)).toBe(parseTime(p.submissiontime)! - 2n * 86_400n * 1_000_000_000n);
    await drain();
  });

  it('keeps channels and the location as sent, turns ["*"] into [] and normalises units', async () => {
    const p = await submit({
      funcname: 'chat',
      channels: ['chat'],
      conditions: { executornames: ['*'], locationname: 'HOME', cpu: '2', mem: '1G', storage: '512Ki', gpu: { name: 'a100', mem: '80Gi', count: 1 } },
    });
    expect(p.spec.channels).toEqual(['chat']);
    expect(p.spec.conditions.executornames).toEqual([]);
    expect(p.spec.conditions.locationname).toBe('HOME');
    expect(p.spec.conditions.cpu).toBe('2000m');
    expect(p.spec.conditions.mem).toBe('953Mi');
    expect(p.spec.conditions.storage).toBe('0Mi');
    expect(p.spec.conditions.gpu).toEqual({ name: 'a100', mem: '81920Mi', count: 1, nodecount: 0 });
    expect(await get(p.processid)).toEqual(p);
    await drain();
  });

  it('sets waitdeadline from maxwaittime', async () => {
    const p = await submit({ funcname: 'w', maxwaittime: 60 });
    expect(Date.parse(p.waitdeadline) - Date.parse(p.submissiontime)).toBe(60_000);
    await drain();
  });

  it('rejects a priority outside ±50000, a missing spec and bad units with 400, storing nothing', async () => {
    expect(await t.fail('submitfuncspecmsg', { spec: { priority: 50_001, conditions: { colonyname: COLONY, executortype: 'cli' } } }, c.user)).toEqual({
      status: 400,
      message: 'Failed to submit function spec, priority outside range [-50000, 50000]',
    });
    expect((await t.fail('submitfuncspecmsg', { spec: { priority: -50_001, conditions: { colonyname: COLONY } } }, c.user)).status).toBe(400);
    expect(await t.fail('submitfuncspecmsg', { spec: null }, c.user)).toEqual({ status: 400, message: 'Failed to submit process spec, msg.FunctionSpec is nil' });
    expect(await t.fail('submitfuncspecmsg', { spec: { conditions: { colonyname: COLONY, mem: 'lots' } } }, c.user)).toEqual({
      status: 400,
      message: 'error converting memory to int: invalid memory value "lots"',
    });
    expect(await t.fail('submitfuncspecmsg', { spec: { conditions: { colonyname: COLONY, cpu: '1.5m' } } }, c.user)).toEqual({
      status: 400,
      message: 'Error converting CPU to int',
    });
    expect(await list({ state: -1 })).toBeNull();
  });

  it('requires an approved member of the colony', async () => {
    const stranger = newKey();
    expect(await t.fail('submitfuncspecmsg', { spec: { conditions: { colonyname: COLONY } } }, stranger)).toEqual({
      status: 403,
      message: `Access denied, not a member of Colony with name <${COLONY}>`,
    });
    expect((await t.fail('submitfuncspecmsg', { spec: { conditions: { colonyname: COLONY } } }, c.owner)).status).toBe(403);
    expect((await t.fail('submitfuncspecmsg', { spec: { conditions: { colonyname: 'nope' } } }, c.user)).status).toBe(403);
    // access errors come before validation errors, as when the rule is checked first
    expect(await t.fail('submitfuncspecmsg', { spec: { priority: 60_000, conditions: { colonyname: COLONY } } }, stranger)).toEqual({
      status: 403,
      message: `Access denied, not a member of Colony with name <${COLONY}>`,
    });
    expect(await t.fail('submitfuncspecmsg', { spec: { conditions: { colonyname: 'nope', mem: 'lots' } } }, c.user)).toEqual({
      status: 403,
      message: 'Colony with name <nope> does not exists',
    });
    expect(await list({ state: -1 })).toBeNull();
  });
});

describe('getprocessmsg', () => {
  it('404 for an unknown process, 403 for a non-member', async () => {
    expect(await t.fail('getprocessmsg', { processid: 'f'.repeat(64) }, c.user)).toEqual({ status: 404, message: 'Failed to get process, process not found' });
    const p = await submit({ funcname: 'x' });
    expect((await t.fail('getprocessmsg', { processid: p.processid }, newKey())).status).toBe(403);
    expect((await t.fail('getprocessmsg', { processid: p.processid }, c.owner)).status).toBe(403);
    await drain();
  });
});

describe('getprocessesmsg', () => {
  it('lists by state in Go order, with filters executortype > initiator > label', async () => {
    const low = await submit({ funcname: 'a', priority: -1, label: 'L' });
    const mid = await submit({ funcname: 'b', label: 'L' });
    const high = await submit({ funcname: 'c', priority: 1 }, c.executor);
    const other = await submit({ funcname: 'd', label: 'L', conditions: { executortype: 'other' } });
    expect((await list({ state: 0 })).map((p: any) => p.processid)).toEqual([high.processid, mid.processid, other.processid, low.processid]);
    expect((await list({ state: 0, count: 2 })).map((p: any) => p.processid)).toEqual([high.processid, mid.processid]);
    expect((await list({ state: 0, executortype: 'other', label: 'x' })).map((p: any) => p.processid)).toEqual([other.processid]);
    expect((await list({ state: 0, initiator: c.user.name, label: 'nomatch' })).map((p: any) => p.processid)).toEqual([
      mid.processid,
      other.processid,
      low.processid,
    ]);
    expect((await list({ state: 0, label: 'L' })).map((p: any) => p.processid)).toEqual([mid.processid, other.processid, low.processid]);
    expect(await list({ state: 1 })).toBeNull();
    expect(await list({ state: 0, count: 0 })).toBeNull();
    // -1 = all states (DECISIONS superset), newest submission first
    const running = await assign();
    expect(running.processid).toBe(high.processid);
    expect((await list({ state: 1 })).map((p: any) => p.processid)).toEqual([high.processid]);
    expect((await list({ state: -1 })).map((p: any) => p.processid)).toEqual([other.processid, high.processid, mid.processid, low.processid]);
    await t.call('closesuccessfulmsg', { processid: high.processid, out: [] }, c.executor);
    await t.call('cancelprocessmsg', { processid: low.processid }, c.user);
    expect((await list({ state: 2 })).map((p: any) => p.processid)).toEqual([high.processid]);
    expect((await list({ state: 4 })).map((p: any) => p.processid)).toEqual([low.processid]);
    // every state: each state's newest, merged newest first, then cut to count and filtered
    const ids = (ps: any) => (ps as any[]).map((p) => p.processid);
    expect(ids(await list({ state: -1 }))).toEqual([other.processid, high.processid, mid.processid, low.processid]);
    expect(ids(await list({ state: -1, count: 2 }))).toEqual([other.processid, high.processid]);
    expect(ids(await list({ state: -1, count: 3, label: 'L' }))).toEqual([other.processid, mid.processid, low.processid]);
    expect(ids(await list({ state: -1, executortype: 'other' }))).toEqual([other.processid]);
    expect((await list({ state: -1, count: 4 })).map((p: any) => p.state)).toEqual([0, 2, 0, 4]);
    await t.call('removeallprocessesmsg', { colonyname: COLONY, state: -1 }, c.owner);
  });

  it('refuses count > 100, an unknown state and an initiator that is not a user (400)', async () => {
    expect(await t.fail('getprocessesmsg', { colonyname: COLONY, count: 101, state: 0 }, c.user)).toEqual({
      status: 400,
      message: 'Count is larger than MaxCount limit <100>',
    });
    expect(await t.fail('getprocessesmsg', { colonyname: COLONY, count: 1, state: 5 }, c.user)).toEqual({
      status: 400,
      message: 'Failed to get processes, invalid msg.State',
    });
    expect(await t.fail('getprocessesmsg', { colonyname: COLONY, count: 1, initiator: c.executor.name }, c.user)).toEqual({
      status: 400,
      message: `User <${c.executor.name}> does not exist`,
    });
    expect((await t.fail('getprocessesmsg', { colonyname: COLONY, count: 1 }, newKey())).status).toBe(403);
  });
});

describe('getprocesshistmsg', () => {
  it('returns processes submitted in the last seconds in a state, oldest first, optionally by executor', async () => {
    const a = await submit({ funcname: 'h1' });
    const b = await submit({ funcname: 'h2' });
    const hist = (msg: Record<string, unknown>) => t.call('getprocesshistmsg', { colonyname: COLONY, seconds: 60, state: 0, ...msg }, c.user);
    expect((await hist({})).map((p: any) => p.processid)).toEqual([a.processid, b.processid]);
    await assign();
    expect((await hist({ state: 1, executorid: c.executor.id })).map((p: any) => p.processid)).toEqual([a.processid]);
    expect(await hist({ state: 1, executorid: c.user.id })).toBeNull();
    expect(await t.fail('getprocesshistmsg', { colonyname: COLONY, seconds: 60, state: 0 }, newKey())).toEqual({
      status: 403,
      message: `Access denied, not a member of Colony with name <${COLONY}>`,
    });
    await t.call('closesuccessfulmsg', { processid: a.processid }, c.executor);
    await t.call('removeallprocessesmsg', { colonyname: COLONY, state: -1 }, c.owner);
  });
});

describe('lists and history read one state in its order (processes_colony_list)', () => {
  const ids = (ps: any[] | null) => (ps ?? []).map((p: any) => p.processid);
  const hist = (msg: Record<string, unknown>) => t.call('getprocesshistmsg', { colonyname: COLONY, seconds: 60, executorid: '', ...msg }, c.user);

  it('lists several RUNNING oldest start first and closed ones newest end first, across pages', async () => {
    const ps = [];
    for (let i = 0; i < 4; i++) ps.push(await submit({ funcname: `o${i}` }));
    const started = [await assign(), await assign(), await assign(), await assign()];
    expect(ids(await list({ state: 1 }))).toEqual(ids(started));
    expect(ids(await list({ state: 1, count: 2 }))).toEqual(ids(started.slice(0, 2)));
    // close in the order 2, 0, 3, 1: newest end first is 1, 3, 0, 2
    for (const i of [2, 0, 3, 1]) await t.call('closesuccessfulmsg', { processid: started[i].processid }, c.executor);
    expect(ids(await list({ state: 2 }))).toEqual([1, 3, 0, 2].map((i) => started[i].processid));
    expect(ids(await list({ state: 2, count: 3 }))).toEqual([1, 3, 0].map((i) => started[i].processid));
    // history stays in submission order, whatever the end order
    expect(ids(await hist({ state: 2 }))).toEqual(ids(ps));
    await t.call('removeallprocessesmsg', { colonyname: COLONY, state: -1 }, c.owner);
  });

  it('history keeps the exact window, finds cascade-failed members (endtime 0) and takes any number of seconds', async () => {
    const old = await submit({ funcname: 'old' });
    await assign();
    await sleep(1100);
    const fresh = await submit({ funcname: 'fresh' });
    await assign();
    // both end now: the old one ended inside the window but was submitted before it
    await t.call('closefailedmsg', { processid: old.processid, errors: ['x'] }, c.executor);
    await t.call('closefailedmsg', { processid: fresh.processid, errors: ['x'] }, c.executor);
    expect(ids(await hist({ state: 3, seconds: 1 }))).toEqual([fresh.processid]);
    expect(ids(await hist({ state: 3 }))).toEqual([old.processid, fresh.processid]);

    // a workflow whose root fails: its child is failed by the cascade and keeps endtime 0 (as Go)
    const g = await t.call('submitworkflowspecmsg', { spec: workflow(COLONY, node('r'), node('k', ['r'])) }, c.user);
    const root = await t.call('assignprocessmsg', { colonyname: COLONY, timeout: -1 }, wfExecutor);
    await t.call('closefailedmsg', { processid: root.processid, errors: ['boom'] }, wfExecutor);
    const child = await waitFor(async () => {
      const p = await get(g.processids[1]);
      return p.state === 3 ? p : null;
    });
    expect(child.endtime).toBe('0001-01-01T00:00:00Z');
    expect(ids(await hist({ state: 3 }))).toEqual([old.processid, fresh.processid, ...g.processids]);

    // a window older than 1970 is the whole history, not a database error
    for (const seconds of [2_000_000_000, 9_000_000_000_000]) expect(ids(await hist({ state: 3, seconds }))).toHaveLength(4);
    await t.call('removeallprocessgraphsmsg', { colonyname: COLONY, state: -1 }, c.owner);
    await t.call('removeallprocessesmsg', { colonyname: COLONY, state: -1 }, c.owner);
    expect(await hist({ state: 3 })).toBeNull();
  });
});

describe('cancelprocessmsg', () => {
  it('cancels WAITING and RUNNING processes (assignment kept) and refuses closed ones', async () => {
    const w = await submit({ funcname: 'cw' });
    await t.call('cancelprocessmsg', { processid: w.processid }, c.user);
    const cw = await get(w.processid);
    expect(cw.state).toBe(4);
    expect(cw.endtime).not.toBe('0001-01-01T00:00:00Z');
    expect(cw.isassigned).toBe(false);
    await expect(t.fail('assignprocessmsg', { colonyname: COLONY, timeout: -1 }, c.executor)).resolves.toMatchObject({ status: 404 });

    const r = await submit({ funcname: 'cr' });
    await assign();
    await t.call('cancelprocessmsg', { processid: r.processid }, c.executor);
    const cr = await get(r.processid);
    expect(cr).toMatchObject({ state: 4, isassigned: true, assignedexecutorid: c.executor.id });
    // the executor learns it when its close fails
    expect(await t.fail('closesuccessfulmsg', { processid: r.processid }, c.executor)).toEqual({
      status: 400,
      message: 'Tried to set cancelled process as successful',
    });
    expect(await t.fail('cancelprocessmsg', { processid: r.processid }, c.user)).toEqual({ status: 400, message: 'Tried to cancel already cancelled process' });

    const s = await submit({ funcname: 'cs' });
    await assign();
    await t.call('closesuccessfulmsg', { processid: s.processid }, c.executor);
    expect(await t.fail('cancelprocessmsg', { processid: s.processid }, c.user)).toEqual({ status: 400, message: 'Tried to cancel successful process' });
    const f = await submit({ funcname: 'cf' });
    await assign();
    await t.call('closefailedmsg', { processid: f.processid, errors: ['x'] }, c.executor);
    expect(await t.fail('cancelprocessmsg', { processid: f.processid }, c.user)).toEqual({ status: 400, message: 'Tried to cancel failed process' });
    expect((await get(s.processid)).state).toBe(2);
    expect((await get(f.processid)).state).toBe(3);

    expect((await t.fail('cancelprocessmsg', { processid: 'f'.repeat(64) }, c.user)).status).toBe(500);
    const x = await submit({ funcname: 'cx' });
    expect((await t.fail('cancelprocessmsg', { processid: x.processid }, newKey())).status).toBe(403);
    expect((await get(x.processid)).state).toBe(0);
    await t.call('removeallprocessesmsg', { colonyname: COLONY, state: -1 }, c.owner);
  });
});

describe('removeprocessmsg / removeallprocessesmsg', () => {
  it('removes a process and its attributes; refuses RUNNING (400) and unknown ids (500)', async () => {
    const p = await submit({ funcname: 'r', env: { K: 'v' } });
    const attrId = p.attributes[0].attributeid;
    expect((await t.call('getattributemsg', { attributeid: attrId }, c.user)).key).toBe('K');
    await t.call('removeprocessmsg', { processid: p.processid }, c.user);
    expect((await t.fail('getprocessmsg', { processid: p.processid }, c.user)).status).toBe(404);
    expect(await t.fail('getattributemsg', { attributeid: attrId }, c.user)).toEqual({ status: 400, message: 'Attribute does not exists' });
    expect(await t.fail('removeprocessmsg', { processid: p.processid }, c.user)).toEqual({ status: 500, message: 'Failed to remove process, process is nil' });

    const r = await submit({ funcname: 'r2' });
    await assign();
    expect(await t.fail('removeprocessmsg', { processid: r.processid }, c.user)).toEqual({
      status: 400,
      message: 'Failed to remove process, cannot remove a running process',
    });
    expect((await t.fail('removeprocessmsg', { processid: r.processid }, newKey())).status).toBe(403);
    expect((await get(r.processid)).state).toBe(1);
    await t.call('closefailedmsg', { processid: r.processid }, c.executor);
    await t.call('removeprocessmsg', { processid: r.processid }, c.user);
  });

  it('removeall: colony owner only, by state, never RUNNING alone, -1 = all', async () => {
    const w = await submit({ funcname: 'w' });
    const s = await submit({ funcname: 's' });
    await assign();
    expect(await t.fail('removeallprocessesmsg', { colonyname: COLONY, state: 0 }, c.user)).toEqual({ status: 403, message: 'Access denied, not colony owner' });
    expect(await t.fail('removeallprocessesmsg', { colonyname: COLONY, state: 1 }, c.owner)).toEqual({
      status: 400,
      message: 'Not possible to remove running processes',
    });
    expect(await t.fail('removeallprocessesmsg', { colonyname: COLONY, state: 7 }, c.owner)).toEqual({
      status: 400,
      message: 'Invalid state when deleting all processes',
    });
    expect((await list({ state: -1 })).length).toBe(2);
    await t.call('closesuccessfulmsg', { processid: w.processid }, c.executor);
    await t.call('removeallprocessesmsg', { colonyname: COLONY, state: 0 }, c.owner);
    expect((await list({ state: -1 })).map((p: any) => p.processid)).toEqual([w.processid]);
    await t.call('removeallprocessesmsg', { colonyname: COLONY, state: 3 }, c.owner);
    expect((await list({ state: -1 })).length).toBe(1);
    await t.call('removeallprocessesmsg', { colonyname: COLONY, state: 2 }, c.owner);
    expect(await list({ state: -1 })).toBeNull();
    expect(s.processid).toBeTruthy();
  });
});

describe('text PostgreSQL cannot store', () => {
  it('a NUL character anywhere in a message is a 400 that stores nothing; a literal backslash-u0000 is plain text', async () => {
    const before = await list({ state: 0 });
    for (const spec of [{ funcname: 'a\u0000b' }, { funcname: 'f', env: { K: 'x\u0000' } }, { funcname: 'f', args: ['\u0000'] }, { funcname: 'f', label: '\\\u0000' }]) {
      expect(await t.fail('submitfuncspecmsg', { spec: { ...spec, conditions: { colonyname: COLONY, executortype: 'cli' } } }, c.user)).toEqual({
        status: 400,
        message: 'Failed to submit function spec, invalid JSON: a string contains the NUL character (\\u0000), which cannot be stored',
      });
    }
    expect(await list({ state: 0 })).toEqual(before);
    const p = await submit({ funcname: 'f', args: ['\\u0000', '\\\\u0000'] });
    expect((await get(p.processid)).spec.args).toEqual(['\\u0000', '\\\\u0000']);
    await t.call('removeprocessmsg', { processid: p.processid }, c.user);
  });
});
