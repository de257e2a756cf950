// The SDK against a real server: the optional areas (crons, generators, files, snapshots,
// locations, channels, blueprints) and the rarely used executor/id calls.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ColoniesClient, ColoniesError, entryText } from '../../src/client/index.js';
import { newKey, setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';
import { expectShape } from './shapes.js';

let t: TestServer;
let cast: Cast;
let client: ColoniesClient;

beforeAll(async () => {
  t = await startTestServer();
  cast = await setupColony(t, 'sdkx');
  client = new ColoniesClient({ url: t.url, prvKey: cast.user.prv });
});
afterAll(() => t?.close());

const workflow = () => ({ colonyname: cast.colonyName, functionspecs: [{ nodename: 'n', funcname: 'tick', conditions: { executortype: cast.executor.type } }] });

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ColoniesError) return e.status;
    throw e;
  }
  return 200;
}

describe('crons and generators', () => {
  test('add (workflow as an object), get, list, run, remove a cron', async () => {
    const c = await client.addCron({ colonyname: cast.colonyName, name: 'c1', interval: 3600, workflowspec: workflow() });
    expectShape(c, 'Cron');
    expect(JSON.parse(c.workflowspec).functionspecs[0].funcname).toBe('tick');
    expect((await client.getCron(c.cronid)).name).toBe('c1');
    expect((await client.getCrons(cast.colonyName)).map((x) => x.cronid)).toEqual([c.cronid]);
    await client.runCron(c.cronid);
    expect((await client.getCron(c.cronid)).prevprocessgraphid).not.toBe('');
    await client.removeCron(c.cronid);
    expect(await client.getCrons(cast.colonyName)).toEqual([]);
  });

  test('a cron with interval 0 is refused and not stored', async () => {
    expect(await status(client.addCron({ colonyname: cast.colonyName, name: 'bad', interval: 0, workflowspec: workflow() }))).toBe(400);
    expect(await client.getCrons(cast.colonyName)).toEqual([]);
  });

  test('add, resolve, pack, list, remove a generator', async () => {
    const g = await client.addGenerator({ colonyname: cast.colonyName, name: 'g1', trigger: 10, timeout: 0, workflowspec: workflow() });
    expectShape(g, 'Generator');
    expect((await client.resolveGenerator(cast.colonyName, 'g1')).generatorid).toBe(g.generatorid);
    await client.packGenerator(g.generatorid, 'arg1');
    expect((await client.getGenerator(g.generatorid)).queuesize).toBe(1);
    expect((await client.getGenerators(cast.colonyName)).length).toBe(1);
    await client.removeGenerator(g.generatorid);
    expect(await client.getGenerators(cast.colonyName)).toEqual([]);
  });
});

describe('files, snapshots, locations', () => {
  test('file metadata, labels and snapshots', async () => {
    const f = await client.addFile({ colonyname: cast.colonyName, label: '/data', name: 'a.txt', size: 3, checksum: 'abc', checksumalg: 'SHA256' });
    expectShape(f, 'File', { topLevelOnly: true });
    expect((await client.getFile(cast.colonyName, { fileId: f.fileid })).map((x) => x.name)).toEqual(['a.txt']);
    expect((await client.getFile(cast.colonyName, { label: '/data', name: 'a.txt' }, true)).length).toBe(1);
    expect((await client.getFiles(cast.colonyName, '/data')).map((x) => x.name)).toEqual(['a.txt']);
    expect(await client.getFileLabels(cast.colonyName)).toEqual([{ name: '/data', files: 1 }]);
    const s = await client.createSnapshot(cast.colonyName, '/data', 'snap1');
    expectShape(s, 'Snapshot');
    expect(s.fileids).toEqual([f.fileid]);
    expect((await client.getSnapshot(cast.colonyName, { name: 'snap1' })).snapshotid).toBe(s.snapshotid);
    expect((await client.getSnapshots(cast.colonyName)).length).toBe(1);
    await client.removeSnapshot(cast.colonyName, { snapshotId: s.snapshotid });
    await client.createSnapshot(cast.colonyName, '/data', 'snap2');
    await client.removeAllSnapshots(cast.colonyName);
    expect(await client.getSnapshots(cast.colonyName)).toEqual([]);
    await client.removeFile(cast.colonyName, { label: '/data', name: 'a.txt' });
    expect(await client.getFiles(cast.colonyName, '/data')).toEqual([]);
  });

  test('locations', async () => {
    const l = await client.addLocation({ colonyname: cast.colonyName, name: 'lab', description: 'the lab', long: 18.1, lat: 59.3 }, cast.owner.prv);
    expectShape(l, 'Location');
    expect(l.locationid).toHaveLength(64);
    expect((await client.getLocation(cast.colonyName, 'lab')).description).toBe('the lab');
    expect((await client.getLocations(cast.colonyName)).length).toBe(1);
    await client.removeLocation(cast.colonyName, 'lab', cast.owner.prv);
    expect(await client.getLocations(cast.colonyName)).toEqual([]);
  });
});

