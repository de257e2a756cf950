// What one measured run hands back to the runner.
import { availableParallelism } from 'node:os';
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
 *
 * From those, two ceilings for this machine (`cores`, default: this machine's): `cpu_cap_per_s`,
 * the rate at which client, server and PostgreSQL together would keep every core busy at this
 * CPU per operation, and `cpu_cap_without_server_per_s`, the same without the server's share:
 * what even a server that cost nothing could not exceed while client and database cost this much
 * on the same cores. Left out when a party's CPU is unknown (a remote target).
 */
export function addCpu(m: Record<string, number>, c: CpuShare, ops?: { n: number; unit: string }, cores = availableParallelism()): void {
  m.cpu_client_pct = round(c.client, 1);
  m.cpu_server_pct = round(c.server, 1);
  m.cpu_postgres_pct = round(c.postgres, 1);
  m.cpu_postgres_others_pct = round(c.postgresOthers, 1);
  if (ops && ops.n > 0) {
    const ms = (pct: number) => ((pct / 100) * c.wallS * 1000) / ops.n;
    const [client, server, postgres] = [ms(c.client), ms(c.server), ms(c.postgres)];
    m[`client_cpu_ms_per_${ops.unit}`] = round(client, 3);
    m[`server_cpu_ms_per_${ops.unit}`] = round(server, 3);
    m[`postgres_cpu_ms_per_${ops.unit}`] = round(postgres, 3);
    const cap = (msPerOp: number) => (Number.isFinite(msPerOp) && msPerOp > 0 ? round((cores * 1000) / msPerOp, 0) : undefined);
    const all = cap(client + server + postgres);
    const withoutServer = cap(client + postgres);
    if (all !== undefined && withoutServer !== undefined) {
      m.cpu_cap_per_s = all;
      m.cpu_cap_without_server_per_s = withoutServer;
    }
  }
}
