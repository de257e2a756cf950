// wakeup: executors parked in a long-poll assign, processes submitted at a fixed rate.
// Latency = from the moment the submitter has the submit reply to the moment an executor has
// the assign reply for that process (both on CLOCK_MONOTONIC, across threads).
import { Lifecycle } from '../lib/lifecycle.js';
import { cpuShare, cpuSnapshot } from '../lib/resources.js';
import { addCpu, addLatency, type RunResult } from '../lib/result.js';
import { createColony } from '../lib/setup.js';
import { round, Samples } from '../lib/stats.js';
import type { Target } from '../lib/target.js';

export interface WakeupParams {
  processes: number;
  executors: number;
  /** submits per second */
  rate: number;
  executorThreads: number;
}

export async function runWakeup(t: Target, p: WakeupParams): Promise<RunResult> {
  const colony = await createColony(t.address, t.serverKey, p.executors, 'wake');
  const pending = new Map<string, { sub?: number; got?: number }>();
  const wake = new Samples();
  let early = 0;
  let cpu0 = cpuSnapshot(t.serverPid);
  const l = await Lifecycle.start(
    t,
    colony,
    {
      processes: p.processes,
      inflight: 4,
      submitThreads: 1,
      executorThreads: p.executorThreads,
      assignTimeout: 60,
      rate: p.rate,
      receipts: true,
      parkMs: 500, // let every executor reach its long poll first
    },
    (lc) => {
      lc.pool.onReceipt = (kind, id, tMs) => {
        const e = pending.get(id) ?? {};
        e[kind] = tMs;
        if (e.sub !== undefined && e.got !== undefined) {
          const d = e.got - e.sub;
          if (d < 0) early++; // the executor had it before the submitter had its reply
          wake.push(Math.max(0, d));
          pending.delete(id);
        } else pending.set(id, e);
      };
      cpu0 = cpuSnapshot(t.serverPid);
    },
  );
  const complete = await l.waitCompleted(p.processes);
  const cpu1 = cpuSnapshot(t.serverPid);
  const { received, check } = await l.finishAndCheck(t, colony, p.processes, complete);
  if (early) check.notes.push(`${early} processes reached an executor before the submit reply reached the submitter (counted as 0 ms)`);
  const m: Record<string, number> = {};
  const s = wake.summary();
  addLatency(m, 'wake', s);
  m.wake_max_ms = round(s.max, 3);
  m.wake_samples = s.n;
  addLatency(m, 'submit', l.pool.lat.get('submit')?.summary());
  addCpu(m, cpuShare(cpu0, cpu1), { n: received.length, unit: 'process' });
  return { metrics: m, check };
}