describe('channels', () => {
  test('append and read text and bytes on a process channel', async () => {
    const p = await client.submitFunctionSpec({ funcname: 'chat', channels: ['chat'], conditions: { colonyname: cast.colonyName, executortype: cast.executor.type } });
    await client.channelAppend(p.processid, 'chat', 1, 'hello');
    await client.channelAppend(p.processid, 'chat', 2, new Uint8Array([104, 105]), { type: 'end' });
    const entries = await client.channelRead(p.processid, 'chat', 0, 0);
    expect(entries.map(entryText)).toEqual(['hello', 'hi']);
    expectShape(entries[0], 'ChannelMsgEntry', { ignore: ['type'] });
    expect(entries[1].type).toBe('end');
    expect(await status(client.channelRead(p.processid, 'nope'))).toBe(404);
    await client.cancelProcess(p.processid);
  });
});

describe('blueprints', () => {
  const definition = () => ({
    metadata: { name: 'widgets.example.io', colonyname: cast.colonyName },
    spec: { group: 'example.io', version: 'v1', names: { kind: 'Widget', listKind: 'WidgetList', singular: 'widget', plural: 'widgets' }, scope: 'Namespaced', handler: { executorType: cast.executor.type, functionName: 'reconcile' } },
  });

  test('definition and blueprint life cycle with history', async () => {
    const d = await client.addBlueprintDefinition(definition(), cast.owner.prv);
    expect(d.kind).toBe('BlueprintDefinition');
    expect((await client.getBlueprintDefinition(cast.colonyName, 'widgets.example.io')).spec.names.kind).toBe('Widget');
    expect((await client.getBlueprintDefinitions(cast.colonyName)).length).toBe(1);

    const b = await client.addBlueprint({ kind: 'Widget', metadata: { name: 'w1', colonyname: cast.colonyName }, spec: { size: 1 } });
    expectShape(b, 'Blueprint', { topLevelOnly: true });
    const u = await client.updateBlueprint({ ...b, spec: { size: 2 } });
    expect(u.spec).toEqual({ size: 2 });
    expect((await client.getBlueprint(cast.colonyName, 'w1')).spec).toEqual({ size: 2 });
    expect((await client.getBlueprints(cast.colonyName, 'Widget')).map((x) => x.metadata.name)).toEqual(['w1']);
    await client.updateBlueprintStatus(cast.colonyName, 'w1', { ready: true }, cast.executor.prv);
    const hist = await client.getBlueprintHistory(b.blueprintid);
    expect(hist.length).toBeGreaterThanOrEqual(2);
    const r = await client.reconcileBlueprint(cast.colonyName, 'w1');
    expect(r.spec.funcname).toBe('reconcile');
    await client.cancelProcess(r.processid).catch(() => undefined);

    expect(await status(client.removeBlueprintDefinition(cast.colonyName, 'widgets.example.io', cast.owner.prv))).toBe(409);
    await client.removeBlueprint(cast.colonyName, 'w1');
    await client.removeBlueprintDefinition(cast.colonyName, 'widgets.example.io', cast.owner.prv);
    expect(await client.getBlueprintDefinitions(cast.colonyName)).toEqual([]);
  });
});

describe('rare executor and identity calls', () => {
  test('report allocations, update capabilities, executor log', async () => {
    const ex = cast.executor;
    await client.reportAllocation(cast.colonyName, ex.name, { projects: { p1: { allocatedcpu: 4, usedcpu: 1 } } }, ex.prv);
    await client.updateExecutor(cast.colonyName, ex.name, { hardware: [{ model: 'x', cores: 8 }], software: null }, ex.prv);
    const e = await client.getExecutor(cast.colonyName, ex.name);
    expect(e.allocations.projects?.p1.allocatedcpu).toBe(4);
    expect(e.capabilities.hardware?.[0].cores).toBe(8);
    await client.addExecutorLog(cast.colonyName, ex.name, 'executor says hi', ex.prv);
    expect((await client.getExecutorLogs(cast.colonyName, ex.name, 10)).map((l) => l.message)).toContain('executor says hi');
  });

  test('cluster info and changing the user id', async () => {
    const cluster = await client.getCluster(t.serverKey.prv);
    expectShape(cluster, 'ClusterConfig', { topLevelOnly: true });
    const other = newKey();
    const temp = newKey();
    await client.addUser({ colonyname: cast.colonyName, userid: temp.id, name: 'rotating' }, cast.owner.prv);
    await client.changeUserId(cast.colonyName, other.id, temp.prv);
    expect((await client.getUser(cast.colonyName, 'rotating', other.prv)).userid).toBe(other.id);
  });
});
