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
import { createHash } from 'node:crypto';
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
/**
 * Whether a row of processes `alias` matching `where` waits in the queue, asked as "the queue's
 * first such row", so that PostgreSQL reads it from processes_queue. Written as EXISTS, the same
 * test was planned (once the table had statistics) as a sequential scan stopping at the first
 * match, which the planner expected early; but the waiting rows are the table's newest, so with
 * 10,000 rows an assign attempt read 3,000 of them (0.7 ms): a batch of 16 took 14 ms instead of 2.2.
 */
function queueHas(alias: string, where: string): string {
  return `(SELECT ${alias}.processid FROM processes ${alias} WHERE ${where}
    ORDER BY ${alias}.prioritytime LIMIT 1) IS NOT NULL`;
}

/** Whether a process eligible for the executor waits (other than `except`); see queueHas. */
export function eligibleWaits(alias: string, colony: string, cpu: string, mem: string, except = ''): string {
  return queueHas(alias, `${eligible(alias, colony, cpu, mem)}${except ? ` AND ${alias}.processid <> ${except}` : ''}`);
}

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

/**
 * CTE `hb`: the executor's heartbeat refreshed (at most once a second) when it is approved and
 * `cond` holds. A row another transaction holds is skipped, not waited for: that transaction is
 * refreshing it or changing the executor anyway, and an assignment that waited here while
 * holding its claim (and perhaps a graph) could close a cycle of waits with it.
 */
export function heartbeatCte(id: string, colony: string, now: string, cond = ''): string {
  return `hb AS (
  UPDATE executors e SET lastheardfromtime = ${now}
    FROM (SELECT colonyname, executorname FROM executors
           WHERE executorid = ${id} AND colonyname = ${colony} AND state = 1 AND lastheardfromtime < ${now}::int8 - 1000000000${cond ? ` AND ${cond}` : ''}
           FOR UPDATE SKIP LOCKED) due
   WHERE e.colonyname = due.colonyname AND e.executorname = due.executorname
)`;
}

/** Where the assign statement gets its inputs: `$n` parameters, or PL/pgSQL expressions in the batch function. */
interface AssignInputs {
  id: string;
  colony: string;
  now: string;
  cpu: string;
  mem: string;
  wantMore: string;
}

/**
 * The WITH part of the assign statement: claims the best eligible process (upd), refreshes the
 * heartbeat and, with `startGraph`, starts the claimed process's graph (the batch function
 * starts its graphs after all of its attempts instead, see below).
 */
function assignCtes(a: AssignInputs, startGraph: boolean): string {
  const elig = eligible('p', a.colony, a.cpu, a.mem);
  return `WITH ${executorCte(a.id, a.colony)}, ${heartbeatCte(a.id, a.colony, a.now)}, pick AS (
  SELECT p.processid FROM processes p
   WHERE (SELECT state FROM ex) = 1 AND NOT (SELECT paused FROM ex) AND ${elig}
   ORDER BY p.prioritytime
   LIMIT 1
   FOR UPDATE SKIP LOCKED
), upd AS (
  UPDATE processes p SET state = 1, isassigned = true, assignedexecutorid = ${a.id}, starttime = ${a.now},
         execdeadline = ${execDeadline('p', a.now)},
         input = CASE WHEN cardinality(p.parents) > 0 THEN (
           SELECT coalesce(jsonb_agg(o.e ORDER BY par.ord, o.idx), '[]'::jsonb)
             FROM unnest(p.parents) WITH ORDINALITY AS par(pid, ord)
             JOIN processes pp ON pp.processid = par.pid
             CROSS JOIN LATERAL jsonb_array_elements(coalesce(pp.output, '[]'::jsonb)) WITH ORDINALITY AS o(e, idx))
           ELSE p.input END
    FROM pick WHERE p.processid = pick.processid
  RETURNING p.*
)${
    startGraph
      ? `, graph AS (
  UPDATE process_graphs g SET state = 1, starttime = CASE WHEN g.starttime = 0 THEN ${a.now}::int8 ELSE g.starttime END
    FROM upd WHERE upd.processgraphid <> '' AND g.processgraphid = upd.processgraphid AND g.state = 0
)`
      : ''
  }`;
}

