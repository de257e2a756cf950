// soak: the lifecycle load for a long time (default 10 min); every interval prints the server's
// RSS and CPU, PostgreSQL's CPU and the latencies of that interval. Memory should stay flat.
import { Lifecycle } from '../lib/lifecycle.js';
import { cpuShare, cpuSnapshot, rssMb } from '../lib/resources.js';
import { addCpu, addLatency, type RunResult } from '../lib/result.js';
import { createColony } from '../lib/setup.js';
import { round } from '../lib/stats.js';
import type { Target } from '../lib/target.js';
import { checkRun } from '../lib/verify.js';

export interface SoakParams {
  seconds: number;
  intervalS: number;
  executors: number;
  inflight: number;
  submitThreads: number;
  executorThreads: number;
  /** processes/s over all submitters, 0 = as fast as the executors keep up */
  rate: number;
  /** submitting pauses while more processes than this wait */
  maxBacklog: number;
  log: (line: string) => void;
}

export async function runSoak(t: Target, p: SoakParams): Promise<RunResult> {
  const colony = await createColony(t.address, t.serverKey, p.executors, 'soak');
  let cpuStart = cpuSnapshot(t.serverPid);
  const l = await Lifecycle.start(
    t,
    colony,
    { processes: Infinity, inflight: p.inflight, submitThreads: p.submitThreads, executorThreads: p.executorThreads, assignTimeout: 10, rate: p.rate, receipts: false, parkMs: 0, maxBacklog: p.maxBacklog },
    () => (cpuStart = cpuSnapshot(t.serverPid)),
  );
  const lines: string[] = [];
  const rss: number[] = [];
  const header = '   t_s   closed   per_s  submit_p50  submit_p99  assign_p99  close_p99  rss_mb  cpu_srv%  cpu_pg%  cpu_cli%';
  lines.push(header);
  p.log(header);
  let prevCpu = cpuStart;
  let prevDone = 0;
  const start = Date.now();
  const end = start + p.seconds * 1000;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, Math.min(p.intervalS * 1000, end - Date.now())));
    const cpu = cpuSnapshot(t.serverPid);
    const share = cpuShare(prevCpu, cpu);
    const done = l.completed();
    const lat = l.pool.takeInterval();
    const s = lat.get('submit')?.summary();
    const a = lat.get('assign')?.summary();
    const c = lat.get('close')?.summary();
    const r = t.serverPid ? rssMb(t.serverPid) : NaN;
    rss.push(r);
    const f = (v: number | undefined, w: number, d = 2) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(d)).padStart(w);
    const line =
      `${f((Date.now() - start) / 1000, 6, 0)} ${f(done, 8, 0)} ${f((done - prevDone) / share.wallS, 7, 0)} ${f(s?.p50, 11)} ${f(s?.p99, 11)}` +
      ` ${f(a?.p99, 11)} ${f(c?.p99, 10)} ${f(r, 7, 1)} ${f(share.server, 9, 0)} ${f(share.postgres, 8, 0)} ${f(share.client, 9, 0)}`;
    lines.push(line);
    p.log(line);
    prevCpu = cpu;
    prevDone = done;
  }
  // stop submitting, let the executors finish what was submitted, then check
  const submitted = await l.stopSubmitting();
  const complete = await l.waitCompleted(submitted.length);
  const cpuEnd = cpuSnapshot(t.serverPid);
  const { received } = await l.finish();
  const check = await checkRun({ target: t.address, colonyname: colony.name, memberKey: colony.submitter, submitted, received, workerErrors: l.pool.errors, db: t.db });
  if (!complete) check.problems.unshift(`drain stalled: ${received.length} of ${submitted.length} processes completed`);
  check.ok = check.problems.length === 0;
  for (const e of l.pool.errorSamples) check.notes.push(`error: ${e}`);
  const m: Record<string, number> = { processes: received.length, processes_per_s: round(received.length / cpuShare(cpuStart, cpuEnd).wallS, 1) };
  addLatency(m, 'submit', l.pool.lat.get('submit')?.summary());
  addLatency(m, 'assign', l.pool.lat.get('assign')?.summary());
  addLatency(m, 'close', l.pool.lat.get('close')?.summary());
  addCpu(m, cpuShare(cpuStart, cpuEnd), { n: received.length, unit: 'process' });
  const finite = rss.filter(Number.isFinite);
  if (finite.length) {
    m.rss_first_mb = round(finite[0], 1);
    m.rss_max_mb = round(Math.max(...finite), 1);
    m.rss_last_mb = round(finite[finite.length - 1], 1);
  }
  return { metrics: m, lines, check };
}
