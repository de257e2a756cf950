// The README quick start, as a fresh user runs it: `npm run dev` starts the server on the
// embedded database and prints the environment; with exactly that environment a new executor
// is added and approved, a process submitted, assigned and closed, all signed, over HTTP.
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, expect, test } from 'vitest';
import { browserCrypto } from '../../src/crypto/index.js';
import { buildRequest, decodeReply } from '../../src/protocol/envelope.js';
import { freePort } from '../helpers/ports.js';

const ROOT = new URL('../../', import.meta.url).pathname;
let child: ChildProcess | undefined;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});


test('README quick start: `npm run dev`, then a signed round trip with the printed env', async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  expect(readme).toContain('npm run dev');
  expect(readme).toContain('npm test');
  // `npm run dev` = build, then `node dist/src/cli/main.js dev`. `npm test` has just built,
  // so run the server part of the script directly (a second build would only cost time).
  const script: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.dev;
  const [build, serve] = script.split(' && ');
  expect(build).toMatch(/^npm run build/);
  expect(serve).toBe('node dist/src/cli/main.js dev');

  const dataDir = mkdtempSync(join(tmpdir(), 'colonies-quickstart-'));
  const port = await freePort();
  child = spawn('node', ['dist/src/cli/main.js', 'dev'], {
    cwd: ROOT,
    env: { ...process.env, COLONIES_DATA_DIR: dataDir, COLONIES_SERVER_PORT: String(port), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child!.on('exit', (c) => r(c)));
  for (let i = 0; !out.includes('export COLONIES_EXECUTOR_PRVKEY='); i++) {
    if (child.exitCode !== null) throw new Error(`npm run dev exited: ${out}`);
    if (i > 600) throw new Error(`no environment printed: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  // the printed lines, exactly as a user would paste them
  const env: Record<string, string> = {};
  for (const m of out.matchAll(/^export (COLONIES_\w+)=(.*)$/gm)) env[m[1]] = m[2];
  const url = `http://${env.COLONIES_SERVER_HOST}:${env.COLONIES_SERVER_PORT}`;
  const call = async (type: string, msg: Record<string, unknown>, prv: string) => {
    const r = await fetch(`${url}/api`, { method: 'POST', body: buildRequest(type as any, msg, prv, browserCrypto) });
    return decodeReply(await r.text()).payload as any;
  };
  const colony = env.COLONIES_COLONY_NAME;

  const exPrv = browserCrypto.generatePrivateKey();
  const exId = browserCrypto.idOf(exPrv);
  await call('addexecutormsg', { executor: { executorid: exId, executortype: 'smoke', executorname: 'smoke-1', colonyname: colony } }, env.COLONIES_COLONY_PRVKEY);
  await call('approveexecutormsg', { colonyname: colony, executorname: 'smoke-1' }, env.COLONIES_COLONY_PRVKEY);
  const submitted = await call('submitfuncspecmsg', { spec: { funcname: 'echo', args: ['hi'], maxexectime: -1, conditions: { colonyname: colony, executortype: 'smoke' } } }, env.COLONIES_PRVKEY);
  const assigned = await call('assignprocessmsg', { colonyname: colony, timeout: 5 }, exPrv);
  expect(assigned.processid).toBe(submitted.processid);
  expect(assigned.assignedexecutorid).toBe(exId);
  await call('closesuccessfulmsg', { processid: assigned.processid, out: ['hi'] }, exPrv);
  const done = await call('getprocessmsg', { processid: submitted.processid }, env.COLONIES_PRVKEY);
  expect(done.state).toBe(2);
  expect(done.out).toEqual(['hi']);

  child.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 120_000);
