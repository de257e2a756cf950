// The Node transport (undici's request API) against real servers: signed calls, error replies,
// aborted long polls, refused connections, https; and that runExecutor and the CLI use it by
// default while the package root still bundles for browsers without undici.
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { ColoniesClient, ColoniesError, ConnectionError, ProcessState } from '../../src/client/index.js';
import { createNodeClient, nodeFetch } from '../../src/client/node-transport.js';
import { runExecutor } from '../../src/executor/index.js';
import { newKey, setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';
import { run } from '../cli/run.js';
import { freePort } from '../helpers/ports.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const CERT = join(FIXTURES, 'tls-cert.pem');
const KEY = join(FIXTURES, 'tls-key.pem');
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let t: TestServer;
let cast: Cast;
/** the same calls through the global fetch, to compare with */
let viaFetch: ColoniesClient;

beforeAll(async () => {
  t = await startTestServer();
  cast = await setupColony(t, 'nodetx');
  viaFetch = new ColoniesClient({ url: t.url, prvKey: cast.user.prv });
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(() => t?.close());

/** Makes the global fetch count its calls; only clients made after this see the spy. */
const spyGlobalFetch = () => vi.spyOn(globalThis, 'fetch');


/** An approved executor of a type of its own (so its long polls take nobody else's work). */
async function newExecutor(name: string) {
  const ex = newKey();
  const type = `nodetx-${name}`;
  await viaFetch.addExecutor({ executorid: ex.id, executortype: type, executorname: type, colonyname: cast.colonyName }, cast.owner.prv);
  await viaFetch.approveExecutor(cast.colonyName, type, cast.owner.prv);
  return { ex, type };
}

describe('nodeFetch', () => {
  test('signed and unsigned calls succeed without the global fetch', async () => {
    const spy = spyGlobalFetch();
    const c = createNodeClient({ url: t.url, prvKey: cast.user.prv });
    expect((await c.getVersion()).msgtype).toBe('versionmsg');
    const colony = await c.getColony(cast.colonyName);
    expect(colony.name).toBe(cast.colonyName);
    expect(colony).toEqual(await viaFetch.getColony(cast.colonyName));
    const p = await c.submitFunctionSpec({ funcname: 'f', args: ['x'], conditions: { colonyname: cast.colonyName, executortype: 'nobody' } });
    expect((await c.getProcess(p.processid)).spec.args).toEqual(['x']);
    expect(await c.checkHealth()).toBe(true);
    expect(spy).not.toHaveBeenCalled();
  });

  test('many calls in flight share the pool and each gets its own reply', async () => {
    const c = createNodeClient({ url: t.url, prvKey: cast.user.prv });
    const names = await Promise.all(Array.from({ length: 40 }, () => c.getColony(cast.colonyName).then((x) => x.name)));
    expect(new Set(names)).toEqual(new Set([cast.colonyName]));
  });

  test('an error reply is the same ColoniesError (status, message) as through the global fetch', async () => {
    const c = createNodeClient({ url: t.url, prvKey: cast.user.prv });
    const missing = '0'.repeat(64);
    const e = await c.getProcess(missing).catch((x) => x);
    const ref = await viaFetch.getProcess(missing).catch((x) => x);
    expect(e).toBeInstanceOf(ColoniesError);
    expect(e).not.toBeInstanceOf(ConnectionError);
    expect(e.status).toBeGreaterThanOrEqual(400);
    expect({ status: e.status, message: e.message }).toEqual({ status: ref.status, message: ref.message });
    // a stranger's key: refused by the server, not by the transport
    const stranger = createNodeClient({ url: t.url, prvKey: newKey().prv });
    const f = await stranger.getColony(cast.colonyName).catch((x) => x);
    expect(f).toBeInstanceOf(ColoniesError);
    expect(f.status).toBe(403);
  });

  test('a long poll waits for work and returns it', async () => {
    const { ex, type } = await newExecutor('wake');
    const c = createNodeClient({ url: t.url, prvKey: ex.prv });
    const waiting = c.assign(cast.colonyName, 30);
    await new Promise((r) => setTimeout(r, 300));
    const p = await viaFetch.submitFunctionSpec({ funcname: 'w', conditions: { colonyname: cast.colonyName, executortype: type } });
    expect((await waiting).processid).toBe(p.processid);
  });

  // assign waits up to 60 s: only an honoured abort ends it within the test's 15 s.
  test('an aborted long poll rejects with the abort reason, and the client goes on working', { timeout: 15_000 }, async () => {
    const { ex } = await newExecutor('abort');
    const c = createNodeClient({ url: t.url, prvKey: ex.prv });
    const ac = new AbortController();
    const polling = c.assign(cast.colonyName, 60, '', '', undefined, ac.signal);
    setTimeout(() => ac.abort(), 200);
    const e = await polling.catch((x) => x);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('AbortError');
    expect(e).not.toBeInstanceOf(ColoniesError);

    const ac2 = new AbortController();
    const reason = new Error('executor stopping');
    const polling2 = c.assign(cast.colonyName, 60, '', '', undefined, ac2.signal);
    setTimeout(() => ac2.abort(reason), 100);
    await expect(polling2).rejects.toBe(reason);

    const gone = new AbortController();
    gone.abort(reason);
    await expect(c.assign(cast.colonyName, 60, '', '', undefined, gone.signal)).rejects.toBe(reason);
    expect((await c.getVersion()).msgtype).toBe('versionmsg');
  });

  test('a refused connection is a ConnectionError naming the server and the errno', async () => {
    const port = await freePort(); // nothing listens there
    const c = createNodeClient({ host: '127.0.0.1', port, prvKey: cast.user.prv });
    const e = await c.getColony('x').catch((x) => x);
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e.status).toBe(0);
    expect(e.message).toBe(`cannot reach the Colonies server at http://127.0.0.1:${port}: ECONNREFUSED`);
    expect(await c.checkHealth()).toBe(false);
    // the raw transport rejects the way fetch does
    const raw = await nodeFetch()(`http://127.0.0.1:${port}/api`, { method: 'POST', body: '' }).catch((x) => x);
    expect(raw).toBeInstanceOf(TypeError);
    expect(raw.message).toBe('fetch failed');
    expect(raw.cause.code).toBe('ECONNREFUSED');
  });
});

describe('nodeFetch over https', () => {
  let tls: TestServer;
  let port: number;
  beforeAll(async () => {
    tls = await startTestServer({ tls: { cert: CERT, key: KEY } });
    expect(tls.url).toMatch(/^https:/);
    port = Number(new URL(tls.url).port);
  });
  afterAll(() => tls?.close());

  test('a server whose certificate is trusted (connect.ca) answers signed calls', async () => {
    const c = new ColoniesClient({ host: '127.0.0.1', port, tls: true, fetch: nodeFetch({ connect: { ca: readFileSync(CERT) } }) });
    expect(c.baseUrl).toBe(`https://127.0.0.1:${port}`);
    expect((await c.getVersion()).msgtype).toBe('versionmsg');
    expect(await c.getColonies(tls.serverKey.prv)).toEqual([]);
  });

  test('an untrusted certificate is refused as a ConnectionError', async () => {
    const c = createNodeClient({ host: '127.0.0.1', port, tls: true });
    const e = await c.getVersion().catch((x) => x);
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e.message).toMatch(/SELF_SIGNED|CERT/);
  });

  test('the CLI reaches it with COLONIES_TLS=true and NODE_EXTRA_CA_CERTS', { timeout: 30_000 }, async () => {
    const r = await run(['colony', 'ls', '--json'], {
      COLONIES_SERVER_HOST: '127.0.0.1',
      COLONIES_SERVER_PORT: String(port),
      COLONIES_TLS: 'true',
      COLONIES_SERVER_PRVKEY: tls.serverKey.prv,
      NODE_EXTRA_CA_CERTS: CERT,
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([]);
    expect(r.code).toBe(0);
  });
});

describe('Node entry points use it by default', () => {
  test('runExecutor without a client sends nothing through the global fetch', { timeout: 30_000 }, async () => {
    const spy = spyGlobalFetch();
    const h = runExecutor({
      url: t.url,
      colonyName: cast.colonyName,
      prvKey: cast.executor.prv,
      type: cast.executor.type,
      name: cast.executor.name,
      functions: { echo: (_p, ctx) => ctx.args },
      assignTimeoutS: 2,
      handleSignals: false,
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    try {
      await h.ready;
      const p = await viaFetch.submitFunctionSpec({ funcname: 'echo', args: ['via', 'undici'], conditions: { colonyname: cast.colonyName, executortype: cast.executor.type } });
      const done = await viaFetch.waitForProcessEnd(p.processid, 20);
      expect(done.state).toBe(ProcessState.SUCCESS);
      expect(done.out).toEqual(['via', 'undici']);
    } finally {
      await h.stop(0);
    }
    expect(spy).not.toHaveBeenCalled();
  });

  test('runExecutor takes options.fetch when given', { timeout: 30_000 }, async () => {
    const calls: string[] = [];
    const base = nodeFetch();
    const h = runExecutor({
      url: t.url,
      fetch: (url, init) => (calls.push(url), base(url, init)),
      colonyName: cast.colonyName,
      prvKey: cast.executor.prv,
      type: cast.executor.type,
      name: cast.executor.name,
      functions: {},
      registerFunctions: false,
      assignTimeoutS: 1,
      handleSignals: false,
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    await h.ready;
    await new Promise((r) => setTimeout(r, 200));
    await h.stop(0);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls[0]).toBe(`${t.url}/api`);
  });

  test('the CLI works with a global fetch that always fails', { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'colonies-nofetch-'));
    const poison = join(dir, 'no-fetch.mjs');
    writeFileSync(poison, "globalThis.fetch = () => Promise.reject(new Error('the global fetch was used'));\n");
    const url = new URL(t.url);
    const r = await run(['colony', 'get', '--json'], {
      COLONIES_SERVER_HOST: url.hostname,
      COLONIES_SERVER_PORT: url.port,
      COLONIES_COLONY_NAME: cast.colonyName,
      COLONIES_PRVKEY: cast.user.prv,
      NODE_OPTIONS: `--import=${poison}`,
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).name).toBe(cast.colonyName);
    expect(r.code).toBe(0);
  });
});

describe('browser bundle', () => {
  test('the package root bundles for the browser without undici or node: modules', async () => {
    const out = await build({
      entryPoints: [join(ROOT, 'src/index.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    });
    const js = out.outputFiles[0].text;
    expect(js).toContain('nodeFetch');
    expect(js).not.toMatch(/node_modules\/undici|from\s*["']node:|require\(["']node:/);
  });
});
