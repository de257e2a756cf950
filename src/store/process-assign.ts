// The heart of the broker (SEMANTICS §4.2-§4.4): one statement that picks the best eligible
// WAITING process for an executor and claims it, atomically, on any number of replicas.
//
// In the same statement: the executor and the colony's pause flag are read, the executor's
// heartbeat is refreshed (at most once a second, to spare writes), a workflow child's `in`
// becomes the concatenation of its parents' `out` in parent order, and the graph resolution
// an assignment triggers (SEMANTICS §8.3) is done: a WAITING graph becomes RUNNING. That is
// all an assignment can change in a graph (children are released by their parents' closes,
// and a graph with a FAILED or CANCELLED member keeps that state), so assign needs no
// BEGIN/COMMIT around it: one statement is one atomic round trip.
import type { Queryable } from './db.js';
import { liveFirst } from './executors.js';
import { PROCESS_COLUMNS, type ProcessRow } from './process-wire.js';

/**
 * Eligibility of `p` for the executor in CTE `ex` (SEMANTICS §4.2); $2 colony, $4 cpu, $5 mem.
 * The executor's fields are scalar subqueries (evaluated once, used as parameters) rather than
 * a join: a join would make the planner sort every waiting row instead of walking the
 * processes_queue index in prioritytime order and stopping at the first lockable row.
 */
export function eligible(alias: string, colony: string, cpu: string, mem: string): string {
  const a = alias;
  return `${a}.colonyname = ${colony} AND ${a}.executortype = (SELECT executortype FROM ex) AND ${a}.state = 0 AND NOT ${a}.waitforparents
    AND (${a}.executornames IS NULL OR (SELECT executorname FROM ex) = ANY (${a}.executornames))
    AND (${a}.locationname = '' OR ${a}.locationname = (SELECT loc FROM ex))
    AND ${a}.cpu <= ${cpu} AND ${a}.mem <= ${mem} AND NOT ${a}.oversized`;
}
const ELIGIBLE = eligible('p', '$2', '$4', '$5');

/** The execution deadline of process `alias` assigned at `now`: its maxexectime from then, if it has one. */
export function execDeadline(alias: string, now: string): string {
  return `CASE WHEN ${alias}.maxexectime > 0 THEN ${now}::int8 + ${alias}.maxexectime::int8 * 1000000000 ELSE ${alias}.execdeadline END`;
}

/** CTE `ex`: the executor (id, colony), with its colony's pause flag. */
export function executorCte(id: string, colony: string): string {
  return `ex AS (
  SELECT e.executorname, e.executortype, lower(e.locationname) AS loc, c.paused, e.state
    FROM executors e JOIN colonies c ON c.name = e.colonyname
   WHERE e.executorid = ${id} AND e.colonyname = ${colony}
   ORDER BY ${liveFirst('e')} -- a removed executor's row keeps its id: the live row wins
   LIMIT 1
)`;
}

/** CTE `hb`: the executor's heartbeat refreshed (at most once a second) when it is approved and `cond` holds. */
export function heartbeatCte(id: string, colony: string, now: string, cond = ''): string {
  return `hb AS (
  UPDATE executors SET lastheardfromtime = ${now}
   WHERE executorid = ${id} AND colonyname = ${colony} AND state = 1 AND lastheardfromtime < ${now}::int8 - 1000000000${cond ? ` AND ${cond}` : ''}
)`;
}

