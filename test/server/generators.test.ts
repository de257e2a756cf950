// Generators (PROTOCOL §6.11, SEMANTICS §9): validation, CRUD, packing, and the trigger loop
// (server started with a 100 ms checker period) by count and by timeout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZERO_TIME } from '../../src/protocol/time.js';
import { newKey, setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';
import { node, waitFor, workflow } from '../helpers/workflow.js';

let t: TestServer;
let c: Cast;
const COLONY = 'gens';
// Root g gets the packed args; child h is left untouched.
const spec = JSON.stringify(
  workflow(COLONY, { ...node('g'), args: ['orig'], kwargs: { a: 1 }, conditions: { executortype: 'nobody' } }, {
    ...node('h', ['g']),
    args: ['keep'],
    conditions: { executortype: 'nobody', dependencies: ['g'] },
  }),
);

beforeAll(async () => {
  t = await startTestServer({ generatorCheckerPeriod: 100 });
  c = await setupColony(t, COLONY);
});
afterAll(() => t?.close());

const addGenerator = (g: Record<string, unknown>) =>
  t.call('addgeneratormsg', { generator: { colonyname: COLONY, workflowspec: spec, trigger: 2, timeout: -1, ...g } }, c.user);
const getGenerator = (generatorid: string) => t.call('getgeneratormsg', { generatorid }, c.user);
const pack = (generatorid: string, arg: string) => t.call('packgeneratormsg', { generatorid, arg }, c.user);
const graphs = async () => (await t.call('getprocessgraphsmsg', { colonyname: COLONY, count: 100, state: 0 }, c.user)) ?? [];
const rootOf = async (g: any) => t.call('getprocessmsg', { processid: g.rootprocessids[0] }, c.user);

describe('addgeneratormsg', () => {
  it('stores a generator; get/resolve/list return it', async () => {
    const g = await addGenerator({ name: 'stored' });
    expect(g).toMatchObject({ initiatorid: c.user.id, initiatorname: c.user.name, name: 'stored', trigger: 2, timeout: -1, queuesize: 0, checkerperiod: 0 });
    expect([g.firstpack, g.lastrun]).toEqual([ZERO_TIME, ZERO_TIME]);
    expect(await getGenerator(g.generatorid)).toMatchObject({ generatorid: g.generatorid, queuesize: 0, checkerperiod: 100 });
    expect(await t.call('resolvegeneratormsg', { colonyname: COLONY, generatorname: 'stored' }, c.user)).toEqual(g);
    expect(await t.call('getgeneratorsmsg', { colonyname: COLONY, count: 10 }, c.user)).toEqual([g]);
    await t.call('removegeneratormsg', { generatorid: g.generatorid }, c.user);
    expect(await t.fail('getgeneratormsg', { generatorid: g.generatorid }, c.user)).toEqual({ status: 500, message: 'Failed to get generator, generator is nil' });
    expect(await t.call('getgeneratorsmsg', { colonyname: COLONY, count: 10 }, c.user)).toBeNull();
  });

  it.each([
    ['trigger 0', { trigger: 0 }, 'Failed to add generator, trigger must be larger than 0'],
    ['a negative trigger', { trigger: -3 }, 'Failed to add generator, trigger must be larger than 0'],
    ['a bad dependency', { workflowspec: JSON.stringify(workflow(COLONY, node('a', ['zz']))) }, 'Failed to submit workflow, invalid dependencies, are you depending on a nodename that does not exits?'],
  ])('refuses %s with 400 and stores nothing', async (_n, g, message) => {
    expect(await t.fail('addgeneratormsg', { generator: { colonyname: COLONY, name: 'bad', workflowspec: spec, trigger: 2, ...g } }, c.user)).toEqual({ status: 400, message });
    expect(await t.call('getgeneratorsmsg', { colonyname: COLONY, count: 10 }, c.user)).toBeNull();
  });

  it('refuses workflow text that is not JSON and duplicate names (400), a nil generator (400), non-members (403)', async () => {
    expect((await t.fail('addgeneratormsg', { generator: { colonyname: COLONY, name: 'j', trigger: 1, workflowspec: 'nope' } }, c.user)).status).toBe(400);
    const g = await addGenerator({ name: 'dup' });
    expect(await t.fail('addgeneratormsg', { generator: { colonyname: COLONY, name: 'dup', trigger: 1, workflowspec: spec } }, c.user)).toEqual({
      status: 400,
      message: `Generator with name <dup> in Colony <${COLONY}> already exists`,
    });
    expect(await t.fail('addgeneratormsg', { generator: null }, c.user)).toEqual({ status: 400, message: 'Failed to add generator, msg.Generator is nil' });
    expect((await t.fail('addgeneratormsg', { generator: { colonyname: COLONY, name: 'x', trigger: 1, workflowspec: spec } }, c.owner)).status).toBe(403);
    expect((await t.call('getgeneratorsmsg', { colonyname: COLONY, count: 10 }, c.user)).map((x: any) => x.name)).toEqual(['dup']);
    await t.call('removegeneratormsg', { generatorid: g.generatorid }, c.user);
  });

  it('unknown ids → 500, non-members → 403', async () => {
    expect((await t.fail('packgeneratormsg', { generatorid: 'nope', arg: 'x' }, c.user)).status).toBe(500);
    expect((await t.fail('removegeneratormsg', { generatorid: 'nope' }, c.user)).status).toBe(500);
    expect((await t.fail('resolvegeneratormsg', { colonyname: COLONY, generatorname: 'nope' }, c.user)).status).toBe(500);
    const g = await addGenerator({ name: 'private', trigger: 100 });
    expect((await t.fail('packgeneratormsg', { generatorid: g.generatorid, arg: 'x' }, newKey())).status).toBe(403);
    expect((await t.fail('getgeneratormsg', { generatorid: g.generatorid }, newKey())).status).toBe(403);
    expect((await getGenerator(g.generatorid)).queuesize).toBe(0);
    await t.call('removegeneratormsg', { generatorid: g.generatorid }, c.user);
  });
});

describe('trigger loop', () => {
  it('spawns one workflow per full batch; roots get the packed args in order, kwargs {}', async () => {
    const g = await addGenerator({ name: 'count', trigger: 2 });
    await pack(g.generatorid, 'a1');
    const packed = await getGenerator(g.generatorid);
    expect(packed.queuesize).toBe(1);
    expect(packed.firstpack).not.toBe(ZERO_TIME);
    await pack(g.generatorid, 'a2');
    await pack(g.generatorid, 'a3');
    const [wf] = await waitFor(async () => {
      const list = await graphs();
      return list.length > 0 ? list : null;
    });
    const root = await rootOf(wf);
    expect(root.spec.args).toEqual(['a1', 'a2']);
    expect(root.spec.kwargs).toEqual({});
    expect(wf.initiatorname).toBe(c.user.name);
    const child = await t.call('getprocessmsg', { processid: wf.processids[1] }, c.user);
    expect(child.spec.args).toEqual(['keep']);
    const after = await waitFor(async () => {
      const x = await getGenerator(g.generatorid);
      return x.lastrun !== ZERO_TIME ? x : null;
    });
    expect(after.queuesize).toBe(1);
    expect((await graphs()).length).toBe(1); // a3 alone waits for a partner (no timeout)
    await pack(g.generatorid, 'a4');
    const two = await waitFor(async () => ((await graphs()).length === 2 ? graphs() : null));
    const newest = await rootOf(two[0]);
    expect(newest.spec.args).toEqual(['a3', 'a4']);
    await t.call('removegeneratormsg', { generatorid: g.generatorid }, c.user);
    await t.call('removeallprocessgraphsmsg', { colonyname: COLONY, state: -1 }, c.owner);
  });

  it('flushes a partial batch once the timeout has passed since the first pack', async () => {
    const g = await addGenerator({ name: 'timeout', trigger: 10, timeout: 1 });
    await pack(g.generatorid, 'b1');
    await pack(g.generatorid, 'b2');
    const [wf] = await waitFor(async () => {
      const list = await graphs();
      return list.length > 0 ? list : null;
    }, 10_000);
    expect((await rootOf(wf)).spec.args).toEqual(['b1', 'b2']);
    expect((await getGenerator(g.generatorid)).queuesize).toBe(0);
    await t.call('removegeneratormsg', { generatorid: g.generatorid }, c.user);
    await t.call('removeallprocessgraphsmsg', { colonyname: COLONY, state: -1 }, c.owner);
  });
});
