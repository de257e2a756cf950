// Main-thread side of the load-generator threads: spawns them, aggregates their progress
// (counts, latency samples, errors) and collects their final id lists.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FromWorker, WorkerConfig } from '../worker.js';
import { benchModule, isTs } from './paths.js';
import { Samples } from './stats.js';

interface Handle {
  worker: Worker;
  role: string;
  done: Promise<string[]>;
}

export class WorkerPool {
  private handles: Handle[] = [];
  /** latency samples per metric over the whole run */
  readonly lat = new Map<string, Samples>();
  /** latency samples since the last takeInterval() (soak) */
  private intervalLat = new Map<string, Samples>();
  readonly doneBy: Record<string, number> = {};
  /** monotonic ms of the latest completed operation per role */
  readonly lastTBy: Record<string, number> = {};
  errors = 0;
  readonly errorSamples: string[] = [];
  /** wake-up receipts: 'sub' (submit reply) and 'got' (executor received) */
  onReceipt?: (kind: 'got' | 'sub', id: string, t: number) => void;
  private waiters: { role: string; n: number; resolve: () => void }[] = [];

  async spawn(cfg: WorkerConfig): Promise<void> {
    const worker = newWorker(cfg);
    let ready!: () => void;
    let failed!: (e: Error) => void;
    const isReady = new Promise<void>((res, rej) => ((ready = res), (failed = rej)));
    let finish!: (ids: string[]) => void;
    const done = new Promise<string[]>((r) => (finish = r));
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') ready();
      else if (m.type === 'progress') this.progress(m);
      else if (m.type === 'got' || m.type === 'sub') this.onReceipt?.(m.type, m.id, m.t);
      else if (m.type === 'done') finish(m.ids);
    });
    worker.on('error', (e) => {
      failed(e);
      this.errors++;
      this.errorSamples.push(`worker ${cfg.role}: ${e.message}`);
      finish([]);
    });
    worker.on('exit', () => finish([]));
    this.handles.push({ worker, role: cfg.role, done });
    await isReady;
  }

  private progress(m: Extract<FromWorker, { type: 'progress' }>): void {
    this.doneBy[m.role] = (this.doneBy[m.role] ?? 0) + m.done;
    if (m.lastT > (this.lastTBy[m.role] ?? 0)) this.lastTBy[m.role] = m.lastT;
    this.errors += m.errors;
    for (const e of m.errorSamples) if (this.errorSamples.length < 10) this.errorSamples.push(e);
    for (const [k, v] of Object.entries(m.lat)) {
      for (const map of [this.lat, this.intervalLat]) {
        let s = map.get(k);
        if (!s) map.set(k, (s = new Samples()));
        s.pushAll(v);
      }
    }
    this.onProgress?.();
    const n = this.doneBy[m.role];
    this.waiters = this.waiters.filter((w) => {
      if (w.role === m.role && n >= w.n) {
        w.resolve();
        return false;
      }
      return true;
    });
  }

  done(role: string): number {
    return this.doneBy[role] ?? 0;
  }

  /** Resolves when the role's completed count reaches n. */
  waitFor(role: string, n: number): Promise<void> {
    if (this.done(role) >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ role, n, resolve }));
  }

  /** Starts the threads of a role (all when omitted). */
  start(role?: string): void {
    for (const h of this.handles) if (role === undefined || h.role === role) h.worker.postMessage({ type: 'start' });
  }

  /** Pauses or resumes the submitters (backlog control). */
  send(role: string, type: 'pause' | 'resume'): void {
    for (const h of this.handles) if (h.role === role) h.worker.postMessage({ type });
  }

  /** Called after every progress message (after the counts were updated). */
  onProgress?: () => void;

  /** Stops the threads of a role (all when omitted); resolves with the ids they recorded. */
  async stop(role?: string): Promise<string[]> {
    const hs = this.handles.filter((h) => role === undefined || h.role === role);
    for (const h of hs) h.worker.postMessage({ type: 'stop' });
    const lists = await Promise.all(hs.map((h) => h.done));
    this.handles = this.handles.filter((h) => !hs.includes(h));
    await Promise.all(hs.map((h) => h.worker.terminate()));
    return lists.flat();
  }

  /** Latency samples since the previous call (soak intervals). */
  takeInterval(): Map<string, Samples> {
    const out = this.intervalLat;
    this.intervalLat = new Map();
    return out;
  }

  async terminate(): Promise<void> {
    await Promise.all(this.handles.map((h) => h.worker.terminate()));
    this.handles = [];
  }
}

/** Splits n items into `parts` near-equal counts. */
export function split(n: number, parts: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < parts; i++) out.push(Math.floor(n / parts) + (i < n % parts ? 1 : 0));
  return out.filter((x) => x > 0);
}

/** A load thread; from TypeScript source (tests) it registers tsx inside the thread first. */
function newWorker(cfg: WorkerConfig): Worker {
  if (!isTs) return new Worker(benchModule('worker'), { workerData: cfg });
  // the ESM build of tsx's register API (require.resolve would pick the CommonJS one)
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href;
  const entry = pathToFileURL(benchModule('worker')).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData: cfg });
}