const ASSIGN_SQL = `WITH ${executorCte('$1', '$2')}, ${heartbeatCte('$1', '$2', '$3')}, pick AS (
  SELECT p.processid FROM processes p
   WHERE (SELECT state FROM ex) = 1 AND NOT (SELECT paused FROM ex) AND ${ELIGIBLE}
   ORDER BY p.prioritytime
   LIMIT 1
   FOR UPDATE SKIP LOCKED
), upd AS (
  UPDATE processes p SET state = 1, isassigned = true, assignedexecutorid = $1, starttime = $3,
         execdeadline = ${execDeadline('p', '$3')},
         input = CASE WHEN cardinality(p.parents) > 0 THEN (
           SELECT coalesce(jsonb_agg(o.e ORDER BY par.ord, o.idx), '[]'::jsonb)
             FROM unnest(p.parents) WITH ORDINALITY AS par(pid, ord)
             JOIN processes pp ON pp.processid = par.pid
             CROSS JOIN LATERAL jsonb_array_elements(coalesce(pp.output, '[]'::jsonb)) WITH ORDINALITY AS o(e, idx))
           ELSE p.input END
    FROM pick WHERE p.processid = pick.processid
  RETURNING p.*
), graph AS (
  UPDATE process_graphs g SET state = 1, starttime = CASE WHEN g.starttime = 0 THEN $3::int8 ELSE g.starttime END
    FROM upd WHERE upd.processgraphid <> '' AND g.processgraphid = upd.processgraphid AND g.state = 0
)
SELECT ex.executortype AS ex_type, ex.paused AS ex_paused, ex.state AS ex_state,
       (p.processid IS NULL AND ex.state = 1 AND NOT ex.paused AND EXISTS (SELECT 1 FROM processes p WHERE ${ELIGIBLE})) AS ex_contended,
       (p.processid IS NOT NULL AND $6::boolean AND EXISTS (SELECT 1 FROM processes q WHERE ${eligible('q', '$2', '$4', '$5')} AND q.processid <> p.processid)) AS ex_more,
       ${PROCESS_COLUMNS}
  FROM ex LEFT JOIN upd p ON true`; // \`p\` = the claimed row, so PROCESS_COLUMNS apply

export type AssignAttempt =
  /** the caller is not an executor of the colony */
  | { kind: 'noexecutor' }
  /** the caller is an executor of the colony, but not APPROVED */
  | { kind: 'notapproved' }
  | { kind: 'paused'; executortype: string }
  /** nothing eligible; `contended` = something eligible was taken by a concurrent assign meanwhile */
  | { kind: 'empty'; executortype: string; contended: boolean }
  /** `more`: something else eligible for this executor was waiting too (as the statement saw it; asked only with wantMore) */
  | { kind: 'assigned'; executortype: string; process: ProcessRow; more: boolean };

export type Assigned = Extract<AssignAttempt, { kind: 'assigned' }>;

export interface AssignParams {
  executorid: string;
  colonyname: string;
  now: bigint;
  /** millicores / bytes the executor offers (UNLIMITED when not given) */
  cpu: bigint;
  mem: bigint;
  /**
   * Ask whether something else eligible is waiting too (`more`). Only worth a second index probe
   * when another executor is parked to be woken for it; false: `more` is false.
   */
  wantMore: boolean;
}

type AssignRow = ProcessRow & { ex_type: string; ex_paused: boolean; ex_state: number; ex_contended: boolean; ex_more: boolean };

/** One assignment attempt: one atomic statement (workflow resolution included). */
export async function assignNext(q: Queryable, a: AssignParams): Promise<AssignAttempt> {
  const rows = await q.query<AssignRow>(ASSIGN_SQL, [a.executorid, a.colonyname, a.now, a.cpu, a.mem, a.wantMore]);
  const r = rows[0];
  if (!r) return { kind: 'noexecutor' };
  if (r.ex_state !== 1) return { kind: 'notapproved' };
  // The row is the process (its ex_* columns ride along unread: copying the rest out cost µs).
  if (r.processid !== null) return { kind: 'assigned', executortype: r.ex_type, process: r, more: r.ex_more };
  if (r.ex_paused) return { kind: 'paused', executortype: r.ex_type };
  return { kind: 'empty', executortype: r.ex_type, contended: r.ex_contended };
}

/** Is any process of the colony and executor type assignable (WAITING, parents done)? From the queue index. */
export async function anyAssignable(q: Queryable, colonyname: string, executortype: string): Promise<boolean> {
  const rows = await q.query<{ ok: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM processes WHERE colonyname = $1 AND executortype = $2 AND state = 0 AND NOT waitforparents) AS ok',
    [colonyname, executortype],
  );
  return rows[0].ok;
}
