// Load-generator thread (node:worker_threads). One file, three roles:
//   executor  — K executor loops: assign (long poll) → closesuccessful, recording ids;
//   submitter — `inflight` concurrent submit loops, optionally paced to a rate;
//   reader    — `inflight` concurrent getprocessmsg / getprocessesmsg loops.
// Protocol with the main thread: ← ready (after a warm-up, see warmUp), → start, ← progress…,
// → stop, ← done.
import { parentPort, workerData } from 'node:worker_threads';
import { BenchClient, isAbort, nowMs, statusOf, type Key } from './lib/client.js';
import { benchSpec, EXECUTOR_TYPE, type ExecutorKey } from './lib/setup.js';
import { Samples } from './lib/stats.js';

export interface ExecutorRole {
  role: 'executor';
  target: string;
  colonyname: string;
  executors: ExecutorKey[];
  /** seconds of the long-poll assign */
  assignTimeout: number;
  /** post a 'got' message per received process (wake-up latency) */
  receipts: boolean;
}

export interface SubmitterRole {
  role: 'submitter';
  target: string;
  colonyname: string;
  key: Key;
  /** Infinity = until stopped */
  count: number;
  inflight: number;
  /** processes per second for this thread; 0 = as fast as possible */
  rate: number;
  /** args[0] offset, so that every process of a run is distinguishable */
  firstIndex: number;
  executortype?: string;
  receipts: boolean;
}

export interface ReaderRole {
  role: 'reader';
  target: string;
  colonyname: string;
  key: Key;
  op: 'get' | 'list';
  ids: string[];
  inflight: number;
  listCount: number;
  listState: number;
}

export type WorkerConfig = (ExecutorRole | SubmitterRole | ReaderRole) & {
  /** warm-up requests before the thread reports ready (default WARMUP_REQUESTS; 0 = none) */
  warmup?: number;
};

export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; role: string; done: number; lastT: number; lat: Record<string, number[]>; errors: number; errorSamples: string[] }
  | { type: 'got' | 'sub'; id: string; t: number }
  | { type: 'done'; role: string; ids: string[] };

export type ToWorker = { type: 'start' } | { type: 'stop' } | { type: 'pause' } | { type: 'resume' };

const port = parentPort!;
const cfg = workerData as WorkerConfig;
const client = new BenchClient(cfg.target, 1024);
const lat = new Map<string, Samples>();
const ids: string[] = [];
let done = 0;
let lastT = 0;
let errors = 0;
let errorSamples: string[] = [];
let stopping = false;
// submitters hold back while paused (the soak keeps the backlog bounded this way)
let paused: Promise<void> | null = null;
let resume: () => void = () => undefined;
const ac = new AbortController();
let onStop: () => void = () => undefined;
const stopped = new Promise<void>((r) => (onStop = r));

function sample(name: string, v: number): void {
  let s = lat.get(name);
  if (!s) lat.set(name, (s = new Samples()));
  s.push(v);
}

function error(e: unknown): void {
  errors++;
  if (errorSamples.length < 5) errorSamples.push(`${statusOf(e) ?? 'transport'}: ${(e as Error)?.message ?? String(e)}`);
}

