// Retention (SEMANTICS §19): with COLONIES_RETENTION=true the leader deletes, every minute,
// successful processes and workflows submitted more than COLONIES_RETENTION_POLICY seconds
// ago (with their attributes) and every log entry older than that. Deletes run in bounded
// batches so a large backlog never becomes one huge transaction.
import { nowNs } from '../protocol/time.js';
import type { Db } from '../store/db.js';
import { deleteLogsBefore } from '../store/logs.js';
import { deleteGraphs, successfulGraphsBefore } from '../store/workflows.js';
import { loop } from './loops.js';

const PERIOD_MS = 60_000;
const BATCH = 1000;
const SECOND_NS = 1_000_000_000n;

export interface RetentionResult {
  processes: number;
  graphs: number;
  logs: number;
}

async function deleteSuccessfulProcessesBefore(db: Db, cutoffNs: bigint): Promise<number> {
  // Workflow members go with their graph (below): removing them one by one would break graphs.
  const rows = await db.query<{ n: number }>(
    `WITH d AS (DELETE FROM processes WHERE processid IN (
                  SELECT processid FROM processes WHERE state = 2 AND processgraphid = '' AND submissiontime < $1 LIMIT $2)
                RETURNING processid),
          a AS (DELETE FROM attributes WHERE targetid IN (SELECT processid FROM d))
     SELECT count(*)::int AS n FROM d`,
    [cutoffNs, BATCH],
  );
  return rows[0].n;
}

/** Applies the policy once (`policySeconds` back from `now`). */
export async function applyRetention(db: Db, policySeconds: number, now: bigint = nowNs()): Promise<RetentionResult> {
  const cutoff = now - BigInt(Math.floor(policySeconds)) * SECOND_NS;
  const result: RetentionResult = { processes: 0, graphs: 0, logs: 0 };
  for (;;) {
    const n = await deleteSuccessfulProcessesBefore(db, cutoff);
    result.processes += n;
    if (n < BATCH) break;
  }
  for (;;) {
    const ids = await successfulGraphsBefore(db, cutoff, BATCH);
    if (ids.length > 0) await db.tx((q) => deleteGraphs(q, ids));
    result.graphs += ids.length;
    if (ids.length < BATCH) break;
  }
  result.logs = await deleteLogsBefore(db, cutoff);
  return result;
}

loop({
  name: 'retention',
  periodMs: () => PERIOD_MS,
  leaderOnly: true,
  run: async (srv) => {
    if (!srv.config.retention) return;
    const r = await applyRetention(srv.db, srv.config.retentionPolicy);
    if (r.processes + r.graphs + r.logs > 0) srv.log.info(r, 'retention applied');
  },
});
