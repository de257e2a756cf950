// Workflows (process graphs): submit + validation, execution with input from parents, the
// failure cascade, get/list/remove/removeall/cancel and addchild (SEMANTICS §8).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ZERO_TIME } from '../../src/protocol/time.js';
import { newKey, setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';
import { openPubsub } from '../helpers/ws.js';
import { assignNow, node, workflow } from '../helpers/workflow.js';

let t: TestServer;
let c: Cast;
const COLONY = 'wf';

beforeAll(async () => {
  t = await startTestServer();
  c = await setupColony(t, COLONY);
});
afterAll(() => t?.close());

const submit = (...nodes: Record<string, unknown>[]) => t.call('submitworkflowspecmsg', { spec: workflow(COLONY, ...nodes) }, c.user);
const getGraph = (processgraphid: string) => t.call('getprocessgraphmsg', { processgraphid }, c.user);
const getProc = (processid: string) => t.call('getprocessmsg', { processid }, c.user);
const graphs = (state: number) => t.call('getprocessgraphsmsg', { colonyname: COLONY, count: 100, state }, c.user);
const close = (processid: string, out: unknown[]) => t.call('closesuccessfulmsg', { processid, out }, c.executor);
const fail = (processid: string) => t.call('closefailedmsg', { processid, errors: ['boom'] }, c.executor);

/** Assigns once and returns the process's node name together with it. */
async function take(): Promise<any> {
  return assignNow(t, c);
}

beforeEach(async () => {
  // Every test starts from an empty colony: remove every graph and workflow process.
  for (const g of [...((await graphs(1)) ?? [])]) await t.call('cancelprocessgraphmsg', { processgraphid: g.processgraphid }, c.user);
  await t.call('removeallprocessgraphsmsg', { colonyname: COLONY, state: -1 }, c.owner);
});

describe('submitworkflowspecmsg', () => {
  it('stores the graph and its processes and replies with the in-memory graph', async () => {
    const g = await submit(node('a'), node('b', ['a']));
    expect(g).toMatchObject({ initiatorid: c.user.id, initiatorname: c.user.name, colonyname: COLONY, state: 0, nodes: [], edges: [] });
    expect([g.submissiontime, g.starttime, g.endtime]).toEqual([ZERO_TIME, ZERO_TIME, ZERO_TIME]);
    expect(g.processids).toHaveLength(2);
    expect(g.rootprocessids).toEqual([g.processids[0]]);
    const [a, b] = await Promise.all(g.processids.map(getProc));
    expect(a).toMatchObject({ processgraphid: g.processgraphid, waitforparents: false, parents: [], children: [b.processid], initiatorname: c.user.name });
    expect(b).toMatchObject({ waitforparents: true, parents: [a.processid], children: [] });
    // maxexectime 0 becomes -1 and the workflow's colony is forced into the conditions.
    const z = await t.call('submitworkflowspecmsg', { spec: workflow(COLONY, { ...node('z'), maxexectime: 0, conditions: { colonyname: 'other', executortype: 'test-executor' } }) }, c.user);
    const zp = await getProc(z.processids[0]);
    expect(zp.spec.maxexectime).toBe(-1);
    expect(zp.spec.conditions.colonyname).toBe(COLONY);
    const stored = await getGraph(g.processgraphid);
    expect(stored.submissiontime).not.toBe(ZERO_TIME);
    expect(stored.processids).toEqual(g.processids);
  });

  it.each([
    ['a missing nodename', [node('a'), node('')], 'Nodename is missing, check function spec for errors'],
    ['a duplicate nodename', [node('a'), node('a')], 'Duplicate nodename: a'],
    ['an unknown dependency', [node('a'), node('b', ['nope'])], 'Failed to submit workflow, invalid dependencies, are you depending on a nodename that does not exits?'],
    ['a cycle', [node('a'), node('b', ['a', 'c']), node('c', ['b'])], 'Failed to submit workflow, dependency cycle detected at nodename: b'],
  ])('refuses %s with 400 and stores nothing', async (_name, nodes, message) => {
    expect(await t.fail('submitworkflowspecmsg', { spec: workflow(COLONY, ...nodes) }, c.user)).toEqual({ status: 400, message });
    expect(await graphs(0)).toBeNull();
    expect(await t.call('getprocessesmsg', { colonyname: COLONY, count: 100, state: 0 }, c.user)).toBeNull();
  });

  it('refuses a bad memory string (400), a missing spec (400) and non-members (403)', async () => {
    const bad = await t.fail('submitworkflowspecmsg', { spec: workflow(COLONY, node('a'), { ...node('b'), conditions: { executortype: 'x', mem: 'lots' } }) }, c.user);
    expect(bad.status).toBe(400);
    expect(await t.fail('submitworkflowspecmsg', { spec: null }, c.user)).toEqual({ status: 400, message: 'Failed to submit workflow, msg.WorkflowSpec is nil' });
    expect((await t.fail('submitworkflowspecmsg', { spec: workflow(COLONY, node('a')) }, c.owner)).status).toBe(403);
    expect(await graphs(0)).toBeNull();
  });
});

describe('execution', () => {
  it('runs a diamond to success; D gets B.out ++ C.out in parent order', async () => {
    const g = await submit(node('a'), node('b', ['a']), node('c', ['a']), node('d', ['b', 'c']));
    const ws = await openPubsub(t.url);
    ws.subscribe('subscribeprocessmsg', { processid: g.processids[1], executortype: '', state: 0, timeout: 10 }, c.user);
    await ws.waitFrames(1); // B exists and is WAITING already

    const a = await take();
    expect(a.spec.nodename).toBe('a');
    expect((await t.fail('assignprocessmsg', { colonyname: COLONY, timeout: -1 }, c.executor)).status).toBe(404);
    const running = await getGraph(g.processgraphid); // the assign itself made the graph RUNNING
    expect(running.state).toBe(1);
    expect(running.starttime).not.toBe(ZERO_TIME);
    await close(a.processid, ['from-a']);
    // B's release after A's success is an event (state 0) for its subscribers.
    await ws.waitFrames(2);
    ws.close();

    const first = await take();
    const second = await take();
    const byName = Object.fromEntries([first, second].map((p) => [p.spec.nodename, p]));
    expect(Object.keys(byName).sort()).toEqual(['b', 'c']);
    expect(byName.b.in).toEqual(['from-a']);
    await close(byName.c.processid, ['from-c']); // C closes first: D's input still follows parent order
    expect((await t.fail('assignprocessmsg', { colonyname: COLONY, timeout: -1 }, c.executor)).status).toBe(404);
    await close(byName.b.processid, [{ k: 'from-b' }]);
    const d = await take();
    expect(d.spec.nodename).toBe('d');
    expect(d.in).toEqual([{ k: 'from-b' }, 'from-c']);
    await close(d.processid, ['done']);

    const done = await getGraph(g.processgraphid);
    expect(done.state).toBe(2);
    expect(done.starttime).not.toBe(ZERO_TIME);
    expect(done.endtime).not.toBe(ZERO_TIME);
    expect(done.processids[0]).toBe(a.processid);
    expect(done.nodes).toHaveLength(4);
    expect(done.edges).toHaveLength(4);
    const pos = Object.fromEntries(done.nodes.map((n: any) => [n.data.label, { ...n.position, type: n.type, bg: n.style.background }]));
    expect(pos.a).toEqual({ x: 100, y: 0, type: 'input', bg: '#92d050' });
    expect(pos.b.y).toBe(80);
    expect(pos.c.y).toBe(80);
    expect([pos.b.x, pos.c.x].sort((x, y) => x - y)).toEqual([0, 200]);
    expect(pos.d).toMatchObject({ y: 160, type: 'output' });
    expect(done.edges).toContainEqual({ id: `${a.processid}-${byName.b.processid}`, source: a.processid, target: byName.b.processid, animated: false });
    const listed = await graphs(2);
    expect(listed.map((x: any) => x.processgraphid)).toEqual([g.processgraphid]);
    expect(listed[0]).toMatchObject({ nodes: [], edges: [], processids: done.processids });
  });

  it('fails every other member when a middle node fails (cascade), with events', async () => {
    const g = await submit(node('a'), node('b', ['a']), node('c', ['a']), node('d', ['b', 'c']));
    const a = await take();
    await close(a.processid, ['x']);
    const p1 = await take();
    const p2 = await take();
    const ws = await openPubsub(t.url);
    const d = g.processids[3];
    ws.subscribe('subscribeprocessmsg', { processid: d, executortype: '', state: 3, timeout: 10 }, c.user);
    await fail(p1.processid);
    // D fails by the cascade: the original sends no frame here, we do (DECISIONS.md).
    const frames = await ws.waitFrames(1);
    expect(frames[0].payload).toMatchObject({ processid: d, state: 3 });
    ws.close();
    const states = await Promise.all(g.processids.map(async (id: string) => (await getProc(id)).state));
    expect(states).toEqual([3, 3, 3, 3]); // A too: everything not FAILED becomes FAILED
    expect((await getProc(d)).errors).toEqual([]);
    expect((await getGraph(g.processgraphid)).state).toBe(3);
    // The running sibling learns it when it closes.
    expect(await t.fail('closesuccessfulmsg', { processid: p2.processid, out: [] }, c.executor)).toEqual({
      status: 400,
      message: 'Tried to set failed process as successful',
    });
  });

  it('releases the join node when both its parents close at the same moment', async () => {
    for (let i = 0; i < 4; i++) {
      const g = await submit(node('a'), node('b'), node('c', ['a', 'b']));
      const [x, y] = [await take(), await take()];
      await Promise.all([close(x.processid, [1]), close(y.processid, [2])]);
      const joined = await take();
      expect(joined.processid).toBe(g.processids[2]);
      expect(joined.in).toHaveLength(2);
      await close(joined.processid, []);
      expect((await getGraph(g.processgraphid)).state).toBe(2);
    }
  });

  it('marks the graph FAILED when a leaf fails while its sibling keeps running', async () => {
    const g = await submit(node('a'), node('b'));
    const [x, y] = [await take(), await take()];
    await fail(x.processid);
    expect((await getProc(y.processid)).state).toBe(1);
    expect((await getGraph(g.processgraphid)).state).toBe(3);
    await close(y.processid, []);
    expect((await getGraph(g.processgraphid)).state).toBe(3);
  });
});

describe('get / list / remove / removeall / cancel', () => {
  it('getprocessgraphmsg: unknown → 500, non-member → 403', async () => {
    const g = await submit(node('a'));
    expect((await t.fail('getprocessgraphmsg', { processgraphid: 'nope' }, c.user)).status).toBe(500);
    expect((await t.fail('getprocessgraphmsg', { processgraphid: g.processgraphid }, newKey())).status).toBe(403);
  });

  it('getprocessgraphsmsg: newest first, count and state limits', async () => {
    const g1 = await submit(node('a'));
    const g2 = await submit(node('a'));
    expect((await graphs(0)).map((g: any) => g.processgraphid)).toEqual([g2.processgraphid, g1.processgraphid]);
    expect((await t.call('getprocessgraphsmsg', { colonyname: COLONY, count: 1 }, c.user)).map((g: any) => g.processgraphid)).toEqual([g2.processgraphid]);
    expect(await t.fail('getprocessgraphsmsg', { colonyname: COLONY, count: 101, state: 0 }, c.user)).toEqual({ status: 400, message: 'Count is larger than MaxCount limit <100>' });
    expect(await t.fail('getprocessgraphsmsg', { colonyname: COLONY, count: 1, state: 9 }, c.user)).toEqual({ status: 400, message: 'invalid msg.State' });
    expect(await graphs(4)).toBeNull();
  });

  it('removeprocessgraphmsg: refuses a running graph, removes a waiting one with its processes', async () => {
    const running = await submit(node('a'), node('b', ['a']));
    await take();
    const r = await t.fail('removeprocessgraphmsg', { processgraphid: running.processgraphid }, c.user);
    expect(r.status).toBe(400);
    expect((await getGraph(running.processgraphid)).state).toBe(1);
    const waiting = await submit(node('a'), node('b', ['a']));
    await t.call('removeprocessgraphmsg', { processgraphid: waiting.processgraphid }, c.user);
    expect((await t.fail('getprocessgraphmsg', { processgraphid: waiting.processgraphid }, c.user)).status).toBe(500);
    for (const id of waiting.processids) expect((await t.fail('getprocessmsg', { processid: id }, c.user)).status).toBe(404);
    expect((await t.fail('removeprocessgraphmsg', { processgraphid: 'nope' }, c.user)).status).toBe(500);
  });

  it('removeallprocessgraphsmsg: colony owner only; missing state = waiting graphs only', async () => {
    const done = await submit(node('a'));
    await close((await take()).processid, []);
    const waiting = await submit(node('a'));
    expect((await t.fail('removeallprocessgraphsmsg', { colonyname: COLONY }, c.user)).status).toBe(403);
    expect(await t.fail('removeallprocessgraphsmsg', { colonyname: COLONY, state: 1 }, c.owner)).toEqual({ status: 400, message: 'not possible to remove running processgraphs' });
    expect(await t.fail('removeallprocessgraphsmsg', { colonyname: COLONY, state: 7 }, c.owner)).toEqual({ status: 400, message: 'invalid state when deleting all processgraphs' });
    expect((await graphs(0)).length).toBe(1);
    await t.call('removeallprocessgraphsmsg', { colonyname: COLONY }, c.owner);
    expect(await graphs(0)).toBeNull();
    expect((await t.fail('getprocessmsg', { processid: waiting.processids[0] }, c.user)).status).toBe(404);
    expect((await getGraph(done.processgraphid)).state).toBe(2);
    await t.call('removeallprocessgraphsmsg', { colonyname: COLONY, state: 2 }, c.owner);
    expect(await graphs(2)).toBeNull();
  });

  it('cancelprocessgraphmsg: waiting and running members → CANCELLED, graph CANCELLED, with events', async () => {
    const g = await submit(node('a'), node('b', ['a']));
    const a = await take();
    const ws = await openPubsub(t.url);
    ws.subscribe('subscribeprocessmsg', { processid: a.processid, executortype: '', state: 4, timeout: 10 }, c.user);
    expect((await t.fail('cancelprocessgraphmsg', { processgraphid: g.processgraphid }, newKey())).status).toBe(403);
    await t.call('cancelprocessgraphmsg', { processgraphid: g.processgraphid }, c.user);
    expect((await ws.waitFrames(1))[0].payload).toMatchObject({ processid: a.processid, state: 4 });
    ws.close();
    const cancelled = await getGraph(g.processgraphid);
    expect(cancelled.state).toBe(4);
    expect(cancelled.endtime).not.toBe(ZERO_TIME);
    for (const id of g.processids) expect((await getProc(id)).state).toBe(4);
    expect((await t.fail('closesuccessfulmsg', { processid: a.processid, out: [] }, c.executor)).status).toBe(400);
    expect((await t.fail('cancelprocessgraphmsg', { processgraphid: 'nope' }, c.user)).status).toBe(500);
  });
});

describe('addchildmsg', () => {
  const child = (nodename: string) => ({ ...node(nodename), conditions: { colonyname: COLONY, executortype: 'test-executor' } });

  it('appends a child that runs after its parent with the parent output', async () => {
    const g = await submit(node('root'));
    const root = await take();
    const added = await t.call('addchildmsg', { processgraphid: g.processgraphid, parentprocessid: root.processid, spec: child('kid'), insert: false }, c.executor);
    expect(added).toMatchObject({ initiatorid: '', initiatorname: '', state: 0, waitforparents: true, parents: [root.processid], children: [], processgraphid: g.processgraphid });
    expect((await getProc(root.processid)).children).toEqual([added.processid]);
    expect((await getGraph(g.processgraphid)).processids).toEqual([root.processid, added.processid]);
    await close(root.processid, [{ k: 1 }]);
    const kid = await take();
    expect(kid.processid).toBe(added.processid);
    expect(kid.in).toEqual([{ k: 1 }]);
    await close(kid.processid, []);
    expect((await getGraph(g.processgraphid)).state).toBe(2);
  });

  it('insert=true puts the new node between the parent and its children; childprocessid adds a parent', async () => {
    const g = await submit(node('a'), node('b', ['a']));
    const a = await take();
    const n = await t.call('addchildmsg', { processgraphid: g.processgraphid, parentprocessid: a.processid, spec: child('n'), insert: true }, c.executor);
    const b = g.processids[1];
    expect((await getProc(a.processid)).children).toEqual([n.processid]);
    expect(n.children).toEqual([b]);
    expect((await getProc(b)).parents).toEqual([n.processid]);
    const m = await t.call(
      'addchildmsg',
      { processgraphid: g.processgraphid, parentprocessid: a.processid, childprocessid: b, spec: child('m'), insert: false },
      c.executor,
    );
    expect(m.children).toEqual([b]);
    expect((await getProc(b)).parents).toEqual([n.processid, m.processid]);
    await close(a.processid, ['a']);
    const next = [await take(), await take()].map((p) => p.spec.nodename).sort();
    expect(next).toEqual(['m', 'n']);
  });

  it('refuses callers other than the assigned executor, closed parents and non-workflow parents (400)', async () => {
    const g = await submit(node('a'), node('b', ['a']));
    const msg = { processgraphid: g.processgraphid, parentprocessid: g.processids[1], spec: child('x'), insert: false };
    expect((await t.fail('addchildmsg', msg, c.executor)).message).toBe(`Process with Id ${g.processids[1]} is not running`);
    const a = await take();
    const byUser = await t.fail('addchildmsg', { ...msg, parentprocessid: a.processid }, c.user);
    expect(byUser.status).toBe(400);
    const single = await t.call('submitfuncspecmsg', { spec: { funcname: 'f', maxexectime: -1, conditions: { colonyname: COLONY, executortype: 'other' } } }, c.user);
    const notInGraph = await t.fail('addchildmsg', { ...msg, parentprocessid: single.processid }, c.executor);
    expect(notInGraph).toEqual({ status: 400, message: `Process with Id ${single.processid} does not belong to a processgraph` });
    expect(await t.fail('addchildmsg', { ...msg, spec: null }, c.executor)).toEqual({ status: 400, message: 'Failed to add child to processgraph, msg.FunctionSpec is nil' });
    expect((await getProc(a.processid)).children).toEqual([g.processids[1]]);
    expect((await getGraph(g.processgraphid)).processids).toHaveLength(2);
    await t.call('removeallprocessesmsg', { colonyname: COLONY, state: 0 }, c.owner);
  });
});
