// The executor runtime: long-poll assign, run the named function, close the process, and on
// stop never leave a process of ours RUNNING (finish it within the grace period, else fail it).
import { ColoniesClient } from '../client/client.js';
import { ConnectionError, type FetchLike } from '../client/transport.js';
import { defaultNodeCrypto } from '../client/node-crypto.js';
import { defaultNodeFetch } from '../client/node-transport.js';
import type { Process } from '../client/types.js';
import { ColoniesError } from '../protocol/errors.js';
import { parseTime } from '../protocol/time.js';
import { registerFunctions, selfRegister, type Identity } from './register.js';
import { runProcess, type ProcessHandler, type RunResult, type UntilAnswered } from './run.js';

export interface ExecutorLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface ExecutorOptions {
  /** a client to use; otherwise one is made from host/port/tls/url */
  client?: ColoniesClient;
  host?: string;
  port?: number;
  tls?: boolean;
  url?: string;
  /** transport for the client made here; default: undici's request API in Node (nodeFetch), else the global fetch */
  fetch?: FetchLike;
  colonyName: string;
  /** this executor's private key */
  prvKey: string;
  /** executor type: processes with conditions.executortype = type come here */
  type: string;
  /** executor name, unique in the colony */
  name: string;
  /** funcname → handler; its return value (an array, or one value) becomes the output */
  functions: Record<string, ProcessHandler>;
  /** processes run at the same time (default 1) */
  concurrency?: number;
  /** seconds one assign call waits for work (default 10) */
  assignTimeoutS?: number;
  /** available CPU/memory sent with assign ("" = unlimited) */
  cpu?: string;
  mem?: string;
  /** register and approve this executor with the colony owner's key first */
  register?: { colonyPrvKey: string; locationName?: string };
  /** register the function names with addfunctionmsg (default true) */
  registerFunctions?: boolean;
  /** stop when this aborts */
  signal?: AbortSignal;
  /** stop gracefully on SIGINT/SIGTERM (default true in Node) */
  handleSignals?: boolean;
  /** how long stop() lets running processes finish before failing them (default 10 000 ms) */
  stopGraceMs?: number;
  /**
   * A close, log line or output the server did not answer is sent again until it is answered.
   * A 500 is an answer of sorts (the database away, or a fault that will not go away): it is
   * sent again for this long at most (default 60 000 ms). Connection failures and a proxy's
   * 502/503/504 are retried until the process's deadline or stop.
   */
  internalErrorRetryMs?: number;
  logger?: ExecutorLogger;
}

export interface ExecutorHandle {
  readonly executorId: string;
  readonly client: ColoniesClient;
  /** resolves once registered and taking work; rejects if registration failed */
  readonly ready: Promise<void>;
  /** resolves when the executor has stopped and cleaned up */
  readonly done: Promise<void>;
  /** processes running right now */
  readonly running: number;
  /** stop taking work, let running processes finish (up to graceMs), fail the rest */
  stop(graceMs?: number): Promise<void>;
}

/** One process being run; `result` once its handler returned (its close may still be on the way). */
interface Run {
  pid: string;
  ac: AbortController;
  task: Promise<void>;
  result?: RunResult;
}

/** No answer from the server itself: the request may or may not have been carried out. */
function unanswered(e: unknown): boolean {
  return e instanceof ConnectionError || (e instanceof ColoniesError && e.status >= 500);
}

