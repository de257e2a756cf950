// reads: getprocessmsg and getprocessesmsg at C requests in flight, each for a fixed duration,
// over a colony holding `processes` WAITING processes.
import { nowMs } from '../lib/client.js';
import { Lifecycle } from '../lib/lifecycle.js';
import { WorkerPool, split } from '../lib/pool.js';
import { cpuShare, cpuSnapshot } from '../lib/resources.js';
import { addCpu, addLatency, type RunResult } from '../lib/result.js';
import { createColony, type Colony } from '../lib/setup.js';
import { round } from '../lib/stats.js';
import type { Target } from '../lib/target.js';
import type { CheckResult } from '../lib/verify.js';

export interface ReadsParams {
  processes: number;
  inflight: number;
  threads: number;
  seconds: number;
  /** `count` of getprocessesmsg */
  listCount: number;
}

export async function runReads(t: Target, p: ReadsParams): Promise<RunResult> {
  const colony = await createColony(t.address, t.serverKey, 0, 'reads');
  // fill: WAITING processes (nobody assigns them)
  const fill = await Lifecycle.start(t, colony, {
    processes: p.processes,
    inflight: 16,
    submitThreads: 1,
    executorThreads: 1,
    assignTimeout: 10,
    rate: 0,
    receipts: false,
    parkMs: 0,
  });
  await fill.pool.waitFor('submitter', p.processes);
  const { submitted: ids } = await fill.finish();
  const problems: string[] = [];
  const notes: string[] = [];
  if (ids.length !== p.processes) problems.push(`fill: ${ids.length} of ${p.processes} submits succeeded`);

  const m: Record<string, number> = {};
  for (const op of ['get', 'list'] as const) {
    const name = op === 'get' ? 'getprocess' : 'getprocesses';
    const r = await readPhase(t, colony, p, op, ids);
    m[`${name}_per_s`] = round(r.perS, 1);
    addLatency(m, name, r.pool.lat.get(name)?.summary());
    const cpu: Record<string, number> = {};
    addCpu(cpu, r.cpu, { n: r.calls, unit: 'call' });
    for (const [k, v] of Object.entries(cpu)) m[`${name}_${k}`] = v;
    if (r.pool.errors) problems.push(`${name}: ${r.pool.errors} calls failed (${r.pool.errorSamples.join('; ')})`);
  }
  const check: CheckResult = { ok: problems.length === 0, problems, notes, submitted: ids.length, received: 0, duplicates: 0, lost: 0 };
  return { metrics: m, check };
}

async function readPhase(t: Target, colony: Colony, p: ReadsParams, op: 'get' | 'list', ids: string[]) {
  const pool = new WorkerPool();
  for (const inflight of split(p.inflight, Math.max(1, Math.min(p.threads, p.inflight)))) {
    await pool.spawn({
      role: 'reader',
      target: t.address,
      colonyname: colony.name,
      key: colony.submitter,
      op,
      ids,
      inflight,
      listCount: p.listCount,
      listState: 0,
    });
  }
  const cpu0 = cpuSnapshot(t.serverPid);
  const t0 = nowMs();
  pool.start();
  await new Promise((r) => setTimeout(r, p.seconds * 1000));
  const cpu1 = cpuSnapshot(t.serverPid);
  const calls = pool.done('reader'); // completed inside the CPU window
  await pool.stop();
  const perS = pool.done('reader') / ((pool.lastTBy.reader - t0) / 1000);
  return { pool, perS, calls, cpu: cpuShare(cpu0, cpu1) };
}
