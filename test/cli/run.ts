// Runs the `colonies` CLI as a subprocess: the build (dist/src/cli/main.js, fresh under
// `npm test`, which builds first) when it is newer than the sources, else the sources through
// tsx, so running this file directly never waits for a full build.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const DIST_ENTRY = join(ROOT, 'dist/src/cli/main.js');
const SRC_ENTRY = join(ROOT, 'src/cli/main.ts');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** What the client commands load; `server start` and `dev` also load the server. */
const CLIENT_DIRS = ['cli', 'client', 'protocol', 'crypto'];
const SERVER_DIRS = [...CLIENT_DIRS, 'server', 'store', 'domain'];

function distIsFresh(dirs: string[]): boolean {
  if (!existsSync(DIST_ENTRY)) return false;
  const paths = dirs.map((d) => join(ROOT, 'src', d)).filter(existsSync);
  return statSync(DIST_ENTRY).mtimeMs >= Math.max(...paths.map(newestMtime));
}

const argvCache = new Map<boolean, string[]>();

/** node arguments that start the CLI (`server`: the command runs the server too). */
export function cliArgs(server = false): string[] {
  let a = argvCache.get(server);
  if (!a) {
    a = distIsFresh(server ? SERVER_DIRS : CLIENT_DIRS) ? [DIST_ENTRY] : ['--import', 'tsx', SRC_ENTRY];
    argvCache.set(server, a);
  }
  return a;
}

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment without the caller's COLONIES_* settings, plus `env`. */
export function cleanEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('COLONIES_') && k !== 'NO_COLOR' && k !== 'FORCE_COLOR') base[k] = v;
  return { ...base, ...env };
}

export function start(args: string[], env: Record<string, string | undefined>): ChildProcess {
  const server = args[0] === 'dev' || (args[0] === 'server' && args[1] === 'start');
  return spawn(process.execPath, [...cliArgs(server), ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
}

export function run(args: string[], env: Record<string, string | undefined>, input = ''): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = start(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin!.end(input);
  });
}
