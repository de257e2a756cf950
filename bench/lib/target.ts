// The server under test: a self-started child process (our server on PostgreSQL or PGlite) or
// any host:port speaking the protocol. A self-started server gets a fresh PostgreSQL schema
// (dropped afterwards) or a temporary PGlite folder, and a random server owner key.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from '../../src/store/db.js';
import { GcLog } from './gc.js';
import { dropStaleScratchSchemas, scratchSchemaName } from './scratch.js';
import { keyOf, newKey, parseTarget, type Key } from './client.js';
import { benchModule, cliMain, tsExecArgv } from './paths.js';

export interface TargetOptions {
  /** "self" or "host:port" */
  spec: string;
  db: 'postgres' | 'pglite';
  /** PostgreSQL for a self-started server (a fresh schema is created in it) */
  dbUrl: string;
  /** PGlite folder for a self-started server ("memory://" allowed); default: a temp folder */
  dataDir?: string;
  /** server owner private key (needed for a host:port target) */
  serverPrvkey?: string;
  /** direct database access to a host:port target (scale pre-fill, verification) */
  targetDbUrl?: string;
  targetDbSchema?: string;
  /** write V8 CPU profiles of the server child into this folder */
  cpuProfDir?: string;
  /** start the server child with --trace-gc and keep its pauses (Target.gc) */
  serverGc?: boolean;
  /** more node arguments for the server child (V8 flags such as --max-semi-space-size=32) */
  serverNodeArgs?: string[];
  serverEntry: 'auto' | 'cli' | 'bench';
  /** extra environment for the server child */
  serverEnv?: Record<string, string>;
  log?: (line: string) => void;
}

export interface Target {
  label: string;
  /** host:port */
  address: string;
  serverKey: Key;
  /** pid of the server child (CPU/RSS accounting) */
  serverPid?: number;
  dbKind: 'postgres' | 'pglite' | 'unknown';
  /** how a self-started server was started ('cli' | 'bench'), or 'remote' */
  entry: string;
  /** open database of the target when we can reach it (PostgreSQL), else undefined */
  db?: Db;
  /** the server child's GC pauses, when started with serverGc */
  gc?: GcLog;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function health(address: string): Promise<boolean> {
  const { host, port } = parseTarget(address);
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/health', method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function openTarget(o: TargetOptions): Promise<Target> {
  if (o.spec !== 'self') return openRemote(o);
  const entries: ('cli' | 'bench')[] = o.serverEntry === 'auto' ? (cliMain() ? ['cli', 'bench'] : ['bench']) : [o.serverEntry];
  let lastErr: unknown;
  for (const entry of entries) {
    try {
      return await startSelf(o, entry);
    } catch (e) {
      lastErr = e;
      o.log?.(`server entry "${entry}" failed: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw lastErr;
}

async function openRemote(o: TargetOptions): Promise<Target> {
  if (!o.serverPrvkey) throw new Error(`--server-prvkey is needed to benchmark ${o.spec}`);
  const { host, port } = parseTarget(o.spec);
  const address = `${host}:${port}`;
  if (!(await health(address))) throw new Error(`${address}: GET /health did not answer 200`);
  const db = o.targetDbUrl ? await openDb({ url: o.targetDbUrl, schema: o.targetDbSchema, poolSize: 4 }) : undefined;
  return {
    label: address,
    address,
    serverKey: keyOf(o.serverPrvkey),
    dbKind: db ? 'postgres' : 'unknown',
    entry: 'remote',
    db,
    async stop() {
      await db?.close();
    },
  };
}

/** Benchmark schemas older than this belong to no run in progress (a soak is 10 minutes). */
const STALE_SCHEMA_MS = 12 * 3600_000;

/** Drops the schemas that killed benchmark runs left in `dbUrl` (see scratch.ts). */
async function dropStaleBenchSchemas(dbUrl: string, log?: (line: string) => void): Promise<void> {
  const admin = await openDb({ url: dbUrl, poolSize: 1 });
  try {
    const dropped = await dropStaleScratchSchemas(admin, 'bench', 3, STALE_SCHEMA_MS);
    if (dropped.length) log?.(`dropped ${dropped.length} benchmark schema(s) left by killed runs: ${dropped.join(', ')}`);
  } finally {
    await admin.close();
  }
}

async function startSelf(o: TargetOptions, entry: 'cli' | 'bench'): Promise<Target> {
  if (o.db === 'postgres') await dropStaleBenchSchemas(o.dbUrl, o.log);
  const serverKey = newKey();
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const schema = scratchSchemaName('bench', 3);
  const tmpDir = o.db === 'pglite' && !o.dataDir ? mkdtempSync(join(tmpdir(), 'colonies-bench-')) : undefined;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('COLONIES_')) env[k] = v;
  Object.assign(env, {
    COLONIES_SERVER_ID: serverKey.id,
    COLONIES_SERVER_HTTP_PORT: String(port),
    COLONIES_SERVER_BIND: '127.0.0.1',
    COLONIES_LOG_LEVEL: 'warn',
    ...(o.db === 'postgres' ? { COLONIES_DB_URL: o.dbUrl, COLONIES_DB_SCHEMA: schema } : { COLONIES_DATA_DIR: o.dataDir ?? tmpDir! }),
    ...o.serverEnv,
  });
  const nodeArgs = [
    ...(o.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', o.cpuProfDir] : []),
    ...(o.serverGc ? ['--trace-gc'] : []),
    ...(o.serverNodeArgs ?? []),
  ];
  const gc = o.serverGc ? new GcLog() : undefined;
  const args =
    entry === 'cli' ? [...nodeArgs, cliMain()!, 'server', 'start'] : [...nodeArgs, ...tsExecArgv, benchModule('server-main')];
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (b: Buffer) => {
    output.push(b.toString());
    if (output.length > 50) output.shift();
  };
  child.stdout!.on('data', (b: Buffer) => {
    keep(b);
    gc?.feed(b.toString());
  });
  child.stderr!.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((r) => child.once('exit', () => ((exited = true), r())));

  const cleanup = async () => {
    if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
    if (o.db === 'postgres') {
      const admin = await openDb({ url: o.dbUrl, poolSize: 1 });
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await admin.close();
    }
  };
  const deadline = Date.now() + 60_000;
  while (!(await health(address))) {
    if (exited || Date.now() > deadline) {
      if (!exited) child.kill('SIGKILL');
      await exit;
      await cleanup();
      throw new Error(`server (${entry}) did not start:\n${output.join('').slice(-2000)}`);
    }
    await sleep(100);
  }
  const db = o.db === 'postgres' ? await openDb({ url: o.dbUrl, schema, poolSize: 4 }) : undefined;
  return {
    label: `self:${o.db}`,
    address,
    serverKey,
    serverPid: child.pid,
    dbKind: o.db,
    entry,
    db,
    gc,
    async stop() {
      await db?.close();
      await stopChild(child, exit, () => exited);
      await cleanup();
    },
  };
}

async function stopChild(child: ChildProcess, exit: Promise<void>, exited: () => boolean): Promise<void> {
  if (exited()) return;
  child.kill('SIGINT'); // a clean exit lets --cpu-prof write its profile
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exit;
  clearTimeout(timer);
}
