// The executor runtime against a real server: run, fail, concurrency, graceful stop,
// maxexectime abort, self-registration.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ColoniesClient, ColoniesError, ExecutorState, ProcessState } from '../../src/client/index.js';
import { runExecutor, type ExecutorHandle, type ExecutorOptions } from '../../src/executor/index.js';
import { newKey, setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';

let t: TestServer;
let cast: Cast;
let client: ColoniesClient;
const handles: ExecutorHandle[] = [];
let n = 0;

beforeAll(async () => {
  t = await startTestServer();
  cast = await setupColony(t, 'rtx');
  client = new ColoniesClient({ url: t.url, prvKey: cast.user.prv });
});
afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.stop(0)));
});
afterAll(() => t?.close());

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Starts a fresh, self-registered executor of a type of its own. */
async function start(functions: ExecutorOptions['functions'], extra: Partial<ExecutorOptions> = {}) {
  const type = `type-${++n}`;
  const h = runExecutor({
    client,
    colonyName: cast.colonyName,
    prvKey: newKey().prv,
    type,
    name: `exec-${n}`,
    functions,
    assignTimeoutS: 2,
    register: { colonyPrvKey: cast.owner.prv },
    handleSignals: false,
    logger: silent,
    ...extra,
  });
  handles.push(h);
  await h.ready;
  return { h, type };
}

const submit = (type: string, funcname: string, extra: Record<string, unknown> = {}) =>
  client.submitFunctionSpec({ funcname, args: ['hi', 2], maxexectime: -1, conditions: { colonyname: cast.colonyName, executortype: type }, ...extra });