/** The attempt's outcome columns besides the claimed row \`p\` (ex_contended, ex_more). */
function assignFlags(a: AssignInputs): string {
  return `ex.executortype AS ex_type, ex.paused AS ex_paused, ex.state AS ex_state,
       (p.processid IS NULL AND ex.state = 1 AND NOT ex.paused AND ${eligibleWaits('w', a.colony, a.cpu, a.mem)}) AS ex_contended,
       (p.processid IS NOT NULL AND ${a.wantMore}::boolean AND ${eligibleWaits('q', a.colony, a.cpu, a.mem, 'p.processid')}) AS ex_more`;
}

const ONE: AssignInputs = { id: '$1', colony: '$2', now: '$3', cpu: '$4', mem: '$5', wantMore: '$6' };
const ASSIGN_SQL = `${assignCtes(ONE, true)}
SELECT ${assignFlags(ONE)},
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

function attemptOf(r: AssignRow | undefined): AssignAttempt {
  if (!r) return { kind: 'noexecutor' };
  if (r.ex_state !== 1) return { kind: 'notapproved' };
  // The row is the process (its ex_* columns ride along unread: copying the rest out cost µs).
  if (r.processid !== null) return { kind: 'assigned', executortype: r.ex_type, process: r, more: r.ex_more };
  if (r.ex_paused) return { kind: 'paused', executortype: r.ex_type };
  return { kind: 'empty', executortype: r.ex_type, contended: r.ex_contended };
}

/** One assignment attempt: one atomic statement (workflow resolution included). */
export async function assignNext(q: Queryable, a: AssignParams): Promise<AssignAttempt> {
  const rows = await q.query<AssignRow>(ASSIGN_SQL, [a.executorid, a.colonyname, a.now, a.cpu, a.mem, a.wantMore]);
  return attemptOf(rows[0]);
}

// Several executors' attempts in one statement: a PL/pgSQL function runs the assign statement
// above once per attempt, in order, inside one statement and one commit. A later attempt sees
// the rows the earlier ones claimed as RUNNING (its own transaction's changes), so no process
// is claimed twice and each executor gets what its own statement would have got at that
// moment. The function's name carries a hash of its text: a server only calls the text it was
// built with, and replicas of two versions sharing a database each have their own.
//
// Locks: each attempt locks the process it claims and its executor's row (the heartbeat), both
// SKIP LOCKED: it never waits for them. The only rows a batch waits for are the graphs it starts
// (a workflow's first assignment makes its graph RUNNING); it locks them after all of its
// attempts, in processgraphid order. Two batches (on two replicas) that start the same graphs
// therefore take them in the same order and cannot deadlock, as they could when each attempt
// started its graph at once and two batches met in crossed order.
const BATCH: AssignInputs = { id: 'a_ids[a_i]', colony: 'a_colony', now: 'a_now', cpu: 'a_cpus[a_i]', mem: 'a_mems[a_i]', wantMore: 'a_more[a_i]' };
const BATCH_BODY = `
DECLARE
  a_graphs text[] := '{}';
  a_out record;
