// Live counts for getstatisticsmsg (server) and getcolonystatsmsg (one colony), OBJECTS §16.
// Server scope fills every counter (DECISIONS.md); `executors` there excludes unregistered
// ones as in Go, while the colony scope counts all of the colony's executors.
import type { Statistics } from '../protocol/objects.js';
import type { Queryable } from './db.js';

const STATES = ['waiting', 'running', 'successful', 'failed', 'cancelled'] as const;

async function countByState(q: Queryable, table: string, colonyname: string | null): Promise<number[]> {
  const rows = await q.query<{ state: number; n: number }>(
    `SELECT state, count(*)::int AS n FROM ${table} WHERE $1::text IS NULL OR colonyname = $1 GROUP BY state`,
    [colonyname],
  );
  const out = [0, 0, 0, 0, 0];
  for (const r of rows) if (r.state >= 0 && r.state < 5) out[r.state] = r.n;
  return out;
}

/** colonyname null = the whole server. */
export async function statistics(q: Queryable, colonyname: string | null): Promise<Statistics> {
  const [counts] = await q.query<{ colonies: number; executors: number; active: number; unregistered: number }>(
    `SELECT (SELECT count(*)::int FROM colonies WHERE $1::text IS NULL OR name = $1) AS colonies,
            count(*) FILTER (WHERE $1::text IS NOT NULL OR state <> 3)::int AS executors,
            count(*) FILTER (WHERE state = 1)::int AS active,
            count(*) FILTER (WHERE state = 3)::int AS unregistered
       FROM executors WHERE $1::text IS NULL OR colonyname = $1`,
    [colonyname],
  );
  const processes = await countByState(q, 'processes', colonyname);
  const workflows = await countByState(q, 'process_graphs', colonyname);
  const stats: Record<string, number> = {
    colonies: counts.colonies,
    executors: counts.executors,
    activeexecutors: counts.active,
    unregisteredexecutors: counts.unregistered,
  };
  STATES.forEach((s, i) => (stats[`${s}processes`] = processes[i]));
  STATES.forEach((s, i) => (stats[`${s}workflows`] = workflows[i]));
  return stats as Statistics;
}
