// Closing processes (SEMANTICS §5): each change is one conditional UPDATE that only applies
// from an allowed state (and, for the executor's calls, only for the assigned executor), so
// a race with another close, a cancel or a timeout can never be lost. null = refused: the
// caller re-reads the process to tell why.
import { stringifyJson } from '../protocol/json.js';
import type { Queryable } from './db.js';

/** What a close returns: enough for events, graph hooks and function statistics. */
export interface Closed {
  processid: string;
  colonyname: string;
  executortype: string;
  processgraphid: string;
  funcname: string;
  submissiontime: bigint;
  starttime: bigint;
  endtime: bigint;
}

const CLOSED_COLUMNS = 'processid, colonyname, executortype, processgraphid, funcname, submissiontime, starttime, endtime';

export interface ClosedSuccessful extends Closed {
  /** name of the closing executor when it registered a function named like the process's funcname */
  functionowner: string | null;
}

/** RUNNING (or SUCCESS again, Go quirk) → SUCCESS; `out` replaces the output only when non-empty. */
export async function closeSuccessful(
  q: Queryable,
  processid: string,
  executorid: string,
  out: unknown[] | null,
  now: bigint,
): Promise<ClosedSuccessful | null> {
  // functionowner lets the caller skip the statistics update when there is nothing to update.
  const rows = await q.query<ClosedSuccessful>(
    `UPDATE processes p SET state = 2, endtime = $3, output = coalesce($4::jsonb, output)
      WHERE processid = $1 AND assignedexecutorid = $2 AND state IN (1, 2)
      RETURNING ${CLOSED_COLUMNS},
        (SELECT e.executorname FROM executors e
          WHERE e.executorid = $2 AND e.colonyname = p.colonyname
            AND EXISTS (SELECT 1 FROM functions f WHERE f.colonyname = e.colonyname AND f.executorname = e.executorname AND f.funcname = p.funcname)
          LIMIT 1) AS functionowner`,
    [processid, executorid, now, out && out.length > 0 ? stringifyJson(out) : null],
  );
  return rows[0] ?? null;
}

/** RUNNING → FAILED with `errors` (null when the client sent none, as Go stores it). */
export async function closeFailed(q: Queryable, processid: string, executorid: string, errors: string[] | null, now: bigint): Promise<Closed | null> {
  const rows = await q.query<Closed>(
    `UPDATE processes SET state = 3, endtime = $3, errors = $4::jsonb
      WHERE processid = $1 AND assignedexecutorid = $2 AND state IN (0, 1)
      RETURNING ${CLOSED_COLUMNS}`,
    [processid, executorid, now, errors === null ? null : stringifyJson(errors)],
  );
  return rows[0] ?? null;
}

/** setoutputmsg: replaces the output of a RUNNING process of this executor. */
export async function setOutput(q: Queryable, processid: string, executorid: string, out: unknown[]): Promise<boolean> {
  const rows = await q.query(
    `UPDATE processes SET output = $3::jsonb WHERE processid = $1 AND assignedexecutorid = $2 AND state = 1 RETURNING processid`,
    [processid, executorid, stringifyJson(out)],
  );
  return rows.length > 0;
}

/** cancelprocessmsg: WAITING/RUNNING → CANCELLED for a process outside workflows (assignment kept). */
export async function cancelProcess(q: Queryable, processid: string, now: bigint): Promise<Closed | null> {
  const rows = await q.query<Closed>(
    `UPDATE processes SET state = 4, endtime = $2
      WHERE processid = $1 AND state IN (0, 1) AND processgraphid = ''
      RETURNING ${CLOSED_COLUMNS}`,
    [processid, now],
  );
  return rows[0] ?? null;
}