describe('runExecutor', () => {
  test('registers itself and its functions, runs echo, logs, closes successful', async () => {
    const { h, type } = await start({
      echo: async (_p, ctx) => {
        await ctx.log('echoing');
        return ctx.args;
      },
    });
    const ex = await client.getExecutorById(cast.colonyName, h.executorId);
    expect(ex.state).toBe(ExecutorState.APPROVED);
    expect((await client.getFunctions(cast.colonyName, ex.executorname)).map((f) => f.funcname)).toEqual(['echo']);
    const p = await submit(type, 'echo');
    const done = await client.waitForProcessEnd(p.processid, 20);
    expect(done.state).toBe(ProcessState.SUCCESS);
    expect(done.out).toEqual(['hi', 2]);
    expect((await client.getLogs(cast.colonyName, p.processid)).map((l) => l.message)).toEqual(['echoing']);
  });

  test('a single return value becomes [value]; undefined becomes []', async () => {
    const { type } = await start({ one: () => 42, none: () => undefined });
    const a = await submit(type, 'one');
    const b = await submit(type, 'none');
    expect((await client.waitForProcessEnd(a.processid, 20)).out).toEqual([42]);
    expect((await client.waitForProcessEnd(b.processid, 20)).out).toEqual([]);
  });

  test('a throwing handler closes the process as failed with the message', async () => {
    const { type } = await start({
      boom: () => {
        throw new Error('nope');
      },
    });
    const p = await submit(type, 'boom');
    const done = await client.waitForProcessEnd(p.processid, 20);
    expect(done.state).toBe(ProcessState.FAILED);
    expect(done.errors).toEqual(['nope']);
  });

  test('an unknown funcname fails the process', async () => {
    const { type } = await start({ echo: () => [] });
    const p = await submit(type, 'mystery');
    const done = await client.waitForProcessEnd(p.processid, 20);
    expect(done.state).toBe(ProcessState.FAILED);
    expect(done.errors?.[0]).toMatch(/no function "mystery"/);
  });

  test('runs `concurrency` processes at once', async () => {
    let active = 0;
    let maxActive = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { type } = await start(
      {
        slow: async () => {
          active++;
          maxActive = Math.max(maxActive, active);
          if (active === 3) release();
          // never hang the test if concurrency were broken: give up after a while
          await Promise.race([gate, new Promise((r) => setTimeout(r, 8000))]);
          active--;
          return 'ok';
        },
      },
      { concurrency: 3 },
    );
    const ps = await Promise.all([submit(type, 'slow'), submit(type, 'slow'), submit(type, 'slow')]);
    const ends = await Promise.all(ps.map((p) => client.waitForProcessEnd(p.processid, 30)));
    expect(ends.map((e) => e.state)).toEqual([ProcessState.SUCCESS, ProcessState.SUCCESS, ProcessState.SUCCESS]);
    expect(maxActive).toBe(3);
  });

  test('stop() lets a running process finish within the grace period', async () => {
    let finish!: () => void;
    const started = new Promise<void>((r) => (finish = r));
    let go!: () => void;
    const gate = new Promise<void>((r) => (go = r));
    const { h, type } = await start({
      work: async () => {
        finish();
        await gate;
        return 'finished';
      },
    });
    const p = await submit(type, 'work');
    await started;
    const stopping = h.stop(10_000);
    go();
    await stopping;
    await h.done;
    const after = await client.getProcess(p.processid);
    expect(after.state).toBe(ProcessState.SUCCESS);
    expect(after.out).toEqual(['finished']);
  });

  test('stop() fails a process that outlives the grace period: nothing is left RUNNING', async () => {
    let aborted = false;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const { h, type } = await start({
      forever: (_p, ctx) =>
        new Promise((_res, rej) => {
          started();
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
            rej(new Error('aborted'));
          });
        }),
    });
    const p = await submit(type, 'forever');
    await running;
    await h.stop(100);
    await h.done;
    const after = await client.getProcess(p.processid);
    expect(after.state).toBe(ProcessState.FAILED);
    expect(after.errors?.[0]).toMatch(/stopped/);
    expect(aborted).toBe(true);
    expect(await client.getProcesses(cast.colonyName, ProcessState.RUNNING, 100, { executorType: type })).toEqual([]);
  });

  test("the context signal aborts when maxexectime passes; the server then fails the process", async () => {
    let sawAbort = false;
    const { type } = await start({
      slow: (_p, ctx) =>
        new Promise((_res, rej) => {
          ctx.signal.addEventListener('abort', () => {
            sawAbort = true;
            rej(new Error('too slow'));
          });
        }),
    });
    const p = await submit(type, 'slow', { maxexectime: 1, maxretries: 0 });
    const done = await client.waitForProcessEnd(p.processid, 30);
    expect(sawAbort).toBe(true);
    expect(done.state).toBe(ProcessState.FAILED);
    // closed by the server's timeout, not by the executor
    expect(done.errors).toEqual(['Maximum execution time limit exceeded']);
  });

  test('a handler that ignores its expired deadline does not block the executor', async () => {
    const { type } = await start({ stuck: () => new Promise(() => undefined), echo: (_p, ctx) => ctx.args });
    const stuck = await submit(type, 'stuck', { maxexectime: 1, maxretries: 0 });
    const next = await submit(type, 'echo');
    expect((await client.waitForProcessEnd(next.processid, 30)).state).toBe(ProcessState.SUCCESS);
    expect((await client.waitForProcessEnd(stuck.processid, 30)).state).toBe(ProcessState.FAILED);
  });

  test('an external AbortSignal stops the executor', async () => {
    const ac = new AbortController();
    const { h } = await start({ echo: () => [] }, { signal: ac.signal });
    ac.abort();
    await h.done;
    expect(h.running).toBe(0);
  });

  test('a restart with the same key and name reuses the registration', async () => {
    const key = newKey();
    const opts = { client, colonyName: cast.colonyName, prvKey: key.prv, type: 'restart', name: 'restarter', functions: { echo: () => [] }, register: { colonyPrvKey: cast.owner.prv }, handleSignals: false, logger: silent, assignTimeoutS: 1 };
    const first = runExecutor(opts);
    await first.ready;
    await first.stop(0);
    const second = runExecutor(opts);
    handles.push(second);
    await second.ready;
    expect((await client.getFunctions(cast.colonyName, 'restarter')).length).toBe(1);
  });

  test('registration with a wrong colony key rejects ready and done', async () => {
    const h = runExecutor({ client, colonyName: cast.colonyName, prvKey: newKey().prv, type: 'x', name: 'intruder', functions: {}, register: { colonyPrvKey: newKey().prv }, handleSignals: false, logger: silent });
    const e = await h.ready.catch((x) => x);
    expect(e).toBeInstanceOf(ColoniesError);
    expect(e.status).toBe(403);
    await expect(h.done).rejects.toBeInstanceOf(ColoniesError);
    expect((await client.getExecutors(cast.colonyName)).some((x) => x.executorname === 'intruder')).toBe(false);
  });
});
