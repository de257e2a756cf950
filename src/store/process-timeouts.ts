// Set-based SQL of the timeout loop (SEMANTICS §6, DECISIONS "maxexectime 0"): deadlines are
// compared in whole Unix seconds (now_s > deadline_s ⟺ deadline < floor(now_s) × 10⁹), at most
// BATCH rows per sweep, rows being changed by someone else are skipped until the next sweep.
import { EXEC_TIMEOUT_ERROR, WAIT_TIMEOUT_ERROR } from '../domain/process-state.js';
import type { Queryable } from './db.js';

const BATCH = 1000;

/** A process changed by a sweep (for events and graph hooks). */
export interface TimedOut {
  processid: string;
  colonyname: string;
  executortype: string;
  processgraphid: string;
  state: number;
  targeted: boolean;
}

const TIMED_OUT_COLUMNS = `processid, colonyname, executortype, processgraphid, state,
  (executornames IS NOT NULL OR locationname <> '' OR cpu > 0 OR mem > 0) AS targeted`;

// maxexectime ≤ 0 (0 = no limit here, -1 = no limit everywhere) never sets a deadline.
const EXEC_EXPIRED = `state = 1 AND maxexectime > 0 AND execdeadline > 0 AND execdeadline < $2`;
const RETRIES_LEFT = `(maxretries <= -1 OR retries < maxretries)`;

/** RUNNING processes past their deadline with no retries left → FAILED. */
export async function failExpiredRunning(q: Queryable, now: bigint, nowSecondNs: bigint): Promise<TimedOut[]> {
  return q.query<TimedOut>(
    `UPDATE processes SET state = 3, endtime = $1, errors = $3::jsonb
      WHERE processid IN (SELECT processid FROM processes WHERE ${EXEC_EXPIRED} AND NOT ${RETRIES_LEFT}
                           ORDER BY execdeadline LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
      RETURNING ${TIMED_OUT_COLUMNS}`,
    [now, nowSecondNs, JSON.stringify([EXEC_TIMEOUT_ERROR])],
  );
}

/** RUNNING processes past their deadline with retries left → WAITING again, retries + 1. */
export async function requeueExpiredRunning(q: Queryable, now: bigint, nowSecondNs: bigint): Promise<TimedOut[]> {
  return q.query<TimedOut>(
    `UPDATE processes SET state = 0, isassigned = false, assignedexecutorid = '', endtime = $1, retries = retries + 1,
            waitdeadline = CASE WHEN maxwaittime > 0 THEN $1::int8 + maxwaittime::int8 * 1000000000 ELSE waitdeadline END
      WHERE processid IN (SELECT processid FROM processes WHERE ${EXEC_EXPIRED} AND ${RETRIES_LEFT}
                           ORDER BY execdeadline LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
      RETURNING ${TIMED_OUT_COLUMNS}`,
    [now, nowSecondNs],
  );
}

/** WAITING processes (incl. those waiting for parents) past maxwaittime → FAILED. */
export async function failExpiredWaiting(q: Queryable, now: bigint, nowSecondNs: bigint): Promise<TimedOut[]> {
  return q.query<TimedOut>(
    `UPDATE processes SET state = 3, endtime = $1, errors = $3::jsonb
      WHERE processid IN (SELECT processid FROM processes
                           WHERE state = 0 AND waitdeadline > 0 AND waitdeadline < $2 AND maxwaittime > 0
                           ORDER BY prioritytime LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
      RETURNING ${TIMED_OUT_COLUMNS}`,
    [now, nowSecondNs, JSON.stringify([WAIT_TIMEOUT_ERROR])],
  );
}
