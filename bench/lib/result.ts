// What one measured run hands back to the runner.
import type { CheckResult } from './verify.js';
import type { CpuShare } from './resources.js';
import { round, type LatencySummary } from './stats.js';

export interface RunResult {
  /** flat figures; medians are taken per key over --runs */
  metrics: Record<string, number>;
  check?: CheckResult;
  /** extra lines for people (soak intervals, scale levels) */
  lines?: string[];
}

/** Adds p50/p90/p99 of a latency summary as `<name>_p50_ms`, ... */
export function addLatency(m: Record<string, number>, name: string, s: LatencySummary | undefined): void {
  if (!s || s.n === 0) return;
  m[`${name}_p50_ms`] = round(s.p50, 3);
  m[`${name}_p90_ms`] = round(s.p90, 3);
  m[`${name}_p99_ms`] = round(s.p99, 3);
}

/**
 * CPU shares in % of one core; with `ops` (operations done in the window) also CPU ms per
 * operation, which stays meaningful on a busy machine where the shares mostly show starvation.
 */
export function addCpu(m: Record<string, number>, c: CpuShare, ops?: { n: number; unit: string }): void {
  m.cpu_client_pct = round(c.client, 1);
  m.cpu_server_pct = round(c.server, 1);
  m.cpu_postgres_pct = round(c.postgres, 1);
  m.cpu_postgres_others_pct = round(c.postgresOthers, 1);
  if (ops && ops.n > 0) {
    const per = (pct: number) => round(((pct / 100) * c.wallS * 1000) / ops.n, 3);
    m[`client_cpu_ms_per_${ops.unit}`] = per(c.client);
    m[`server_cpu_ms_per_${ops.unit}`] = per(c.server);
    m[`postgres_cpu_ms_per_${ops.unit}`] = per(c.postgres);
  }
}
