// `colonies dev` and `colonies server start` as subprocesses: start, serve, stop on SIGTERM.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, test } from 'vitest';
import { run, start } from './run.js';
import { freePort } from '../helpers/ports.js';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});


/** Starts a long-running CLI command and resolves once `ready(output)` holds. */
function startUntil(args: string[], env: Record<string, string>, ready: (out: string) => boolean | Promise<boolean>) {
  const child = start(args, env);
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const up = (async () => {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`exited early (${child.exitCode}): ${out}`);
      if (await ready(out)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return { child, up, exited, output: () => out };
}

function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^export (\w+)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2];
  }
  return env;
}

describe('colonies dev / server start', () => {
  test('server start without COLONIES_SERVER_ID and without a dev env fails clearly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'colonies-nodev-'));
    const r = await run(['server', 'start'], { COLONIES_DATA_DIR: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('COLONIES_SERVER_ID');
  });

  test('dev seeds a colony and writes dev.env; server start then reuses it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'colonies-dev-'));
    const port = await freePort();
    const dev = startUntil(['dev'], { COLONIES_DATA_DIR: dir, COLONIES_SERVER_PORT: String(port) }, (out) => out.includes('Ctrl+C'));
    await dev.up;
    expect(dev.output()).toContain('export COLONIES_PRVKEY=');
    expect(dev.output()).toContain(join(dir, 'dev.env'));
    const env = parseEnvFile(readFileSync(join(dir, 'dev.env'), 'utf8'));
    expect(env.COLONIES_SERVER_PORT).toBe(String(port));
    const ls = await run(['executor', 'ls', '--json'], env);
    expect(ls.code, ls.stderr).toBe(0);
    expect(JSON.parse(ls.stdout).map((e: { executorname: string }) => e.executorname)).toContain(env.COLONIES_EXECUTOR_NAME);
    dev.child.kill('SIGTERM');
    expect(await dev.exited).toBe(0);

    // No COLONIES_SERVER_ID: server start falls back to the dev environment and its data.
    const server = startUntil(['server', 'start'], { COLONIES_DATA_DIR: dir, COLONIES_SERVER_HTTP_PORT: String(port), COLONIES_LOG_LEVEL: 'warn' }, () =>
      fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      ),
    );
    await server.up;
    const colonies = await run(['colony', 'ls', '--json'], env);
    expect(JSON.parse(colonies.stdout).map((c: { name: string }) => c.name)).toEqual(['dev']);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });
});
