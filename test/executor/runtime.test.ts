// The executor runtime against a real server: run, fail, concurrency, graceful stop,
// maxexectime abort, self-registration.
import { getEventListeners } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ColoniesClient, ColoniesError, ExecutorState, ProcessState } from '../../src/client/index.js';
import type { FetchLike } from '../../src/client/transport.js';
import { runExecutor, type ExecutorHandle, type ExecutorOptions } from '../../src/executor/index.js';
import { sleepUnless } from '../../src/executor/runtime.js';
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

async function waitFor(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

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
  /**
   * A client whose transport loses the next `n` closes: the first is refused before it reaches
   * the server, the second reaches it but its reply is lost (the close is stored).
   */
  function lossyCloses(n: number, status?: number, types = ['closesuccessfulmsg', 'closefailedmsg']) {
    const seen: string[] = [];
    let left = n;
    const fetch: FetchLike = async (url, init) => {
      const type = /"payloadtype":"(\w+)"/.exec(init.body ?? '')?.[1] ?? '';
      if (types.includes(type)) {
        seen.push(type);
        if (left > 0) {
          left--;
          if (status !== undefined) return { status, ok: false, text: async () => 'Bad Gateway' };
          if (left % 2 === 1) throw new TypeError('fetch failed (connection refused)');
          await globalThis.fetch(url, init); // stored, but the reply never arrives
          throw new TypeError('fetch failed (connection reset)');
        }
      }
      return globalThis.fetch(url, init);
    };
    const warnings: string[] = [];
    const logger = { ...silent, warn: (m: string) => void warnings.push(m) };
    return { client: new ColoniesClient({ url: t.url, prvKey: cast.user.prv, fetch }), seen, warnings, logger };
  }

  test('a close the server did not answer is sent again until it is answered; the result is kept', async () => {
    const lossy = lossyCloses(2);
    const { type } = await start({ echo: async (_p, ctx) => ctx.args }, { client: lossy.client, logger: lossy.logger });
    const p = await submit(type, 'echo');
    await waitFor(async () => lossy.seen.length === 3 && (await client.getProcess(p.processid)).state === ProcessState.SUCCESS);
    expect((await client.getProcess(p.processid)).out).toEqual(['hi', 2]);
    expect(lossy.seen).toEqual(['closesuccessfulmsg', 'closesuccessfulmsg', 'closesuccessfulmsg']);
    expect(lossy.warnings.filter((w) => w.includes('trying again'))).toHaveLength(2);
  });

  test('ctx.log and ctx.setOutput ride out requests the server did not answer', async () => {
    const lossy = lossyCloses(4, undefined, ['addlogmsg', 'setoutputmsg']);
    const { type } = await start(
      {
        chatty: async (_p, ctx) => {
          await ctx.log('first line');
          await ctx.setOutput(['partial']);
          await ctx.log('second line');
          return ['done'];
        },
      },
      { client: lossy.client, logger: lossy.logger },
    );
    const p = await submit(type, 'chatty');
    await waitFor(async () => (await client.getProcess(p.processid)).state === ProcessState.SUCCESS);
    expect((await client.getProcess(p.processid)).out).toEqual(['done']);
    // each request lost once (refused, then stored with its reply lost): a log line may be stored twice, none is missing
    const logs = (await client.getLogs(cast.colonyName, p.processid, 100)).map((l) => l.message);
    expect(new Set(logs)).toEqual(new Set(['first line', 'second line']));
    expect(lossy.warnings.filter((w) => w.includes('trying again'))).toHaveLength(4);
  });

  test('a proxy\'s 502 is retried too; a refusal from the server is not', async () => {
    const lossy = lossyCloses(1, 502);
    const { type } = await start({ boom: async () => Promise.reject(new Error('kaput')) }, { client: lossy.client, logger: lossy.logger });
    const p = await submit(type, 'boom');
    await waitFor(async () => (await client.getProcess(p.processid)).state === ProcessState.FAILED);
    expect((await client.getProcess(p.processid)).errors).toEqual(['kaput']);
    expect(lossy.seen).toEqual(['closefailedmsg', 'closefailedmsg']);
    // a close the server refuses (here: the process was removed meanwhile) is an answer
    const refused = lossyCloses(0);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let begun!: () => void;
    const began = new Promise<void>((r) => (begun = r));
    const second = await start({ wait: async () => (begun(), await gate, ['late']) }, { client: refused.client, logger: refused.logger });
    const q = await submit(second.type, 'wait');
    await began;
    await t.server.srv.db.query('DELETE FROM processes WHERE processid = $1', [q.processid]);
    release();
    await waitFor(async () => refused.warnings.some((w) => w.startsWith(`could not close process ${q.processid}`)));
    expect(refused.seen).toEqual(['closesuccessfulmsg']);
  });

  test('a 500 that does not go away is retried for internalErrorRetryMs only; the executor takes work again', async () => {
    const lossy = lossyCloses(1000, 500);
    const { h, type } = await start({ echo: async () => ['x'] }, { client: lossy.client, logger: lossy.logger, internalErrorRetryMs: 600 });
    const p = await submit(type, 'echo');
    await waitFor(async () => lossy.warnings.some((w) => w.startsWith(`could not close process ${p.processid}: `)));
    expect(lossy.seen.length).toBeGreaterThanOrEqual(2);
    // the slot is free again: the next process runs (its close fails the same way)
    const q = await submit(type, 'echo');
    await waitFor(async () => lossy.seen.length > 0 && (await client.getProcess(q.processid)).state === ProcessState.RUNNING);
    await waitFor(async () => lossy.warnings.some((w) => w.includes(q.processid)));
    await h.stop(0);
  });

  test('stop() gives up on a close that is never answered and sends the result once more', async () => {
    const lossy = lossyCloses(1000, 503);
    const { h, type } = await start({ echo: async () => ['kept'] }, { client: lossy.client, logger: lossy.logger });
    const p = await submit(type, 'echo');
    await waitFor(async () => lossy.seen.length >= 2);
    await h.stop(300);
    await h.done;
    expect(lossy.warnings.some((w) => w.startsWith(`gave up trying to close process ${p.processid}`))).toBe(true);
    // every attempt, the last one too, carried the result, not a failure
    expect(new Set(lossy.seen)).toEqual(new Set(['closesuccessfulmsg']));
    expect((await client.getProcess(p.processid)).state).toBe(ProcessState.RUNNING);
  });
});

test('the runtime\'s waits leave no abort listener behind (they repeat for as long as a server is away)', async () => {
  const ac = new AbortController();
  for (let i = 0; i < 20; i++) await sleepUnless(1, ac.signal);
  expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  // an abort ends a wait at once (else this waits out the test's time limit and fails)
  const waiting = sleepUnless(600_000, ac.signal);
  ac.abort();
  await waiting;
  expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
});