/** Waits `ms`, or less if `signal` aborts; the listener goes when the wait ends (waits repeat for as long as a server is away). */
export function sleepUnless(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

const quiet: ExecutorLogger = { info: () => undefined, warn: (m) => console.error(m), error: (m) => console.error(m) };

export function runExecutor(opts: ExecutorOptions): ExecutorHandle {
  const client = opts.client ?? new ColoniesClient({ host: opts.host, port: opts.port, tls: opts.tls, url: opts.url, fetch: opts.fetch ?? defaultNodeFetch(), crypto: defaultNodeCrypto() });
  const log = opts.logger ?? quiet;
  const me: Identity = {
    colonyName: opts.colonyName,
    prvKey: opts.prvKey,
    executorId: client.idOf(opts.prvKey),
    type: opts.type,
    name: opts.name,
    locationName: opts.register?.locationName,
  };
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const assignTimeoutS = opts.assignTimeoutS ?? 10;
  const defaultGrace = opts.stopGraceMs ?? 10_000;

  let stopping = false;
  const stopAc = new AbortController(); // ends long polls and sleeps
  // keyed by run, not process id: a requeued process may come back while an old run lingers
  const running = new Set<Run>();
  let stopPromise: Promise<void> | undefined;

  const sleep = (ms: number) => sleepUnless(ms, stopAc.signal);

  async function execute(p: Process): Promise<void> {
    const ac = new AbortController();
    const deadline = execDeadlineMs(p);
    let expired = false;
    let onExpired!: () => void;
    const expiredP = new Promise<void>((r) => (onExpired = r));
    const timer =
      deadline === undefined
        ? undefined
        : setTimeout(() => {
            expired = true;
            ac.abort(new Error('maximum execution time exceeded'));
            onExpired();
          }, Math.max(0, deadline - Date.now()));
    const entry: Run = { pid: p.processid, ac, task: Promise.resolve() };
    entry.task = runProcess(client, me, opts.functions, p, ac.signal, untilAnswered)
      .then(async (r) => {
        entry.result = r;
        // After maxexectime the server requeues or fails the process itself: leave it be.
        if (expired || ac.signal.aborted) return;
        await closeUntilAnswered(p.processid, r, ac.signal);
      })
      .finally(() => {
        if (timer) clearTimeout(timer);
        running.delete(entry);
      });
    running.add(entry);
    // Past its deadline the process is no longer ours: free the slot even if the handler lingers.
    await Promise.race([entry.task, expiredP]);
  }

  const sendClose = (pid: string, r: RunResult) =>
    r.ok ? client.closeSuccessful(pid, r.out, me.prvKey) : client.closeFailed(pid, [r.error], me.prvKey);

  /**
   * A request nobody answered (the server unreachable or restarting, a proxy's 502/503/504, a
   * 500 while the database is away) may or may not have been carried out, so it is sent again,
   * with backoff, until the server answers (a reply, or an error: rejects with it) or `signal`
   * aborts (the process's deadline passed, or stop gave up on it: rejects with the last error).
   * 500s only for internalErrorRetryMs: one that does not go away must not hold the slot forever.
   */
  const internalErrorRetryMs = opts.internalErrorRetryMs ?? 60_000;
  const untilAnswered: UntilAnswered = async (what, send, signal) => {
    const started = Date.now();
    for (let wait = 250; ; wait = Math.min(wait * 2, 5000)) {
      try {
        return await send();
      } catch (e) {
        if (!unanswered(e) || signal.aborted) throw e;
        if ((e as ColoniesError).status === 500 && Date.now() - started >= internalErrorRetryMs) throw e;
        log.warn(`could not ${what} (${(e as Error).message}): trying again in ${wait} ms`);
        await sleepUnless(wait, signal);
        if (signal.aborted) {
          log.warn(`gave up trying to ${what}: ${(signal.reason as Error)?.message ?? 'aborted'}`);
          throw e;
        }
      }
    }
  };

  /**
   * Reports a result, until answered (see untilAnswered). Sending a close again is safe: a
   * successful close of a process already closed successfully by this executor is accepted,
   * and any other repeat is refused (an answer, so the retries end).
   */
  async function closeUntilAnswered(pid: string, r: RunResult, signal: AbortSignal): Promise<void> {
    try {
      await untilAnswered(`close process ${pid}`, () => sendClose(pid, r), signal);
    } catch (e) {
      log.warn(`could not close process ${pid}: ${(e as Error).message}`);
    }
  }

  async function worker(): Promise<void> {
    let backoff = 250;
    while (!stopping) {
      let p: Process;
      try {
        p = await client.assign(me.colonyName, assignTimeoutS, opts.cpu ?? '', opts.mem ?? '', me.prvKey, stopAc.signal);
      } catch (e) {
        if (stopping) break;
        const status = e instanceof ColoniesError ? e.status : -1;
        if (status === 404 || status === 408) continue; // nothing came in time: ask again
        if (status !== 503) log.warn(`assign failed: ${(e as Error).message}`);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
        continue;
      }
      backoff = 250;
      log.info(`running ${p.spec?.funcname ?? ''} (process ${p.processid})`);
      await execute(p);
    }
  }

  async function start(): Promise<void> {
    if (opts.register) await selfRegister(client, me, opts.register.colonyPrvKey);
    if (opts.registerFunctions ?? true) await registerFunctions(client, me, Object.keys(opts.functions));
  }

  const ready = start();
  ready.catch(() => undefined);
  const done = ready.then(async () => {
    log.info(`executor ${me.name} (${me.type}) ready in colony ${me.colonyName}`);
    await Promise.all(Array.from({ length: concurrency }, () => worker()));
    await stopPromise;
  });
  done.catch(() => undefined);

  /** `handled`: processes stop already reported (their last close may not have got through). */
  async function failLeftovers(handled: Set<string>): Promise<void> {
    // An assign aborted by stop may have been granted just before: find and fail such processes.
    for (let pass = 0; pass < 2; pass++) {
      await new Promise((r) => setTimeout(r, 150));
      const mine = await client
        .getProcesses(me.colonyName, 1, 100, { executorType: me.type }, me.prvKey)
        .then((ps) =>
          ps.filter((p) => p.assignedexecutorid === me.executorId && !handled.has(p.processid) && ![...running.values()].some((r) => r.pid === p.processid)),
        )
        .catch(() => []);
      for (const p of mine) {
        await client.closeFailed(p.processid, [`executor ${me.name} stopped before running the process`], me.prvKey).catch(() => undefined);
      }
    }
  }

  let hurry: () => void = () => undefined;
  const hurried = new Promise<void>((r) => (hurry = r));

  function stop(graceMs = defaultGrace): Promise<void> {
    // A second stop (e.g. a second Ctrl+C) with no grace cuts the running processes short.
    if (stopPromise) {
      if (graceMs <= 0) hurry();
      return stopPromise;
    }
    stopping = true;
    stopAc.abort();
    stopPromise = (async () => {
      await ready.catch(() => undefined);
      const tasks = [...running.values()].filter((r) => !r.ac.signal.aborted).map((r) => r.task);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([Promise.all(tasks), hurried, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
      const handled = new Set<string>();
      for (const r of [...running.values()]) {
        handled.add(r.pid);
        if (r.ac.signal.aborted) continue; // past its deadline: the server handles it
        r.ac.abort(new Error('executor stopping'));
        // A result still waiting for its close goes out once more as it is; otherwise the process failed.
        const last = r.result ?? { ok: false as const, error: `executor ${me.name} stopped while the process was running` };
        await sendClose(r.pid, last).catch(() => undefined);
      }
      await failLeftovers(handled);
      log.info(`executor ${me.name} stopped`);
    })();
    return stopPromise;
  }

  // Signals and an external AbortSignal both mean "stop gracefully"; a second signal stops now.
  const onSignal = () => void stop(stopPromise ? 0 : defaultGrace);
  const useSignals = (opts.handleSignals ?? true) && typeof process !== 'undefined' && typeof process.on === 'function';
  if (useSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  opts.signal?.addEventListener('abort', () => void stop(), { once: true });
  if (opts.signal?.aborted) void stop();
  const cleanup = () => {
    if (useSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  };
  done.then(cleanup, cleanup);
  // Registration failed: nothing to stop, but let stop() callers settle.
  ready.catch(() => {
    stopping = true;
    stopAc.abort();
  });

  return {
    executorId: me.executorId,
    client,
    ready,
    done,
    get running() {
      return running.size;
    },
    stop,
  };
}

/** When the process's maxexectime runs out, in epoch ms (undefined = no limit). */
function execDeadlineMs(p: Process): number | undefined {
  const max = p.spec?.maxexectime ?? 0;
  if (!(max > 0)) return undefined;
  const ns = parseTime(p.execdeadline ?? '');
  if (ns && ns > 0n) return Number(ns / 1_000_000n);
  const start = parseTime(p.starttime ?? '');
  const base = start && start > 0n ? Number(start / 1_000_000n) : Date.now();
  return base + max * 1000;
}
