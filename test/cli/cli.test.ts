// The `colonies` CLI as a subprocess against a test server, configured by env vars as the
// Go CLI's tutorials do. Independent commands run in parallel to keep spawn cost down.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ColoniesClient, ProcessState } from '../../src/client/index.js';
import { runExecutor, type ExecutorHandle } from '../../src/executor/index.js';
import { setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';
import { run } from './run.js';

let t: TestServer;
let cast: Cast;
let env: Record<string, string>;
let executor: ExecutorHandle;
let dir: string;

beforeAll(async () => {
  t = await startTestServer();
  cast = await setupColony(t, 'clicol');
  const url = new URL(t.url);
  env = {
    COLONIES_SERVER_HOST: url.hostname,
    COLONIES_SERVER_PORT: url.port,
    COLONIES_COLONY_NAME: cast.colonyName,
    COLONIES_PRVKEY: cast.user.prv,
    COLONIES_COLONY_PRVKEY: cast.owner.prv,
    COLONIES_SERVER_PRVKEY: t.serverKey.prv,
  };
  const client = new ColoniesClient({ url: t.url });
  executor = runExecutor({
    client,
    colonyName: cast.colonyName,
    prvKey: cast.executor.prv,
    type: cast.executor.type,
    name: cast.executor.name,
    functions: {
      echo: (_p, ctx) => ctx.args,
      fail: () => {
        throw new Error('asked to fail');
      },
    },
    assignTimeoutS: 2,
    handleSignals: false,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  await executor.ready;
  dir = mkdtempSync(join(tmpdir(), 'colonies-cli-'));
});
afterAll(async () => {
  await executor?.stop(0);
  await t?.close();
});

const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('colonies CLI', () => {
  test('help, version and a usage error', async () => {
    const [help, sub, version, bad] = await Promise.all([
      run(['--help'], env),
      run(['process', '--help'], env),
      run(['--version'], env),
      run(['process', 'get'], env),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('function');
    expect(help.stdout).toContain('COLONIES_PRVKEY');
    expect(sub.stdout).toContain('Examples:');
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--processid');
  });

  test('--json prints plain valid JSON; tables print without colour when piped', async () => {
    const [json, table, ps, gen] = await Promise.all([
      run(['colony', 'ls', '--json'], env),
      run(['colony', 'ls'], env),
      run(['process', 'psf', '--json'], env),
      run(['security', 'generate', '--json'], env),
    ]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).map((c: { name: string }) => c.name)).toContain(cast.colonyName);
    expect(table.stdout).toMatch(/^NAME\s+ID/m);
    expect(table.stdout).toContain(cast.colonyName);
    expect(table.stdout).not.toContain('\u001b[');
    expect(JSON.parse(ps.stdout)).toEqual([]);
    const key = JSON.parse(gen.stdout);
    expect(key.prvkey).toMatch(/^[0-9a-f]{64}$/);
    expect(key.id).toMatch(/^[0-9a-f]{64}$/);
  });

  test('function exec --wait: exit 0 with the output on success, 1 on failure', async () => {
    const [ok, failed] = await Promise.all([
      run(['function', 'exec', '--func', 'echo', '--args', 'hello,world', '--targettype', cast.executor.type, '--wait', '--json'], env),
      run(['function', 'exec', '--func', 'fail', '--targettype', cast.executor.type, '--wait'], env),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    const p = JSON.parse(ok.stdout);
    expect(p.state).toBe(ProcessState.SUCCESS);
    expect(p.out).toEqual(['hello', 'world']);
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stdout).toContain('failed');
    expect(failed.stdout).toContain('asked to fail');
  });

  test('function submit --wait from a spec file; workflow submit --wait', async () => {
    const spec = file('echo.json', JSON.stringify({ funcname: 'echo', args: ['from-file'], conditions: { executortype: cast.executor.type } }));
    const wf = file(
      'wf.json',
      JSON.stringify([
        { nodename: 'a', funcname: 'echo', args: ['x'], conditions: { executortype: cast.executor.type } },
        { nodename: 'b', funcname: 'echo', args: ['y'], conditions: { executortype: cast.executor.type, dependencies: ['a'] } },
      ]),
    );
    const [sub, flow] = await Promise.all([run(['function', 'submit', '--spec', spec, '--wait'], env), run(['workflow', 'submit', '--spec', wf, '--wait'], env)]);
    expect(sub.code, sub.stderr).toBe(0);
    expect(sub.stdout).toContain('successful');
    expect(sub.stdout).toContain('from-file');
    expect(flow.code, flow.stderr).toBe(0);
    expect(flow.stdout).toMatch(/Workflow \w+ successful/);
  });

  test('bad spec files: missing, not JSON, wrong shape', async () => {
    const notJson = file('bad.json', '{ nope');
    const wrongShape = file('wrong.json', '{"functionspecs": 3}');
    const [missing, bad, wrong] = await Promise.all([
      run(['function', 'submit', '--spec', join(dir, 'missing.json')], env),
      run(['function', 'submit', '--spec', notJson], env),
      run(['workflow', 'submit', '--spec', wrongShape], env),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not valid JSON');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('list of function specs');
  });

  test('refused call, unreachable server, missing settings', async () => {
    const [refused, down, nokey] = await Promise.all([
      run(['colony', 'ls'], { ...env, COLONIES_SERVER_PRVKEY: cast.user.prv }),
      run(['colony', 'get'], { ...env, COLONIES_SERVER_PORT: '1' }),
      run(['process', 'ps'], { ...env, COLONIES_PRVKEY: '' }),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Access denied, not server owner');
    expect(refused.stderr).toContain('403');
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`${env.COLONIES_SERVER_HOST}:1`);
    expect(nokey.code).toBe(2);
    expect(nokey.stderr).toContain('COLONIES_PRVKEY');
  });

  test('executor, user, process and log commands', async () => {
    const [exs, users, colony, stats] = await Promise.all([
      run(['executor', 'ls', '--json'], env),
      run(['user', 'ls'], env),
      run(['colony', 'get', '--json'], env),
      run(['colony', 'stats', '--json'], env),
    ]);
    // a lone server is a one-node cluster and its own leader
    const [cluster, clusterTable, clusterRefused] = await Promise.all([
      run(['cluster', 'info', '--json'], env),
      run(['cluster', 'info'], env),
      run(['cluster', 'info'], { ...env, COLONIES_SERVER_PRVKEY: cast.user.prv }),
    ]);
    expect(JSON.parse(cluster.stdout)).toEqual({ nodes: [expect.objectContaining({ name: 'colonies', apiport: Number(new URL(t.url).port) })], leader: expect.objectContaining({ name: 'colonies' }) });
    expect(clusterTable.stdout).toMatch(/colonies .* yes/);
    expect(clusterRefused.code).not.toBe(0);
    expect(clusterRefused.stderr).toMatch(/403|not allowed|Access denied/i);
    expect(JSON.parse(exs.stdout).map((e: { executorname: string }) => e.executorname)).toContain(cast.executor.name);
    expect(users.stdout).toContain(cast.user.name);
    expect(JSON.parse(colony.stdout).name).toBe(cast.colonyName);
    expect(JSON.parse(stats.stdout).colonies).toBe(1);

    const submitted = await run(['function', 'exec', '--func', 'echo', '--args', 'z', '--targettype', cast.executor.type, '--wait', '--json'], env);
    const id = JSON.parse(submitted.stdout).processid;
    const [get, out, pss] = await Promise.all([
      run(['process', 'get', '-p', id], env),
      run(['process', 'get', '-p', id, '--out'], env),
      run(['process', 'pss'], env),
    ]);
    expect(get.stdout).toContain('successful');
    expect(out.stdout.trim()).toBe('z');
    expect(pss.stdout).toContain(id);
  });

  test('cron, generator, file, snapshot, blueprint, executor and user commands', async () => {
    const wf = file('tick.json', JSON.stringify([{ nodename: 't', funcname: 'echo', conditions: { executortype: cast.executor.type } }]));
    const key = JSON.parse((await run(['security', 'generate', '--json'], env)).stdout);
    const [cron, gen, labels, snaps, defs, exAdd, userAdd] = await Promise.all([
      run(['cron', 'add', '--name', 'tick', '--interval', '3600', '--spec', wf, '--json'], env),
      run(['generator', 'add', '--name', 'batch', '--trigger', '5', '--spec', wf, '--json'], env),
      run(['file', 'labels', '--json'], env),
      run(['snapshot', 'ls', '--json'], env),
      run(['blueprint', 'definition', 'ls', '--json'], env),
      run(['executor', 'add', '--executorid', key.id, '--name', 'cli-made', '--type', 'x', '--approve'], env),
      run(['user', 'add', '--name', 'carol', '--userid', key.id], env),
    ]);
    expect(cron.code, cron.stderr).toBe(0);
    const cronId = JSON.parse(cron.stdout).cronid;
    const genId = JSON.parse(gen.stdout).generatorid;
    expect(JSON.parse(labels.stdout)).toEqual([]);
    expect(JSON.parse(snaps.stdout)).toEqual([]);
    expect(JSON.parse(defs.stdout)).toEqual([]);
    expect(exAdd.code, exAdd.stderr).toBe(0);
    expect(exAdd.stdout).toContain('approved');
    expect(userAdd.code, userAdd.stderr).toBe(0);

    const [crons, pack, security, exGet] = await Promise.all([
      run(['cron', 'ls'], env),
      run(['generator', 'pack', '--generatorid', genId, '--arg', 'a1'], env),
      run(['security', 'id', '--prvkey', key.prvkey], env),
      run(['executor', 'get', '--name', 'cli-made'], env),
    ]);
    expect(crons.stdout).toContain('every 3600 s');
    expect(pack.code, pack.stderr).toBe(0);
    expect(security.stdout.trim()).toBe(key.id);
    expect(exGet.stdout).toContain('approved');
    const [genGet, cronRm, exRm, userRm] = await Promise.all([
      run(['generator', 'get', '--generatorid', genId, '--json'], env),
      run(['cron', 'remove', '--cronid', cronId], env),
      run(['executor', 'remove', '--name', 'cli-made'], env),
      run(['user', 'remove', '--name', 'carol'], env),
    ]);
    expect(JSON.parse(genGet.stdout).queuesize).toBe(1);
    expect([cronRm.code, exRm.code, userRm.code]).toEqual([0, 0, 0]);
  });

  test('removeall asks for confirmation (YES on stdin) unless --yes', async () => {
    const aborted = await run(['process', 'removeall', '--successful'], env, 'no\n');
    expect(aborted.code).toBe(1);
    expect(aborted.stderr).toContain('Aborted');
    const confirmed = await run(['process', 'removeall', '--successful'], env, 'YES\n');
    expect(confirmed.code, confirmed.stderr).toBe(0);
    const left = await run(['process', 'pss', '--json'], env);
    expect(JSON.parse(left.stdout).filter((p: { processgraphid: string }) => !p.processgraphid)).toEqual([]);
  });
});
