// Starts a real server (loopback, random port) on the test database, with a server owner,
// a colony and its owner, and helpers to make signed calls. Every test file uses this.
import { pino } from 'pino';
import { browserCrypto } from '../../src/crypto/index.js';
import { buildRequest, decodeReply } from '../../src/protocol/envelope.js';
import { configFromEnv, type ServerConfig } from '../../src/server/config.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { openDb } from '../../src/store/db.js';
import { testDbConfig, testDbKind } from './db.js';
import { failure } from './failure.js';

export interface Key {
  prv: string;
  id: string;
}

export function newKey(): Key {
  const prv = browserCrypto.generatePrivateKey();
  return { prv, id: browserCrypto.idOf(prv) };
}

export interface TestServer {
  server: RunningServer;
  url: string;
  serverKey: Key;
  /** raw POST /api */
  post(body: string): Promise<{ status: number; text: string }>;
  /** signed call; resolves with the decoded reply payload, rejects with ColoniesError */
  call<T = any>(payloadtype: string, msg: Record<string, unknown>, key: Key): Promise<T>;
  /** like call, but resolves with {status, message} of the error (fails if the call succeeded) */
  fail(payloadtype: string, msg: Record<string, unknown>, key: Key): Promise<{ status: number; message: string }>;
  close(): Promise<void>;
}

export async function startTestServer(overrides: Partial<ServerConfig> = {}, schema?: string): Promise<TestServer> {
  const serverKey = newKey();
  const base = configFromEnv({});
  const config: ServerConfig = {
    ...base,
    host: '127.0.0.1',
    port: 0,
    serverId: serverKey.id,
    db: testDbConfig(schema),
    logLevel: 'silent',
    ...overrides,
  };
  const server = await startServer(config, { logger: pino({ level: process.env.COLONIES_TEST_LOG ?? 'silent' }) });
  const url = server.url;
  const post = async (body: string) => {
    const r = await fetch(`${url}/api`, { method: 'POST', body });
    return { status: r.status, text: await r.text() };
  };
  const call = async (payloadtype: string, msg: Record<string, unknown>, key: Key) => {
    const r = await post(buildRequest(payloadtype as any, msg, key.prv, browserCrypto));
    const reply = decodeReply(r.text);
    return reply.payload as any;
  };
  const fail = (payloadtype: string, msg: Record<string, unknown>, key: Key) => failure(call(payloadtype, msg, key), payloadtype);
  return {
    server,
    url,
    serverKey,
    post,
    call,
    fail,
    async close() {
      await server.close();
      if (testDbKind === 'postgres' && config.db.schema) {
        const db = await openDb({ ...config.db, schema: undefined });
        await db.query(`DROP SCHEMA IF EXISTS "${config.db.schema}" CASCADE`).catch(() => undefined);
        await db.close();
      }
    },
  };
}

/** A colony with an owner, an approved executor and a user: the usual cast of a test. */
export interface Cast {
  colonyName: string;
  owner: Key;
  executor: Key & { name: string; type: string };
  user: Key & { name: string };
}

export async function setupColony(t: TestServer, colonyName = 'dev', executorType = 'test-executor'): Promise<Cast> {
  const owner = newKey();
  await t.call('addcolonymsg', { colony: { colonyid: owner.id, name: colonyName } }, t.serverKey);
  const ex = { ...newKey(), name: `${colonyName}-executor`, type: executorType };
  await addApprovedExecutor(t, owner, colonyName, ex, ex.name, ex.type);
  const user = { ...newKey(), name: `${colonyName}-user` };
  await t.call('addusermsg', { user: { colonyname: colonyName, userid: user.id, name: user.name, email: '', phone: '' } }, owner);
  return { colonyName, owner, executor: ex, user };
}

/** Registers `key` as an executor of the colony and approves it (the colony owner signs). */
export async function addApprovedExecutor(t: TestServer, owner: Key, colonyName: string, key: Key, name: string, type: string): Promise<void> {
  await t.call('addexecutormsg', { executor: { executorid: key.id, executortype: type, executorname: name, colonyname: colonyName } }, owner);
  await t.call('approveexecutormsg', { colonyname: colonyName, executorname: name }, owner);
}
