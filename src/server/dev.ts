// Zero-setup development environment (`colonies dev`): keys made once and kept in the data
// folder, a `dev` colony with an approved executor and a user, and the COLONIES_* variables
// the Go CLI and the SDKs read.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { browserCrypto } from '../crypto/index.js';
import { stringifyJson } from '../protocol/json.js';
import { nowNs } from '../protocol/time.js';
import { setServerId } from '../store/colonies.js';
import { APPROVED } from '../store/executors.js';
import type { ServerContext } from './context.js';

export interface DevEnv {
  serverId: string;
  serverPrvKey: string;
  colonyName: string;
  colonyOwnerPrvKey: string;
  colonyId: string;
  executorPrvKey: string;
  executorId: string;
  executorName: string;
  executorType: string;
  userPrvKey: string;
  userId: string;
  userName: string;
}

interface DevKeys {
  serverPrvKey: string;
  colonyOwnerPrvKey: string;
  executorPrvKey: string;
  userPrvKey: string;
}

export const DEV_KEYS_FILE = 'dev-keys.json';

const isKey = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);

async function loadKeys(file: string): Promise<DevKeys | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const k = JSON.parse(text) as Partial<DevKeys>;
  if (!isKey(k.serverPrvKey) || !isKey(k.colonyOwnerPrvKey) || !isKey(k.executorPrvKey) || !isKey(k.userPrvKey)) {
    throw new Error(`${file} is damaged (expected four 64-hex private keys); remove it to make new dev keys`);
  }
  return k as DevKeys;
}

/** Makes the dev keys on first use and keeps them in `<dataDir>/dev-keys.json` (mode 0600). */
export async function prepareDevEnvironment(dataDir: string): Promise<DevEnv> {
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, DEV_KEYS_FILE);
  let keys = await loadKeys(file);
  if (!keys) {
    const gen = () => browserCrypto.generatePrivateKey();
    keys = { serverPrvKey: gen(), colonyOwnerPrvKey: gen(), executorPrvKey: gen(), userPrvKey: gen() };
    // write-then-rename: a crash never leaves a half-written key file behind
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(keys, null, 2) + '\n', { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, file);
  }
  const id = (prv: string) => browserCrypto.idOf(prv);
  return {
    serverId: id(keys.serverPrvKey),
    serverPrvKey: keys.serverPrvKey,
    colonyName: 'dev',
    colonyOwnerPrvKey: keys.colonyOwnerPrvKey,
    colonyId: id(keys.colonyOwnerPrvKey),
    executorPrvKey: keys.executorPrvKey,
    executorId: id(keys.executorPrvKey),
    executorName: 'dev-executor',
    executorType: 'cli',
    userPrvKey: keys.userPrvKey,
    userId: id(keys.userPrvKey),
    userName: 'dev-user',
  };
}

/**
 * Makes sure (idempotently, in one transaction) that the server id is the dev server key, the
 * dev colony exists with the dev owner, the dev executor is registered and APPROVED and the
 * dev user exists.
 */
export async function seedDevColony(srv: ServerContext, env: DevEnv): Promise<void> {
  await srv.db.tx(async (q) => {
    await setServerId(q, env.serverId);
    await q.query(
      'INSERT INTO colonies (name, colonyid) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET colonyid = EXCLUDED.colonyid',
      [env.colonyName, env.colonyId],
    );
    const zeroCapabilities = stringifyJson({ hardware: null, software: null });
    const zeroAllocations = stringifyJson({ projects: null });
    await q.query(
      `INSERT INTO executors (colonyname, executorname, executorid, executortype, state, commissiontime, capabilities, allocations)
       VALUES ($1, $2, $3, $4, ${APPROVED}, $5, $6::jsonb, $7::jsonb)
       ON CONFLICT (colonyname, executorname)
       DO UPDATE SET executorid = EXCLUDED.executorid, executortype = EXCLUDED.executortype, state = ${APPROVED}`,
      [env.colonyName, env.executorName, env.executorId, env.executorType, nowNs(), zeroCapabilities, zeroAllocations],
    );
    // the user id is unique per colony: drop a stale row that holds it under another name
    await q.query('DELETE FROM users WHERE colonyname = $1 AND userid = $2 AND name <> $3', [env.colonyName, env.userId, env.userName]);
    await q.query(
      `INSERT INTO users (colonyname, name, userid) VALUES ($1, $2, $3)
       ON CONFLICT (colonyname, name) DO UPDATE SET userid = EXCLUDED.userid`,
      [env.colonyName, env.userName, env.userId],
    );
  });
}

/** `export COLONIES_...=...` lines for a shell (what the Go CLI, pycolonies and colonies-ts read). */
export function devEnvLines(env: DevEnv, url: string): string[] {
  const u = new URL(url);
  const host = u.hostname === '0.0.0.0' || u.hostname === '::' || u.hostname === '[::]' ? 'localhost' : u.hostname;
  const tls = u.protocol === 'https:';
  const port = u.port || (tls ? '443' : '80');
  const vars: [string, string][] = [
    ['COLONIES_SERVER_HOST', host],
    ['COLONIES_SERVER_PORT', port],
    ['COLONIES_TLS', String(tls)],
    ['COLONIES_SERVER_ID', env.serverId],
    ['COLONIES_SERVER_PRVKEY', env.serverPrvKey],
    ['COLONIES_COLONY_NAME', env.colonyName],
    ['COLONIES_COLONY_ID', env.colonyId],
    ['COLONIES_COLONY_PRVKEY', env.colonyOwnerPrvKey],
    ['COLONIES_EXECUTOR_ID', env.executorId],
    ['COLONIES_EXECUTOR_PRVKEY', env.executorPrvKey],
    ['COLONIES_EXECUTOR_NAME', env.executorName],
    ['COLONIES_EXECUTOR_TYPE', env.executorType],
    ['COLONIES_USER_ID', env.userId],
    ['COLONIES_USER_PRVKEY', env.userPrvKey],
    // what the Go CLI signs with
    ['COLONIES_PRVKEY', env.executorPrvKey],
  ];
  return vars.map(([k, v]) => `export ${k}=${v}`);
}
