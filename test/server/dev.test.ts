// Dev bootstrap (src/server/dev.ts): keys kept in the data folder, idempotent seeding, env lines
// that make a working client.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserCrypto } from '../../src/crypto/index.js';
import { DEV_KEYS_FILE, devEnvLines, prepareDevEnvironment, seedDevColony } from '../../src/server/dev.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { count } from '../helpers/rows.js';

let t: TestServer;
let dir: string;

beforeAll(async () => {
  t = await startTestServer();
  dir = await mkdtemp(join(tmpdir(), 'colonies-dev-'));
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('prepareDevEnvironment', () => {
  it('makes the keys once, keeps them (mode 0600) and derives the ids', async () => {
    const data = join(dir, 'nested', 'data');
    const a = await prepareDevEnvironment(data);
    const b = await prepareDevEnvironment(data);
    expect(b).toEqual(a);
    const file = join(data, DEV_KEYS_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      serverPrvKey: a.serverPrvKey,
      colonyOwnerPrvKey: a.colonyOwnerPrvKey,
      executorPrvKey: a.executorPrvKey,
      userPrvKey: a.userPrvKey,
    });
    expect(a).toMatchObject({ colonyName: 'dev', executorName: 'dev-executor', executorType: 'cli' });
    expect(a.serverId).toBe(browserCrypto.idOf(a.serverPrvKey));
    expect(a.colonyId).toBe(browserCrypto.idOf(a.colonyOwnerPrvKey));
    expect(a.executorId).toBe(browserCrypto.idOf(a.executorPrvKey));
    expect(a.userId).toBe(browserCrypto.idOf(a.userPrvKey));
    expect(new Set([a.serverPrvKey, a.colonyOwnerPrvKey, a.executorPrvKey, a.userPrvKey]).size).toBe(4);
    // another folder, other keys
    expect((await prepareDevEnvironment(join(dir, 'other'))).serverPrvKey).not.toBe(a.serverPrvKey);
  });
});

describe('seedDevColony + devEnvLines', () => {
  it('seeds idempotently and the printed keys work against the server', async () => {
    const env = await prepareDevEnvironment(join(dir, 'seed'));
    const srv = t.server.srv;
    await seedDevColony(srv, env);
    await seedDevColony(srv, env);
    expect(await count(srv.db, 'colonies WHERE name = $1', ['dev'])).toBe(1);
    expect(await count(srv.db, 'executors WHERE colonyname = $1', ['dev'])).toBe(1);
    expect(await count(srv.db, 'users WHERE colonyname = $1', ['dev'])).toBe(1);

    const lines = devEnvLines(env, t.url);
    const vars = Object.fromEntries(lines.map((l) => l.replace(/^export /, '').split('=') as [string, string]));
    expect(vars).toEqual({
      COLONIES_SERVER_HOST: '127.0.0.1',
      COLONIES_SERVER_PORT: String(t.server.port),
      COLONIES_TLS: 'false',
      COLONIES_SERVER_ID: env.serverId,
      COLONIES_SERVER_PRVKEY: env.serverPrvKey,
      COLONIES_COLONY_NAME: 'dev',
      COLONIES_COLONY_ID: env.colonyId,
      COLONIES_COLONY_PRVKEY: env.colonyOwnerPrvKey,
      COLONIES_EXECUTOR_ID: env.executorId,
      COLONIES_EXECUTOR_PRVKEY: env.executorPrvKey,
      COLONIES_EXECUTOR_NAME: 'dev-executor',
      COLONIES_EXECUTOR_TYPE: 'cli',
      COLONIES_USER_ID: env.userId,
      COLONIES_USER_PRVKEY: env.userPrvKey,
      COLONIES_PRVKEY: env.executorPrvKey,
    });
    const key = (prv: string) => ({ prv, id: browserCrypto.idOf(prv) });
    const server = key(vars.COLONIES_SERVER_PRVKEY);
    const owner = key(vars.COLONIES_COLONY_PRVKEY);
    const executor = key(vars.COLONIES_PRVKEY);
    const user = key(vars.COLONIES_USER_PRVKEY);

    expect(await t.call('getcoloniesmsg', {}, server)).toContainEqual({ colonyid: env.colonyId, name: 'dev' });
    const ex = await t.call('getexecutormsg', { colonyname: 'dev', executorname: 'dev-executor' }, executor);
    expect(ex).toMatchObject({ executorid: env.executorId, executortype: 'cli', state: 1, capabilities: { hardware: null, software: null } });
    expect(await t.call('getusersmsg', { colonyname: 'dev' }, owner).catch((e) => e.status)).toBe(403); // the owner is not a member
    await t.call('getusermsg', { colonyname: 'dev', name: env.userName }, user);

    // an executor with the printed key can take work submitted by the user
    const p = await t.call(
      'submitfuncspecmsg',
      { spec: { funcname: 'echo', maxexectime: -1, maxretries: -1, conditions: { colonyname: 'dev', executortype: 'cli' } } },
      user,
    );
    const got = await t.call('assignprocessmsg', { colonyname: 'dev', timeout: -1 }, executor);
    expect(got.processid).toBe(p.processid);
    await t.call('closesuccessfulmsg', { processid: p.processid, out: ['ok'] }, executor);
  });

  it('re-seeding repairs a changed colony owner and an un-approved executor', async () => {
    const env = await prepareDevEnvironment(join(dir, 'seed'));
    const srv = t.server.srv;
    await srv.db.query("UPDATE executors SET state = 3 WHERE colonyname = 'dev'");
    await srv.db.query("UPDATE colonies SET colonyid = 'x' WHERE name = 'dev'");
    await seedDevColony(srv, env);
    const rows = await srv.db.query<{ state: number; colonyid: string }>(
      "SELECT e.state, c.colonyid FROM executors e JOIN colonies c ON c.name = e.colonyname WHERE e.colonyname = 'dev'",
    );
    expect(rows).toEqual([{ state: 1, colonyid: env.colonyId }]);
  });
});
