// PostgreSQL over its Unix socket: COLONIES_DB_HOST may name the socket directory (as libpq's
// host does), which spares the TCP loopback stack on every query when the database is local.
// PostgreSQL pass only (vitest.config.ts).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/server/config.js';
import { openDb } from '../../src/store/db.js';
import { testDbKind } from '../helpers/db.js';
import { setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';

const SOCKET_DIR = process.env.COLONIES_TEST_PG_SOCKET_DIR || '/var/run/postgresql';

describe('PostgreSQL over a Unix socket', () => {
  const schema = `t_sock_${randomBytes(4).toString('hex')}`;
  const db = configFromEnv({ COLONIES_DB_HOST: SOCKET_DIR, COLONIES_DB_USER: 'postgres', COLONIES_DB_NAME: 'test', COLONIES_DB_SCHEMA: schema }).db;
  let t: TestServer;
  let c: Cast;

  beforeAll(async () => {
    if (testDbKind !== 'postgres') throw new Error('pg-socket.test.ts needs COLONIES_TEST_DB=postgres (vitest.config.ts excludes it otherwise)');
    if (!existsSync(`${SOCKET_DIR}/.s.PGSQL.5432`)) throw new Error(`no PostgreSQL socket in ${SOCKET_DIR} (set COLONIES_TEST_PG_SOCKET_DIR)`);
    t = await startTestServer({ db }, schema);
    c = await setupColony(t, 'dev', 'cli');
  });
  afterAll(() => t?.close());

  it('COLONIES_DB_HOST=<socket dir> connects through the socket and serves a lifecycle', async () => {
    expect(db).toMatchObject({ host: SOCKET_DIR, schema });
    const probe = await openDb({ ...db, poolSize: 1 });
    try {
      const rows = await probe.query<{ local: boolean }>('SELECT inet_client_addr() IS NULL AS local');
      expect(rows[0].local).toBe(true); // NULL client address = Unix-domain socket
    } finally {
      await probe.close();
    }
    const p = await t.call('submitfuncspecmsg', { spec: { funcname: 'f', conditions: { colonyname: 'dev', executortype: 'cli' } } }, c.user);
    const a = await t.call('assignprocessmsg', { colonyname: 'dev', timeout: 1 }, c.executor);
    expect(a.processid).toBe(p.processid);
    await t.call('closesuccessfulmsg', { processid: p.processid, out: ['ok'] }, c.executor);
    expect(await t.call('getprocessmsg', { processid: p.processid }, c.user)).toMatchObject({ state: 2, out: ['ok'] });
  });
});
