// The examples, run against a test server the way `npm run dev` users run them.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ColoniesClient, ProcessState } from '../../src/client/index.js';
import { runCronJob } from '../../examples/cron-job.js';
import { ECHO_TYPE, startEchoExecutor } from '../../examples/echo-executor.js';
import type { ExampleEnv } from '../../examples/env.js';
import { runFibonacci } from '../../examples/fibonacci-workflow.js';
import { setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';

let t: TestServer;
let cast: Cast;
let env: ExampleEnv;
let client: ColoniesClient;

beforeAll(async () => {
  t = await startTestServer({ cronCheckerPeriod: 200 });
  cast = await setupColony(t, 'examples');
  const url = new URL(t.url);
  env = { host: url.hostname, port: Number(url.port), tls: false, colonyName: cast.colonyName, prvKey: cast.user.prv, colonyPrvKey: cast.owner.prv };
  client = new ColoniesClient({ url: t.url, prvKey: cast.user.prv });
});
afterAll(() => t?.close());

describe('examples', () => {
  test('echo executor echoes', async () => {
    const h = startEchoExecutor(env, { quiet: true, handleSignals: false });
    await h.ready;
    const p = await client.submitFunctionSpec({ funcname: 'echo', args: ['hello', 'world'], conditions: { colonyname: env.colonyName, executortype: ECHO_TYPE } });
    const done = await client.waitForProcessEnd(p.processid, 30);
    await h.stop();
    expect(done.state).toBe(ProcessState.SUCCESS);
    expect(done.out).toEqual(['hello', 'world']);
  });

  test('fibonacci workflow computes fib(10) = 55', async () => {
    expect(await runFibonacci(env, 10, { quiet: true })).toBe(55);
  });

  test('cron job runs on its interval, then cleans up', async () => {
    const reports = await runCronJob(env, 2, { intervalS: 1, quiet: true });
    expect(reports.length).toBeGreaterThanOrEqual(2);
    expect(await client.getCrons(env.colonyName)).toEqual([]);
    expect(await client.getProcesses(env.colonyName, ProcessState.RUNNING)).toEqual([]);
  });

  test('the echo example runs as a program and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/echo-executor.ts'], {
      cwd: new URL('../../', import.meta.url).pathname,
      env: {
        ...process.env,
        COLONIES_SERVER_HOST: env.host,
        COLONIES_SERVER_PORT: String(env.port),
        COLONIES_COLONY_NAME: env.colonyName,
        COLONIES_PRVKEY: env.prvKey,
        COLONIES_COLONY_PRVKEY: env.colonyPrvKey,
      },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await expect.poll(() => out, { timeout: 30_000 }).toContain('Echo executor ready');
    const p = await client.submitFunctionSpec({ funcname: 'echo', args: ['via program'], conditions: { colonyname: env.colonyName, executortype: ECHO_TYPE } });
    expect((await client.waitForProcessEnd(p.processid, 30)).out).toEqual(['via program']);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('stopped');
  });
});
