// Function registry RPCs (PROTOCOL §6.6, OBJECTS §11) and the run statistics (SEMANTICS §5).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFunctionRun } from '../../src/store/functions.js';
import { newKey, setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';

const shapes = JSON.parse(readFileSync(new URL('../vectors/json-shapes.json', import.meta.url), 'utf8'));

let t: TestServer;
let n = 0;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.close());

const fresh = () => setupColony(t, `fn${++n}`);
const fun = (c: Cast, extra: Record<string, unknown> = {}) => ({
  fun: { executorname: c.executor.name, executortype: c.executor.type, colonyname: c.colonyName, funcname: 'echo', ...extra },
});
const list = (c: Cast, executorname = '') => t.call('getfunctionsmsg', { colonyname: c.colonyName, executorname }, c.user);

describe('addfunctionmsg', () => {
  it('registers a function with a generated id, zero stats and the executor location', async () => {
    const c = await fresh();
    const f = await t.call('addfunctionmsg', fun(c), c.executor);
    expect(f.functionid).toMatch(/^[0-9a-f]{64}$/);
    expect(f).toEqual({ ...shapes.Function, functionid: f.functionid, executorname: c.executor.name, executortype: c.executor.type, colonyname: c.colonyName });
    expect(Object.keys(f)).toEqual(Object.keys(shapes.Function));
  });

  it('keeps description and args (Function_with_args shape) and copies the location', async () => {
    const owner = newKey();
    await t.call('addcolonymsg', { colony: { colonyid: owner.id, name: 'fnloc' } }, t.serverKey);
    const ex = newKey();
    await t.call('addexecutormsg', { executor: { executorid: ex.id, executortype: 'cli', executorname: 'dev-docker', colonyname: 'fnloc', locationname: 'home' } }, owner);
    await t.call('approveexecutormsg', { colonyname: 'fnloc', executorname: 'dev-docker' }, owner);
    const want = shapes.Function_with_args;
    const f = await t.call(
      'addfunctionmsg',
      { fun: { functionid: 'my-id', executorname: 'dev-docker', executortype: 'cli', colonyname: 'fnloc', funcname: 'echo', description: 'd', args: want.args } },
      ex,
    );
    expect(f).toEqual({ ...want, functionid: 'my-id', colonyname: 'fnloc' });
    expect(Object.keys(f)).toEqual(Object.keys(want));
    expect(Object.keys(f.args[0])).toEqual(Object.keys(want.args[0]));
  });

  it('allows duplicates, each with its own id, listed in registration order', async () => {
    const c = await fresh();
    const a = await t.call('addfunctionmsg', fun(c), c.executor);
    const b = await t.call('addfunctionmsg', fun(c), c.executor);
    expect(a.functionid).not.toBe(b.functionid);
    expect((await list(c)).map((x: any) => x.functionid)).toEqual([a.functionid, b.functionid]);
  });

  it('refuses other executors, unknown executors, null and non-members; nothing is added', async () => {
    const c = await fresh();
    expect(await t.fail('addfunctionmsg', fun(c), c.user)).toEqual({ status: 403, message: 'Not allowed to add a function to another executor' });
    expect(await t.fail('addfunctionmsg', fun(c, { executorname: 'ghost' }), c.executor)).toEqual({
      status: 400,
      message: 'Failed to add function, Executor with name <ghost> does not exist',
    });
    expect(await t.fail('addfunctionmsg', { fun: null }, c.executor)).toEqual({ status: 400, message: 'Failed to add function, msg.Function is nil' });
    expect((await t.fail('addfunctionmsg', fun(c), c.owner)).status).toBe(403);
    const pending = newKey();
    await t.call('addexecutormsg', { executor: { executorid: pending.id, executortype: 't', executorname: 'p', colonyname: c.colonyName } }, c.owner);
    expect((await t.fail('addfunctionmsg', fun(c, { executorname: 'p' }), pending)).status).toBe(403);
    expect(await list(c)).toBeNull();
  });
});

describe('getfunctionsmsg', () => {
  it('lists the whole colony or one executor; approved members only', async () => {
    const c = await fresh();
    const ex2 = newKey();
    await t.call('addexecutormsg', { executor: { executorid: ex2.id, executortype: 't2', executorname: 'ex2', colonyname: c.colonyName } }, c.owner);
    await t.call('approveexecutormsg', { colonyname: c.colonyName, executorname: 'ex2' }, c.owner);
    await t.call('addfunctionmsg', fun(c, { funcname: 'a' }), c.executor);
    await t.call('addfunctionmsg', { fun: { executorname: 'ex2', colonyname: c.colonyName, funcname: 'b' } }, ex2);
    expect((await list(c)).map((f: any) => f.funcname)).toEqual(['a', 'b']);
    const only = await list(c, 'ex2');
    expect(only.map((f: any) => [f.funcname, f.executortype])).toEqual([['b', 't2']]);
    expect(await list(c, 'nobody')).toBeNull();
    expect((await t.fail('getfunctionsmsg', { colonyname: c.colonyName }, c.owner)).status).toBe(403);
  });
});

describe('removefunctionmsg', () => {
  it('only the owning executor removes; empty 400, unknown 404', async () => {
    const c = await fresh();
    const f = await t.call('addfunctionmsg', fun(c), c.executor);
    expect(await t.fail('removefunctionmsg', { functionid: f.functionid }, c.user)).toEqual({
      status: 403,
      message: 'Not allowed to remove a function from another executor',
    });
    expect((await t.fail('removefunctionmsg', { functionid: f.functionid }, newKey())).status).toBe(403);
    expect(await t.fail('removefunctionmsg', { functionid: '' }, c.executor)).toEqual({ status: 400, message: 'Failed to remove function, msg.FunctionID is empty' });
    expect(await t.fail('removefunctionmsg', { functionid: 'nope' }, c.executor)).toEqual({
      status: 404,
      message: 'Failed to remove function, function does not exist',
    });
    expect((await list(c)).length).toBe(1);
    expect(await t.call('removefunctionmsg', { functionid: f.functionid }, c.executor)).toEqual({});
    expect(await list(c)).toBeNull();
  });
});

describe('recordFunctionRun', () => {
  it('first run sets min/max/avg; then min/max track and avg = (avg + new) / 2', async () => {
    const c = await fresh();
    await t.call('addfunctionmsg', fun(c), c.executor);
    await t.call('addfunctionmsg', fun(c, { funcname: 'other' }), c.executor);
    const run = (waitS: number, execS: number) =>
      recordFunctionRun(t.server.srv.db, { colonyname: c.colonyName, executorname: c.executor.name, funcname: 'echo', waitS, execS });
    await run(2, 10);
    const [first, other] = await list(c);
    expect(first).toMatchObject({ counter: 1, minwaittime: 2, maxwaittime: 2, avgwaittime: 2, minexectime: 10, maxexectime: 10, avgexectime: 10 });
    expect(other).toMatchObject({ counter: 0, avgexectime: 0 });
    await run(4, 1);
    await run(1, 3);
    const [echo] = await list(c);
    expect(echo).toMatchObject({ counter: 3, minwaittime: 1, maxwaittime: 4, avgwaittime: 2, minexectime: 1, maxexectime: 10, avgexectime: 4.25 });
  });
});