function flush(): void {
  const out: Record<string, number[]> = {};
  for (const [k, s] of lat) if (s.length) out[k] = s.drain();
  port.postMessage({ type: 'progress', role: cfg.role, done, lastT, lat: out, errors, errorSamples } satisfies FromWorker);
  done = 0;
  errors = 0;
  errorSamples = [];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const assignMsg = (c: ExecutorRole) => ({ colonyname: c.colonyname, timeout: c.assignTimeout, availablecpu: '', availablemem: '' });

async function executorLoop(c: ExecutorRole, k: ExecutorKey): Promise<void> {
  // An executor's assign request never changes and signatures are deterministic (RFC 6979):
  // sign it once and send the same bytes every time, exactly what signing anew would produce.
  const assignBody = client.sign('assignprocessmsg', assignMsg(c), k);
  while (!stopping) {
    const t0 = nowMs();
    let p: { processid: string };
    try {
      p = await client.send(assignBody, ac.signal);
    } catch (e) {
      if (stopping || isAbort(e)) break;
      if (statusOf(e) !== 404) {
        error(e);
        await sleep(20);
      }
      continue;
    }
    const t1 = nowMs();
    if (c.receipts) port.postMessage({ type: 'got', id: p.processid, t: t1 } satisfies FromWorker);
    sample('assign', t1 - t0);
    ids.push(p.processid);
    try {
      // no abort signal: a process that was handed out is always closed, even while stopping
      await client.call('closesuccessfulmsg', { processid: p.processid, out: [] }, k);
      lastT = nowMs();
      sample('close', lastT - t1);
      done++;
    } catch (e) {
      error(e);
    }
  }
}

async function submitterRun(c: SubmitterRole): Promise<void> {
  let next = 0;
  const start = nowMs();
  const type = c.executortype ?? EXECUTOR_TYPE;
  const slot = async () => {
    while (!stopping && next < c.count) {
      if (paused) await paused;
      if (stopping) break;
      const i = next++;
      if (c.rate > 0) {
        const wait = start + (i * 1000) / c.rate - nowMs();
        if (wait > 0) await sleep(wait);
        if (stopping) break;
      }
      const t0 = nowMs();
      try {
        const p = await client.call<{ processid: string }>('submitfuncspecmsg', { spec: benchSpec(c.colonyname, c.firstIndex + i, type) }, c.key);
        lastT = nowMs();
        if (c.receipts) port.postMessage({ type: 'sub', id: p.processid, t: lastT } satisfies FromWorker);
        sample('submit', lastT - t0);
        ids.push(p.processid);
        done++;
      } catch (e) {
        error(e);
      }
    }
  };
  await Promise.all(Array.from({ length: c.inflight }, slot));
}

const readerListMsg = (c: ReaderRole) => ({ colonyname: c.colonyname, count: c.listCount, state: c.listState, executortype: '', label: '', initiator: '' });

async function readerRun(c: ReaderRole): Promise<void> {
  const name = c.op === 'get' ? 'getprocess' : 'getprocesses';
  // A reader repeats the same few requests: each is signed once and its bytes resent (RFC 6979
  // signatures are deterministic, so the server receives what signing anew would produce).
  const getBodies: string[] = [];
  const getBody = (k: number) => (getBodies[k] ??= client.sign('getprocessmsg', { processid: c.ids[k] }, c.key));
  const listBody = c.op === 'get' ? '' : client.sign('getprocessesmsg', readerListMsg(c), c.key);
  const slot = async (s: number) => {
    let i = s * 7919;
    while (!stopping) {
      const t0 = nowMs();
      try {
        await client.send(c.op === 'get' ? getBody(i++ % c.ids.length) : listBody);
        lastT = nowMs();
        sample(name, lastT - t0);
        done++;
      } catch (e) {
        error(e);
        await sleep(5);
      }
    }
  };
  await Promise.all(Array.from({ length: c.inflight }, (_, s) => slot(s)));
}

async function run(): Promise<void> {
  if (cfg.role === 'executor') await Promise.all(cfg.executors.map((k) => executorLoop(cfg, k)));
  else if (cfg.role === 'submitter') await submitterRun(cfg);
  else await readerRun(cfg);
}

let started = false;
port.on('message', (m: ToWorker) => {
  if (m.type === 'start' && !started) {
    started = true;
    const timer = setInterval(flush, 50);
    void run()
      .then(() => stopped)
      .then(() => {
        clearInterval(timer);
        flush();
        port.postMessage({ type: 'done', role: cfg.role, ids } satisfies FromWorker);
        return client.close();
      })
      .finally(() => port.close());
  } else if (m.type === 'pause') {
    paused ??= new Promise<void>((r) => (resume = r));
  } else if (m.type === 'resume') {
    paused = null;
    resume();
  } else if (m.type === 'stop') {
    paused = null;
    resume();
    if (!started) {
      port.postMessage({ type: 'done', role: cfg.role, ids } satisfies FromWorker);
      void client.close().finally(() => port.close());
      return;
    }
    stopping = true;
    ac.abort();
    onStop();
  }
});

/**
 * Warms this thread up before it reports ready, i.e. outside the measured window. A fresh thread
 * starts with cold code (interpreted at first, then compiled by V8 on background threads): left
 * alone, that costs the client about as much CPU during the first few thousand calls of a run as
 * the calls themselves. The warm-up signs bodies of the thread's own message types (not sent)
 * and sends the target `versionmsg` (unauthenticated, no database work) through the same client,
 * so that the same code, connections and reply headers are exercised, `inflight` at a time (which
 * also opens the connections the run will use). Nothing is created or changed on the server.
 */
async function warmUp(requests: number, inflight: number): Promise<void> {
  const version = client.sign('versionmsg', {}, { prv: '', id: '' });
  const send = async (signal?: AbortSignal): Promise<void> => {
    try {
      await client.send(version, signal);
    } catch (e) {
      if (statusOf(e) === undefined) throw e; // transport error: give up, the run will report it
    }
  };
  let i = 0;
  const loop = async (): Promise<void> => {
    while (i < requests) {
      const n = i++;
      if (cfg.role === 'executor') {
        const k = cfg.executors[n % cfg.executors.length];
        client.sign('assignprocessmsg', assignMsg(cfg), k);
        await send(ac.signal);
        client.sign('closesuccessfulmsg', { processid: n.toString(16).padStart(64, '0'), out: [] }, k);
        i++; // two requests per turn
      } else if (cfg.role === 'submitter') {
        client.sign('submitfuncspecmsg', { spec: benchSpec(cfg.colonyname, n, cfg.executortype ?? EXECUTOR_TYPE) }, cfg.key);
      } else if (cfg.op === 'get') {
        client.sign('getprocessmsg', { processid: cfg.ids[n % cfg.ids.length] ?? '' }, cfg.key);
      } else {
        client.sign('getprocessesmsg', readerListMsg(cfg), cfg.key);
      }
      await send();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, inflight) }, loop)).catch(() => undefined);
}

/** Requests per thread; 2 000 brings the client's hot code to V8's optimising tier (measured). */
const WARMUP_REQUESTS = 2000;
await warmUp(cfg.warmup ?? WARMUP_REQUESTS, cfg.role === 'executor' ? cfg.executors.length : cfg.inflight);
port.postMessage({ type: 'ready' } satisfies FromWorker);
