// Real servers as child processes (`colonies server start` from dist/), for the tests that kill
// them: one database (a PGlite data folder, or a fresh PostgreSQL schema) that the servers of a
// test file share and that is removed afterwards, and kill() with SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverCrypto } from '../../src/crypto/server.js';
import { runExecutor, type ExecutorHandle } from '../../src/executor/index.js';
import { openDb } from '../../src/store/db.js';
import { testDbConfig, testDbKind } from './db.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const crypto = serverCrypto();

export interface Key {
  prv: string;
  id: string;
}

/** A key pair signed with the native path (fast enough for load loops). */
export function newKey(): Key {
  const prv = crypto.generatePrivateKey();
  return { prv, id: crypto.idOf(prv) };
}

export interface ChildServers {
  /** the server owner's key (COLONIES_SERVER_ID of every server started here) */
  serverKey: Key;
  /** starts a server on `port` (with `extraEnv`); resolves once it answers /health */
  start(port: number, extraEnv?: Record<string, string>): Promise<ChildProcess>;
  /** kills every server still running and removes the database */
  cleanup(): Promise<void>;
}

export function childServers(prefix: string): ChildServers {
  const serverKey = newKey();
  const db = testDbConfig();
  const dataDir = testDbKind === 'pglite' ? mkdtempSync(join(tmpdir(), `colonies-${prefix}-`)) : '';
  const children: ChildProcess[] = [];
  return {
    serverKey,
    async start(port, extraEnv = {}) {
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('COLONIES_')) env[k] = v;
      Object.assign(env, {
        COLONIES_SERVER_ID: serverKey.id,
        COLONIES_SERVER_HTTP_PORT: String(port),
        COLONIES_SERVER_BIND: '127.0.0.1',
        COLONIES_LOG_LEVEL: 'warn',
        ...(dataDir ? { COLONIES_DATA_DIR: dataDir } : { COLONIES_DB_URL: db.url!, COLONIES_DB_SCHEMA: db.schema! }),
        ...extraEnv,
      });
      const child = spawn(process.execPath, ['dist/src/cli/main.js', 'server', 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      for (let i = 0; ; i++) {
        if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${out}`);
        if (i > 600) throw new Error(`server did not answer /health within 60 s: ${out}`);
        const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) return child;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async cleanup() {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) await kill(c);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      else {
        const admin = await openDb({ ...db, schema: undefined, poolSize: 1 });
        await admin.query(`DROP SCHEMA IF EXISTS "${db.schema}" CASCADE`).catch(() => undefined);
        await admin.close();
      }
    },
  };
}

/** SIGKILL: no shutdown of any kind. */
export function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

export interface RuntimeExecutorsOptions {
  url: string;
  colony: string;
  /** the colony owner's key: the executors register themselves with it */
  ownerPrv: string;
  type: string;
  /** names are `${name}-0`, `${name}-1`, … */
  name: string;
  n: number;
  /** processid → how many times `work` ran it */
  ran: Map<string, number>;
  /** awaited inside `work` before it returns [processid] */
  during?: () => Promise<void>;
  /** the runtime's warnings go here (default: nowhere) */
  warnings?: string[];
}

/** `n` quiet, self-registering executors of the runtime (src/executor) with one function, `work`. */
export function runtimeExecutors(o: RuntimeExecutorsOptions): ExecutorHandle[] {
  const silent = { info: () => undefined, warn: (m: string) => void o.warnings?.push(m), error: (m: string) => void o.warnings?.push(m) };
  return Array.from({ length: o.n }, (_, i) =>
    runExecutor({
      url: o.url,
      colonyName: o.colony,
      prvKey: newKey().prv,
      type: o.type,
      name: `${o.name}-${i}`,
      assignTimeoutS: 1,
      handleSignals: false,
      logger: silent,
      register: { colonyPrvKey: o.ownerPrv },
      functions: {
        work: async (p) => {
          o.ran.set(p.processid, (o.ran.get(p.processid) ?? 0) + 1);
          await o.during?.();
          return [p.processid];
        },
      },
    }),
  );
}
