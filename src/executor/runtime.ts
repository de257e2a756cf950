// The executor runtime: long-poll assign, run the named function, close the process, and on
// stop never leave a process of ours RUNNING (finish it within the grace period, else fail it).
import { ColoniesClient } from '../client/client.js';
import type { FetchLike } from '../client/transport.js';
import { defaultNodeCrypto } from '../client/node-crypto.js';
import { defaultNodeFetch } from '../client/node-transport.js';
import type { Process } from '../client/types.js';
import { ColoniesError } from '../protocol/errors.js';
import { parseTime } from '../protocol/time.js';
import { registerFunctions, selfRegister, type Identity } from './register.js';
import { runProcess, type ProcessHandler } from './run.js';

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
  const running = new Map<object, { pid: string; ac: AbortController; task: Promise<void> }>();
  let stopPromise: Promise<void> | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      stopAc.signal.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
    });

  async function execute(p: Process): Promise<void> {
    const ac = new AbortController();
    const run = {};
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
    const task = runProcess(client, me, opts.functions, p, ac.signal)
      .then(async (r) => {
        // After maxexectime the server requeues or fails the process itself: leave it be.
        if (expired || ac.signal.aborted) return;
        try {
          if (r.ok) await client.closeSuccessful(p.processid, r.out, me.prvKey);
          else await client.closeFailed(p.processid, [r.error], me.prvKey);
        } catch (e) {
          log.warn(`could not close process ${p.processid}: ${(e as Error).message}`);
        }
      })
      .finally(() => {
        if (timer) clearTimeout(timer);
        running.delete(run);
      });
    running.set(run, { pid: p.processid, ac, task });
    // Past its deadline the process is no longer ours: free the slot even if the handler lingers.
    await Promise.race([task, expiredP]);
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

  async function failLeftovers(): Promise<void> {
    // An assign aborted by stop may have been granted just before: find and fail such processes.
    for (let pass = 0; pass < 2; pass++) {
      await new Promise((r) => setTimeout(r, 150));
      const mine = await client
        .getProcesses(me.colonyName, 1, 100, { executorType: me.type }, me.prvKey)
        .then((ps) => ps.filter((p) => p.assignedexecutorid === me.executorId && ![...running.values()].some((r) => r.pid === p.processid)))
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
      for (const r of [...running.values()]) {
        if (r.ac.signal.aborted) continue; // past its deadline: the server handles it
        r.ac.abort(new Error('executor stopping'));
        await client.closeFailed(r.pid, [`executor ${me.name} stopped while the process was running`], me.prvKey).catch(() => undefined);
      }
      await failLeftovers();
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