BEGIN
  FOR a_i IN 1 .. coalesce(array_length(a_ids, 1), 0) LOOP
    ${assignCtes(BATCH, false)}
    SELECT ${assignFlags(BATCH)},
           CASE WHEN p.processid IS NULL THEN NULL ELSE ROW(p.*)::processes END AS ex_proc
      INTO a_out
      FROM ex LEFT JOIN upd p ON true;
    CONTINUE WHEN NOT FOUND; -- not an executor of the colony: no row, as the single statement
    r_ord := a_i;
    r_type := a_out.ex_type;
    r_paused := a_out.ex_paused;
    r_state := a_out.ex_state;
    r_contended := a_out.ex_contended;
    r_more := a_out.ex_more;
    r_proc := a_out.ex_proc;
    IF (r_proc).processgraphid <> '' THEN
      a_graphs := a_graphs || (r_proc).processgraphid;
    END IF;
    RETURN NEXT;
  END LOOP;
  IF cardinality(a_graphs) > 0 THEN
    PERFORM 1 FROM process_graphs WHERE processgraphid = ANY (a_graphs) AND state = 0 ORDER BY processgraphid FOR UPDATE;
    UPDATE process_graphs g SET state = 1, starttime = CASE WHEN g.starttime = 0 THEN a_now ELSE g.starttime END
     WHERE g.processgraphid = ANY (a_graphs) AND g.state = 0;
  END IF;
END`;
const BATCH_SIGNATURE = `(a_ids text[], a_colony text, a_now int8, a_cpus int8[], a_mems int8[], a_more boolean[])
  RETURNS TABLE (r_ord int, r_type text, r_paused boolean, r_state int, r_contended boolean, r_more boolean, r_proc processes)`;
export const ASSIGN_BATCH_FUNCTION = `colonies_assign_${createHash('sha256').update(BATCH_SIGNATURE + BATCH_BODY).digest('hex').slice(0, 12)}`;

/** The statement that creates the batch function (run by migrate(), see ./migrate.ts). */
export const ASSIGN_BATCH_DDL = `CREATE OR REPLACE FUNCTION ${ASSIGN_BATCH_FUNCTION}${BATCH_SIGNATURE}
  LANGUAGE plpgsql AS $fn$${BATCH_BODY}
$fn$`;

const ASSIGN_BATCH_SQL = `SELECT b.r_ord AS ord, b.r_type AS ex_type, b.r_paused AS ex_paused, b.r_state AS ex_state,
       b.r_contended AS ex_contended, b.r_more AS ex_more, ${PROCESS_COLUMNS}
  FROM ${ASSIGN_BATCH_FUNCTION}($1::text[], $2::text, $3::int8, $4::int8[], $5::int8[], $6::boolean[]) b
  CROSS JOIN LATERAL (SELECT (b.r_proc).*) p`;

/**
 * Attempts of several executors of one colony, in one statement (see above); one outcome per
 * attempt, in order. All share one `now` (the latest of theirs).
 */
export async function assignMany(q: Queryable, colonyname: string, as: AssignParams[]): Promise<AssignAttempt[]> {
  if (as.length === 1) return [await assignNext(q, as[0])];
  if (as.length === 0) return [];
  const rows = await q.query<AssignRow & { ord: number }>(ASSIGN_BATCH_SQL, [
    as.map((a) => a.executorid),
    colonyname,
    as.reduce((t, a) => (a.now > t ? a.now : t), as[0].now),
    as.map((a) => a.cpu.toString()),
    as.map((a) => a.mem.toString()),
    as.map((a) => a.wantMore),
  ]);
  const byOrd = new Map<number, AssignRow>();
  for (const r of rows) byOrd.set(Number(r.ord), r);
  return as.map((_, i) => attemptOf(byOrd.get(i + 1)));
}

/** Is any process of the colony and executor type assignable (WAITING, parents done)? See queueHas. */
const ANY_ASSIGNABLE_SQL = `SELECT ${queueHas('p', 'p.colonyname = $1 AND p.executortype = $2 AND p.state = 0 AND NOT p.waitforparents')} AS ok`;

export async function anyAssignable(q: Queryable, colonyname: string, executortype: string): Promise<boolean> {
  const rows = await q.query<{ ok: boolean }>(ANY_ASSIGNABLE_SQL, [colonyname, executortype]);
  return rows[0].ok;
}
