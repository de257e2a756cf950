// throughput: N processes through submit → assign → close with K executors, C submits in flight.
// Figure: processes/s from the first submit to the last close.
import { Lifecycle } from '../lib/lifecycle.js';
import { cpuShare, cpuSnapshot, rssMb } from '../lib/resources.js';
import { addCpu, addLatency, type RunResult } from '../lib/result.js';
import { createColony } from '../lib/setup.js';
import { round } from '../lib/stats.js';
import type { Target } from '../lib/target.js';
import { addWal, walSnapshot } from '../lib/wal.js';

export interface ThroughputParams {
  processes: number;
  executors: number;
  inflight: number;
  submitThreads: number;
  executorThreads: number;
  assignTimeout: number;
}

export async function runThroughput(t: Target, p: ThroughputParams): Promise<RunResult> {
  const colony = await createColony(t.address, t.serverKey, p.executors, 'tp');
  const wal0 = await walSnapshot(t.db);
  let cpu0 = cpuSnapshot(t.serverPid);
  const l = await Lifecycle.start(t, colony, { ...p, rate: 0, receipts: false, parkMs: 0, maxBacklog: 0 }, () => (cpu0 = cpuSnapshot(t.serverPid)));
  const complete = await l.waitCompleted(p.processes);
  const cpu1 = cpuSnapshot(t.serverPid);
  const wal1 = await walSnapshot(t.db);
  const end = l.lastClose();
  const rss = t.serverPid ? rssMb(t.serverPid) : NaN;
  const { submitted, received, check } = await l.finishAndCheck(t, colony, p.processes, complete);
  const wallS = (end - l.t0) / 1000;
  const m: Record<string, number> = {
    processes_per_s: round(received.length / wallS, 1),
    submits_per_s: round(submitted.length / ((l.pool.lastTBy.submitter - l.t0) / 1000), 1),
    wall_s: round(wallS, 3),
  };
  addLatency(m, 'submit', l.pool.lat.get('submit')?.summary());
  addLatency(m, 'assign', l.pool.lat.get('assign')?.summary());
  addLatency(m, 'close', l.pool.lat.get('close')?.summary());
  addCpu(m, cpuShare(cpu0, cpu1), { n: received.length, unit: 'process' });
  addWal(m, wal0, wal1, { n: received.length, unit: 'process' });
  m.server_rss_mb = round(rss, 1);
  return { metrics: m, check };
}
