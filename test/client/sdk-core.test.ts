// The SDK against a real server: meta, colonies, executors, users, functions, errors.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ColoniesClient, ConnectionError, ExecutorState } from '../../src/client/index.js';
import { newKey, setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';
import { expectShape } from './shapes.js';
import { failure } from '../helpers/failure.js';

let t: TestServer;
let cast: Cast;
let client: ColoniesClient;

beforeAll(async () => {
  t = await startTestServer();
  cast = await setupColony(t, 'sdkcore');
  client = new ColoniesClient({ url: t.url, prvKey: cast.user.prv });
});
afterAll(() => t?.close());

describe('client options', () => {
  test('host/port/tls build the base URL; url wins', () => {
    expect(new ColoniesClient({ host: 'h', port: 1234 }).baseUrl).toBe('http://h:1234');
    expect(new ColoniesClient({ host: 'h', port: 443, tls: true }).wsUrl).toBe('wss://h:443');
    expect(new ColoniesClient().baseUrl).toBe('http://localhost:50080');
    expect(new ColoniesClient({ url: 'http://x:1/' }).baseUrl).toBe('http://x:1');
  });

  test('a call without any key is refused before sending', async () => {
    const f = await failure(new ColoniesClient({ url: t.url }).getColonies());
    expect(f.status).toBe(400);
    expect(f.message).toMatch(/no private key/);
  });

  test('an unreachable server is a ConnectionError naming host:port', async () => {
    const c = new ColoniesClient({ host: '127.0.0.1', port: 1, prvKey: cast.user.prv });
    const e = await c.getColony('x').catch((x) => x);
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e.status).toBe(0);
    expect(e.message).toContain('127.0.0.1:1');
    expect(await c.checkHealth()).toBe(false);
  });
});

describe('server and colonies', () => {
  test('version, server info and health need no key', async () => {
    const anon = new ColoniesClient({ url: t.url });
    const v = await anon.getVersion();
    expectShape(v, 'VersionMsg_reply');
    expect(v.msgtype).toBe('versionmsg');
    const info = await anon.getServerInfo();
    expectShape(info, 'ServerInfo', { topLevelOnly: true });
    expect(await anon.checkHealth()).toBe(true);
  });

  test('server owner: add, list, get stats, remove a colony', async () => {
    const owner = newKey();
    const so = t.serverKey.prv;
    const c = await client.addColony({ colonyid: owner.id, name: 'sdk-tmp' }, so);
    expectShape(c, 'Colony');
    expect(c).toEqual({ colonyid: owner.id, name: 'sdk-tmp' });
    expect((await client.getColonies(so)).map((x) => x.name)).toContain('sdk-tmp');
    const stats = await client.getStatistics(so);
    expectShape(stats, 'Statistics');
    expect(stats.colonies).toBeGreaterThanOrEqual(2);
    await client.removeColony('sdk-tmp', so);
    expect((await client.getColonies(so)).map((x) => x.name)).not.toContain('sdk-tmp');
  });

  test('a refused call reports status and message and changes nothing', async () => {
    const f = await failure(client.removeColony(cast.colonyName)); // a user is not the server owner
    expect(f).toEqual({ status: 403, message: 'Access denied, not server owner' });
    expect((await client.getColony(cast.colonyName)).name).toBe(cast.colonyName);
  });

  test('members get the colony and its statistics', async () => {
    expectShape(await client.getColony(cast.colonyName), 'Colony');
    const s = await client.getColonyStatistics(cast.colonyName);
    expectShape(s, 'Statistics');
    expect(s.colonies).toBe(1);
  });

  test('pause, status and resume of assignments', async () => {
    await client.pauseAssignments(cast.colonyName, cast.owner.prv);
    const paused = await client.getPauseStatus(cast.colonyName);
    expectShape(paused, 'PauseStatusReplyMsg');
    expect(paused.ispaused).toBe(true);
    await client.resumeAssignments(cast.colonyName, cast.owner.prv);
    expect((await client.getPauseStatus(cast.colonyName)).ispaused).toBe(false);
  });
});

