// The work a user pays for: submit → assign → closesuccessful, with executors and submitters
// in worker threads. Shared by the throughput, wakeup, scale and soak modes.
import { nowMs } from './client.js';
import { WorkerPool, split } from './pool.js';
import type { Colony } from './setup.js';
import { EXECUTOR_TYPE } from './setup.js';
import type { Target } from './target.js';
import type { WorkerConfig } from '../worker.js';
import { checkRun, type CheckResult } from './verify.js';

export interface LoadShape {
  /** processes to submit (Infinity: until stopSubmitting()) */
  processes: number;
  /** submit requests in flight (over all submit threads) */
  inflight: number;
  submitThreads: number;
  /** threads the executors are spread over (each executor is its own assign loop) */
  executorThreads: number;
  /** long-poll seconds */
  assignTimeout: number;
  /** processes per second over all submitters; 0 = as fast as possible */
  rate: number;
  /** per-process receipts for wake-up latency */
  receipts: boolean;
  /** start submitting only after the executors are parked in assign (ms to wait) */
  parkMs: number;
  executortype?: string;
  /** pause the submitters while more than this many processes wait (0 = no limit) */
  maxBacklog?: number;
  /** warm-up requests per thread before it is ready (bench/worker.ts; default there) */
  warmup?: number;
}

/** A running load: executors already started, submitters started after parkMs. */
export class Lifecycle {
  readonly pool = new WorkerPool();
  /** monotonic ms when submitting began */
  t0 = 0;

  private constructor(
    readonly target: Target,
    readonly colony: Colony,
    readonly shape: LoadShape,
  ) {}

  static async start(target: Target, colony: Colony, shape: LoadShape, beforeStart?: (l: Lifecycle) => void): Promise<Lifecycle> {
    const l = new Lifecycle(target, colony, shape);
    // threads start (and warm up, see bench/worker.ts) in parallel
    const spawned: Promise<void>[] = [];
    const execGroups = splitList(colony.executors, Math.max(1, Math.min(shape.executorThreads, colony.executors.length)));
    for (const executors of execGroups) {
      const executor: WorkerConfig = {
        role: 'executor',
        target: target.address,
        colonyname: colony.name,
        executors,
        assignTimeout: shape.assignTimeout,
        receipts: shape.receipts,
        warmup: shape.warmup,
      };
      spawned.push(l.pool.spawn(executor));
    }
    const threads = Math.max(1, Math.min(shape.submitThreads, shape.inflight));
    const inflights = split(shape.inflight, threads);
    const counts = Number.isFinite(shape.processes) ? split(shape.processes, inflights.length) : inflights.map(() => Infinity);
    let first = 0;
    for (let i = 0; i < inflights.length && i < counts.length; i++) {
      const submitter: WorkerConfig = {
        role: 'submitter',
        target: target.address,
        colonyname: colony.name,
        key: colony.submitter,
        count: counts[i],
        inflight: inflights[i],
        rate: shape.rate > 0 ? shape.rate / inflights.length : 0,
        firstIndex: first,
        executortype: shape.executortype ?? EXECUTOR_TYPE,
        receipts: shape.receipts,
        warmup: shape.warmup,
      };
      spawned.push(l.pool.spawn(submitter));
      first += Number.isFinite(counts[i]) ? counts[i] : 1e9;
    }
    await Promise.all(spawned);
    const cap = shape.maxBacklog ?? 0;
    if (cap > 0) {
      let paused = false;
      l.pool.onProgress = () => {
        const backlog = l.submitted() - l.completed();
        if (!paused && backlog > cap) l.pool.send('submitter', 'pause');
        else if (paused && backlog < cap / 2) l.pool.send('submitter', 'resume');
        else return;
        paused = !paused;
      };
    }
    beforeStart?.(l);
    l.pool.start('executor');
    if (shape.parkMs > 0) await new Promise((r) => setTimeout(r, shape.parkMs));
    l.t0 = nowMs();
    l.pool.start('submitter');
    return l;
  }

  submitted(): number {
    return this.pool.done('submitter');
  }

  completed(): number {
    return this.pool.done('executor');
  }

  /**
   * Waits until `n` processes were closed. Gives up when nothing completes for `stallMs`
   * (a lost process would otherwise hang the run); returns false then.
   */
  async waitCompleted(n: number, stallMs = 15_000): Promise<boolean> {
    let last = this.completed();
    let lastChange = Date.now();
    for (;;) {
      const reached = await Promise.race([this.pool.waitFor('executor', n).then(() => true), sleep(200).then(() => false)]);
      if (reached) return true;
      const now = this.completed();
      if (now !== last || this.submitted() !== this.submittedAtCheck) {
        last = now;
        this.submittedAtCheck = this.submitted();
        lastChange = Date.now();
      } else if (Date.now() - lastChange > stallMs) return false;
    }
  }
  private submittedAtCheck = 0;

  /** Stops the submitters; resolves with the ids they got back. */
  stopSubmitting(): Promise<string[]> {
    return this.pool.stop('submitter');
  }

  /** Stops everything; resolves with submitted ids and the ids the executors received. */
  async finish(): Promise<{ submitted: string[]; received: string[] }> {
    const submitted = await this.pool.stop('submitter');
    const received = await this.pool.stop('executor');
    await this.pool.terminate();
    return { submitted, received };
  }

  /**
   * Stops everything and runs the correctness check: every submitted process received exactly
   * once, none lost or invented, no worker error, and the server's own view agrees.
   */
  async finishAndCheck(
    target: Target,
    colony: Colony,
    expected: number,
    complete: boolean,
  ): Promise<{ submitted: string[]; received: string[]; check: CheckResult }> {
    const { submitted, received } = await this.finish();
    const check = await checkRun({
      target: target.address,
      colonyname: colony.name,
      memberKey: colony.submitter,
      submitted,
      received,
      workerErrors: this.pool.errors,
      db: target.db,
    });
    if (!complete) check.problems.unshift(`run stalled: ${received.length} of ${expected} processes completed`);
    check.ok = check.problems.length === 0;
    for (const e of this.pool.errorSamples) check.notes.push(`error: ${e}`);
    return { submitted, received, check };
  }

  /** monotonic ms of the last close */
  lastClose(): number {
    return this.pool.lastTBy.executor ?? NaN;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function splitList<T>(xs: T[], parts: number): T[][] {
  const out: T[][] = Array.from({ length: parts }, () => []);
  xs.forEach((x, i) => out[i % parts].push(x));
  return out.filter((g) => g.length > 0);
}
