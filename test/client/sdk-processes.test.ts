// The SDK against a real server: processes, attributes, logs, workflows.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AttributeType, ColoniesClient, ProcessState } from '../../src/client/index.js';
import { setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';
import { expectShape } from './shapes.js';
import { failure } from '../helpers/failure.js';

let t: TestServer;
let cast: Cast;
let client: ColoniesClient;
let exKey: string;

beforeAll(async () => {
  t = await startTestServer();
  cast = await setupColony(t, 'sdkproc');
  client = new ColoniesClient({ url: t.url, prvKey: cast.user.prv });
  exKey = cast.executor.prv;
});
afterAll(() => t?.close());

const spec = (funcname: string, extra: Record<string, unknown> = {}) => ({
  funcname,
  args: ['a', 1],
  maxexectime: -1,
  conditions: { colonyname: cast.colonyName, executortype: cast.executor.type },
  ...extra,
});

describe('processes', () => {
  test('submit → assign → set output, log, attribute → close successful', async () => {
    const p = await client.submitFunctionSpec(spec('work', { env: { A: '1' } }));
    expectShape(p, 'Process_fresh_CreateProcess', { ignore: ['spec', 'attributes'] });
    expectShape(p.spec, 'FunctionSpec_CreateEmptyFunctionSpec', { topLevelOnly: true });
    expect(p.state).toBe(ProcessState.WAITING);
    expect(typeof p.prioritytime).toBe('bigint'); // int64 beyond 2^53 stays exact

    const a = await client.assign(cast.colonyName, 5, '', '', exKey);
    expect(a.processid).toBe(p.processid);
    expect(a.state).toBe(ProcessState.RUNNING);

    await client.setOutput(p.processid, ['partial'], exKey);
    await client.addLog(p.processid, 'hello log', exKey);
    const attr = await client.addAttribute({ targetid: p.processid, targetcolonyname: cast.colonyName, key: 'result', value: '42' }, exKey);
    expectShape(attr, 'Attribute');
    expect(attr.attributetype).toBe(AttributeType.OUT);
    expect((await client.getAttribute(attr.attributeid)).value).toBe('42');

    const logs = await client.getLogs(cast.colonyName, p.processid, 10);
    expect(logs.map((l) => l.message)).toEqual(['hello log']);
    expectShape(logs[0], 'Log');
    expect((await client.getExecutorLogs(cast.colonyName, cast.executor.name, 10)).length).toBeGreaterThan(0);
    expect((await client.searchLogs(cast.colonyName, 'hello', 1, 10)).length).toBe(1);

    expect((await client.getProcess(p.processid)).out).toEqual(['partial']);
    await client.closeSuccessful(p.processid, ['done'], exKey);
    const done = await client.getProcess(p.processid);
    expect(done.state).toBe(ProcessState.SUCCESS);
    expect(done.out).toEqual(['done']);
    expect((await client.getProcesses(cast.colonyName, ProcessState.SUCCESS)).map((x) => x.processid)).toContain(p.processid);
    expect((await client.getProcessHistory(cast.colonyName, 600, ProcessState.SUCCESS)).map((x) => x.processid)).toContain(p.processid);
  });

  test('close failed records the errors', async () => {
    const p = await client.submitFunctionSpec(spec('boom'));
    await client.assign(cast.colonyName, 5, '', '', exKey);
    await client.closeFailed(p.processid, ['it broke'], exKey);
    const f = await client.getProcess(p.processid);
    expect(f.state).toBe(ProcessState.FAILED);
    expect(f.errors).toEqual(['it broke']);
  });

  test('only the assigned executor closes; a refused close changes nothing', async () => {
    const p = await client.submitFunctionSpec(spec('guarded'));
    await client.assign(cast.colonyName, 5, '', '', exKey);
    const f = await failure(client.closeSuccessful(p.processid, ['x'])); // the user is not the assignee
    expect(f.status).toBe(403);
    expect((await client.getProcess(p.processid)).state).toBe(ProcessState.RUNNING);
    await client.closeSuccessful(p.processid, [], exKey);
  });

  test('assign with nothing to do: 404 at once with a negative timeout', async () => {
    const f = await failure(client.assign(cast.colonyName, -1, '', '', exKey));
    expect(f).toEqual({ status: 404, message: 'No process available for assignment' });
  });

  test('a user cannot assign', async () => {
    const f = await failure(client.assign(cast.colonyName, -1));
    expect(f.status).toBe(500);
  });

  test('cancel, remove and remove all', async () => {
    const p = await client.submitFunctionSpec(spec('cancel-me'));
    await client.cancelProcess(p.processid);
    expect((await client.getProcess(p.processid)).state).toBe(ProcessState.CANCELLED);
    await client.removeProcess(p.processid);
    expect((await failure(client.getProcess(p.processid))).status).toBe(404);

    const q = await client.submitFunctionSpec(spec('left-waiting'));
    await client.removeAllProcesses(cast.colonyName, ProcessState.WAITING, cast.owner.prv);
    expect((await failure(client.getProcess(q.processid))).status).toBe(404);
  });

  test('bad input is refused with 400 and nothing is stored', async () => {
    const before = (await client.getProcesses(cast.colonyName, ProcessState.WAITING)).length;
    const f = await failure(client.submitFunctionSpec(spec('x', { priority: 60000 })));
    expect(f.status).toBe(400);
    expect((await client.getProcesses(cast.colonyName, ProcessState.WAITING)).length).toBe(before);
  });

  test('getProcesses filters and the empty list is []', async () => {
    expect(await client.getProcesses(cast.colonyName, ProcessState.RUNNING, 10, { label: 'no-such-label' })).toEqual([]);
    const p = await client.submitFunctionSpec(spec('labelled', { label: 'L1' }));
    const got = await client.getProcesses(cast.colonyName, ProcessState.WAITING, 10, { label: 'L1' });
    expect(got.map((x) => x.processid)).toEqual([p.processid]);
    await client.cancelProcess(p.processid);
  });
});

describe('workflows', () => {
  const wf = () => ({
    colonyname: cast.colonyName,
    functionspecs: [
      { nodename: 'a', funcname: 'a', conditions: { executortype: cast.executor.type } },
      { nodename: 'b', funcname: 'b', conditions: { executortype: cast.executor.type, dependencies: ['a'] } },
    ],
  });

  test('submit, run both nodes in order, output flows to the child', async () => {
    const g = await client.submitWorkflowSpec(wf());
    expectShape(g, 'ProcessGraph_fresh');
    expect(g.processids).toHaveLength(2);
    const first = await client.assign(cast.colonyName, 5, '', '', exKey);
    expect(first.spec.nodename).toBe('a');
    await client.closeSuccessful(first.processid, [7], exKey);
    const second = await client.assign(cast.colonyName, 5, '', '', exKey);
    expect(second.spec.nodename).toBe('b');
    expect(second.in).toEqual([7]);
    await client.closeSuccessful(second.processid, [8], exKey);
    const done = await client.getProcessGraph(g.processgraphid);
    expect(done.state).toBe(ProcessState.SUCCESS);
    expect((await client.getProcessGraphs(cast.colonyName, ProcessState.SUCCESS)).map((x) => x.processgraphid)).toContain(g.processgraphid);
    await client.removeProcessGraph(g.processgraphid);
    expect((await failure(client.getProcessGraph(g.processgraphid))).status).toBe(500);
  });

  test('cancel a graph, then remove all graphs', async () => {
    const g = await client.submitWorkflowSpec(wf());
    await client.cancelProcessGraph(g.processgraphid);
    expect((await client.getProcessGraph(g.processgraphid)).state).toBe(ProcessState.CANCELLED);
    await client.removeAllProcessGraphs(cast.colonyName, -1, cast.owner.prv);
    expect(await client.getProcessGraphs(cast.colonyName, ProcessState.CANCELLED)).toEqual([]);
  });

  test('a bad dependency is refused and nothing is stored', async () => {
    const bad = wf();
    bad.functionspecs[1].conditions.dependencies = ['nope'];
    const f = await failure(client.submitWorkflowSpec(bad));
    expect(f.status).toBeGreaterThanOrEqual(400);
    expect(await client.getProcessGraphs(cast.colonyName, ProcessState.WAITING)).toEqual([]);
  });

  test('addChild inserts a node under a running member', async () => {
    const g = await client.submitWorkflowSpec(wf());
    const parent = await client.assign(cast.colonyName, 5, '', '', exKey);
    const child = await client.addChild(g.processgraphid, parent.processid, { nodename: 'c', funcname: 'c', conditions: { colonyname: cast.colonyName, executortype: cast.executor.type } }, false, '', exKey);
    expect(child.processgraphid).toBe(g.processgraphid);
    expect((await client.getProcessGraph(g.processgraphid)).processids).toContain(child.processid);
    await client.cancelProcessGraph(g.processgraphid);
  });
});
