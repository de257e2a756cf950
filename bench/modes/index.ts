// One measured run of a mode against a target, with per-mode defaults.
import { availableParallelism } from 'node:os';
import type { RunResult } from '../lib/result.js';
import type { Target } from '../lib/target.js';
import { runReads } from './reads.js';
import { runScale } from './scale.js';
import { runSoak } from './soak.js';
import { runThroughput } from './throughput.js';
import { runWakeup } from './wakeup.js';

export const MODES = ['throughput', 'wakeup', 'reads', 'scale', 'soak'] as const;
export type Mode = (typeof MODES)[number];

export interface ModeOptions {
  processes?: number;
  /** one value, or several for a throughput sweep (e.g. 1,4,16) */
  executors?: number[];
  inflight?: number;
  submitThreads?: number;
  executorThreads?: number;
  threads?: number;
  rate?: number;
  seconds?: number;
  interval?: number;
  levels?: number[];
  listCount?: number;
  assignTimeout?: number;
  /** soak: submitting pauses while more processes than this wait */
  maxBacklog?: number;
  /** scale: two-step workflows run through per level */
  workflows?: number;
  log?: (line: string) => void;
}

/** The options a mode actually uses, defaults filled in (printed and put in the JSON line). */
export function resolveOptions(mode: Mode, o: ModeOptions): Required<Omit<ModeOptions, 'log'>> {
  const d = {
    throughput: { processes: 10_000, executors: [16], inflight: 32, rate: 0, seconds: 0 },
    wakeup: { processes: 2_000, executors: [4], inflight: 4, rate: 200, seconds: 0 },
    reads: { processes: 1_000, executors: [0], inflight: 32, rate: 0, seconds: 10 },
    scale: { processes: 2_000, executors: [4], inflight: 4, rate: 0, seconds: 0 },
    soak: { processes: 0, executors: [4], inflight: 16, rate: 0, seconds: 600 },
  }[mode];
  const executors = o.executors ?? d.executors;
  return {
    processes: o.processes ?? d.processes,
    executors,
    inflight: o.inflight ?? d.inflight,
    submitThreads: o.submitThreads ?? 1,
    // Executors are async loops; one thread per core carries them. A thread per executor made
    // the client the bottleneck (17 isolates on 2 cores: 2.4 ms client CPU per process vs 1.3).
    executorThreads: o.executorThreads ?? Math.max(1, Math.min(availableParallelism(), Math.max(...executors))),
    threads: o.threads ?? 2,
    rate: o.rate ?? d.rate,
    seconds: o.seconds ?? d.seconds,
    interval: o.interval ?? 30,
    levels: o.levels ?? [0, 10_000, 100_000, 1_000_000],
    listCount: o.listCount ?? 20,
    assignTimeout: o.assignTimeout ?? 10,
    maxBacklog: o.maxBacklog ?? 1000,
    workflows: o.workflows ?? 20,
  };
}

export async function runMode(mode: Mode, t: Target, opts: ModeOptions): Promise<RunResult> {
  const o = resolveOptions(mode, opts);
  const log = opts.log ?? (() => undefined);
  const threadsFor = (k: number) => Math.max(1, Math.min(o.executorThreads, k));
  switch (mode) {
    case 'throughput': {
      if (o.executors.length === 1) {
        const k = o.executors[0];
        return runThroughput(t, { ...o, executors: k, executorThreads: threadsFor(k) });
      }
      // a sweep: one lifecycle per executor count, figures suffixed @k<K>
      const out: RunResult = { metrics: {}, check: { ok: true, problems: [], notes: [], submitted: 0, received: 0, duplicates: 0, lost: 0 } };
      for (const k of o.executors) {
        const r = await runThroughput(t, { ...o, executors: k, executorThreads: threadsFor(k) });
        log(`  k=${k}: ${r.metrics.processes_per_s} processes/s, check ${r.check?.ok ? 'ok' : 'FAILED'}`);
        for (const [m, v] of Object.entries(r.metrics)) out.metrics[`${m}@k${k}`] = v;
        out.check!.problems.push(...(r.check?.problems ?? []).map((p) => `k=${k}: ${p}`));
        out.check!.notes.push(...(r.check?.notes ?? []).filter((n) => !out.check!.notes.includes(n)));
        out.check!.submitted += r.check?.submitted ?? 0;
        out.check!.received += r.check?.received ?? 0;
      }
      out.check!.ok = out.check!.problems.length === 0;
      return out;
    }
    case 'wakeup':
      return runWakeup(t, { processes: o.processes, executors: o.executors[0], rate: o.rate, executorThreads: threadsFor(o.executors[0]) });
    case 'reads':
      return runReads(t, { processes: o.processes, inflight: o.inflight, threads: o.threads, seconds: o.seconds, listCount: o.listCount });
    case 'scale':
      return runScale(t, { levels: o.levels, processes: o.processes, executors: o.executors[0], inflight: o.inflight, executorThreads: threadsFor(o.executors[0]), workflows: o.workflows, log });
    case 'soak':
      return runSoak(t, {
        seconds: o.seconds,
        intervalS: o.interval,
        executors: o.executors[0],
        inflight: o.inflight,
        submitThreads: o.submitThreads,
        executorThreads: threadsFor(o.executors[0]),
        rate: o.rate,
        maxBacklog: o.maxBacklog,
        log,
      });
  }
}

/** A short unreported run that warms the server's JIT before the measured runs. */
export async function warmup(mode: Mode, t: Target, processes: number, opts: ModeOptions): Promise<void> {
  if (processes <= 0 || mode === 'soak') return;
  const o = resolveOptions(mode, opts);
  if (mode === 'reads') {
    await runReads(t, { processes: Math.min(processes, o.processes), inflight: o.inflight, threads: o.threads, seconds: 1, listCount: o.listCount });
    return;
  }
  const k = Math.max(...o.executors);
  await runThroughput(t, { ...o, processes, executors: k, executorThreads: Math.max(1, Math.min(o.executorThreads, k)) });
}