describe('executors, users, functions', () => {
  test('add, approve, get, get by id, reject, remove an executor', async () => {
    const k = newKey();
    const e = await client.addExecutor({ executorid: k.id, executortype: 'sdk', executorname: 'sdk-ex', colonyname: cast.colonyName }, cast.owner.prv);
    expectShape(e, 'Executor_minimal');
    expect(e.state).toBe(ExecutorState.PENDING);
    await client.approveExecutor(cast.colonyName, 'sdk-ex', cast.owner.prv);
    expect((await client.getExecutor(cast.colonyName, 'sdk-ex')).state).toBe(ExecutorState.APPROVED);
    expect((await client.getExecutorById(cast.colonyName, k.id)).executorname).toBe('sdk-ex');
    await client.rejectExecutor(cast.colonyName, 'sdk-ex', cast.owner.prv);
    expect((await client.getExecutor(cast.colonyName, 'sdk-ex')).state).toBe(ExecutorState.REJECTED);
    await client.removeExecutor(cast.colonyName, 'sdk-ex', cast.owner.prv);
    const all = await client.getExecutors(cast.colonyName);
    expect(all.find((x) => x.executorname === 'sdk-ex')?.state).toBe(ExecutorState.UNREGISTERED);
  });

  test('only the colony owner adds executors; nothing is added otherwise', async () => {
    const k = newKey();
    const f = await failure(client.addExecutor({ executorid: k.id, executortype: 'x', executorname: 'nope', colonyname: cast.colonyName }));
    expect(f).toEqual({ status: 403, message: 'Access denied, not colony owner' });
    expect((await client.getExecutors(cast.colonyName)).some((x) => x.executorname === 'nope')).toBe(false);
  });

  test('unknown executor name: 500 as Go', async () => {
    const f = await failure(client.getExecutor(cast.colonyName, 'ghost'));
    expect(f.status).toBe(500);
  });

  test('add, get, get by id, list, remove a user', async () => {
    const k = newKey();
    const u = await client.addUser({ colonyname: cast.colonyName, userid: k.id, name: 'bob', email: 'b@x' }, cast.owner.prv);
    expectShape(u, 'User');
    expect((await client.getUser(cast.colonyName, 'bob')).email).toBe('b@x');
    expect((await client.getUserById(cast.colonyName, k.id)).name).toBe('bob');
    expect((await client.getUsers(cast.colonyName)).map((x) => x.name)).toContain('bob');
    await client.removeUser(cast.colonyName, 'bob', cast.owner.prv);
    expect((await client.getUsers(cast.colonyName)).map((x) => x.name)).not.toContain('bob');
  });

  test('an executor registers, lists and removes a function', async () => {
    const ex = cast.executor;
    const f = await client.addFunction({ executorname: ex.name, executortype: ex.type, colonyname: cast.colonyName, funcname: 'sum' }, ex.prv);
    expectShape(f, 'Function');
    const mine = await client.getFunctions(cast.colonyName, ex.name);
    expect(mine.map((x) => x.funcname)).toContain('sum');
    await client.removeFunction(f.functionid, ex.prv);
    expect((await client.getFunctions(cast.colonyName)).map((x) => x.functionid)).not.toContain(f.functionid);
  });

  test('functions cannot be added for another executor', async () => {
    const f = await failure(
      client.addFunction({ executorname: cast.executor.name, executortype: 'x', colonyname: cast.colonyName, funcname: 'evil' }, cast.user.prv),
    );
    expect(f.status).toBe(403);
    expect((await client.getFunctions(cast.colonyName)).map((x) => x.funcname)).not.toContain('evil');
  });

  test('empty lists come back as []', async () => {
    expect(await client.getFunctions(cast.colonyName, 'nobody')).toEqual([]);
    expect(await client.getLocations(cast.colonyName)).toEqual([]);
  });
});
