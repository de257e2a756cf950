// Closing processes (SEMANTICS §5): each change is one conditional UPDATE that only applies
// from an allowed state (and, for the executor's calls, only for the assigned executor), so
// a race with another close, a cancel or a timeout can never be lost. null = refused: the
// caller re-reads the process to tell why.
import { stringifyJson } from '../protocol/json.js';
import { batchStatementSize, padTo, sizeLimit } from './batch-size.js';
import type { Queryable } from './db.js';
import { memberSql } from './membership.js';
import type { CallerAccess, ProcessBrief } from './processes.js';

/** The JSON text a close stores: closesuccessfulmsg's output (null = keep the old one), closefailedmsg's errors (null as sent). */
export const outputJson = (out: unknown[] | null): string | null => (out && out.length > 0 ? stringifyJson(out) : null);
export const errorsJson = (errors: string[] | null): string | null => (errors === null ? null : stringifyJson(errors));

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
    [processid, executorid, now, outputJson(out)],
  );
  return rows[0] ?? null;
}

/**
 * The executor's close in one round trip, for the common case (a process outside workflows,
 * closed by its assigned executor, an approved member of its colony): the process and the
 * caller's access are read, and the conditional UPDATE applied, by one statement, for one or
 * many closes at once (concurrent closes share a statement: see server/batch.ts). `closed` is
 * null when the UPDATE did not apply: the caller then checks access and state on `brief` (the
 * row as the statement saw it, null = no such process) to tell why, or, for a workflow member,
 * closes it inside a transaction with its graph.
 */
export interface CloseAttempt<C extends Closed> {
  brief: (ProcessBrief & CallerAccess) | null;
  closed: C | null;
}

/** One close: the process, the caller, the time, and the output (or errors) as JSON text or null. */
export interface CloseRequest {
  processid: string;
  executorid: string;
  now: bigint;
  json: string | null;
}

const CLOSE_FOR_CALLER = {
  successful: {
    set: 'state = 2, endtime = cur.now, output = coalesce(cur.json::jsonb, p.output)',
    from: '1, 2',
    extra: `, (SELECT e.executorname FROM executors e
          WHERE e.executorid = cur.caller AND e.colonyname = p.colonyname
            AND EXISTS (SELECT 1 FROM functions f WHERE f.colonyname = e.colonyname AND f.executorname = e.executorname AND f.funcname = p.funcname)
          LIMIT 1) AS c_functionowner`,
  },
  failed: { set: 'state = 3, endtime = cur.now, errors = cur.json::jsonb', from: '0, 1', extra: '' },
};

// $1 process ids, $2 callers, $3 times, $4 JSON texts: one element per close, `n` elements
// (see batch-size.ts for why the text names n, and why padding process ids are empty: they
// match no row and get no answer). The texts are made on first use; n = 0: no LIMIT.
function closeForCallerSql(kind: keyof typeof CLOSE_FOR_CALLER, n: number): string {
  const k = CLOSE_FOR_CALLER[kind];
  return `WITH cur AS (
  SELECT i.ord, i.caller, i.now, i.json,
         p.processid, p.colonyname, p.executortype, p.state, p.assignedexecutorid, p.processgraphid,
         c.colonyid AS acc_colonyid, ${memberSql('p.colonyname', 'i.caller')} AS acc_member
    FROM (SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::text[]) WITH ORDINALITY AS u(pid, caller, now, json, ord)${sizeLimit(n)}) AS i
    JOIN processes p ON p.processid = i.pid
    LEFT JOIN colonies c ON c.name = p.colonyname
), upd AS (
  UPDATE processes p SET ${k.set}
    FROM cur
   WHERE p.processid = cur.processid AND cur.acc_colonyid IS NOT NULL AND cur.acc_member AND cur.processgraphid = ''
     AND p.assignedexecutorid = cur.caller AND p.state IN (${k.from})
  RETURNING cur.ord AS c_ord, p.funcname AS c_funcname, p.submissiontime AS c_submissiontime, p.starttime AS c_starttime, p.endtime AS c_endtime${k.extra}
)
SELECT cur.ord, cur.processid, cur.colonyname, cur.executortype, cur.state, cur.assignedexecutorid, cur.processgraphid,
       cur.acc_colonyid, cur.acc_member, upd.*
  FROM cur LEFT JOIN upd ON upd.c_ord = cur.ord`;
}

const closeSql = { successful: [] as string[], failed: [] as string[] };

function closeStatement(kind: keyof typeof CLOSE_FOR_CALLER, n: number): string {
  const size = batchStatementSize(n);
  return (closeSql[kind][size] ??= closeForCallerSql(kind, size));
}

type CloseRow = ProcessBrief &
  CallerAccess & {
    ord: bigint | number | string;
    c_funcname: string | null;
    c_submissiontime: bigint | null;
    c_starttime: bigint | null;
    c_endtime: bigint | null;
    c_functionowner?: string | null;
  };

function attempt<C extends Closed>(r: CloseRow | undefined, extra: (r: CloseRow) => Omit<C, keyof Closed>): CloseAttempt<C> {
  if (!r) return { brief: null, closed: null };
  const brief = {
    processid: r.processid,
    colonyname: r.colonyname,
    executortype: r.executortype,
    state: r.state,
    assignedexecutorid: r.assignedexecutorid,
    processgraphid: r.processgraphid,
    acc_colonyid: r.acc_colonyid,
    acc_member: r.acc_member,
  };
  if (r.c_endtime === null || r.c_endtime === undefined) return { brief, closed: null };
  const closed = {
    processid: r.processid,
    colonyname: r.colonyname,
    executortype: r.executortype,
    processgraphid: r.processgraphid,
    funcname: r.c_funcname ?? '',
    submissiontime: r.c_submissiontime ?? 0n,
    starttime: r.c_starttime ?? 0n,
    endtime: r.c_endtime,
    ...extra(r),
  } as C;
  return { brief, closed };
}

async function closeMany<C extends Closed>(
  q: Queryable,
  kind: keyof typeof CLOSE_FOR_CALLER,
  reqs: CloseRequest[],
  extra: (r: CloseRow) => Omit<C, keyof Closed>,
): Promise<CloseAttempt<C>[]> {
  const size = batchStatementSize(reqs.length);
  const padded = <T>(a: T[], v: T): T[] => padTo(a, size, v);
  const rows = await q.query<CloseRow>(closeStatement(kind, reqs.length), [
    padded(reqs.map((r) => r.processid), ''),
    padded(reqs.map((r) => r.executorid), ''),
    padded(reqs.map((r) => r.now.toString()), '0'),
    padded(reqs.map((r) => r.json), null),
  ]);
  const byOrd = new Map<number, CloseRow>();
  for (const r of rows) byOrd.set(Number(r.ord), r);
  return reqs.map((_, i) => attempt<C>(byOrd.get(i + 1), extra));
}

/** closesuccessfulmsg for each request, in one statement (see CloseAttempt). */
export function closeSuccessfulForCallers(q: Queryable, reqs: CloseRequest[]): Promise<CloseAttempt<ClosedSuccessful>[]> {
  return closeMany<ClosedSuccessful>(q, 'successful', reqs, (r) => ({ functionowner: r.c_functionowner ?? null }));
}

/** closefailedmsg for each request, in one statement (see CloseAttempt). */
export function closeFailedForCallers(q: Queryable, reqs: CloseRequest[]): Promise<CloseAttempt<Closed>[]> {
  return closeMany<Closed>(q, 'failed', reqs, () => ({}));
}

/** RUNNING → FAILED with `errors` (null when the client sent none, as Go stores it). */
export async function closeFailed(q: Queryable, processid: string, executorid: string, errors: string[] | null, now: bigint): Promise<Closed | null> {
  const rows = await q.query<Closed>(
    `UPDATE processes SET state = 3, endtime = $3, errors = $4::jsonb
      WHERE processid = $1 AND assignedexecutorid = $2 AND state IN (0, 1)
      RETURNING ${CLOSED_COLUMNS}`,
    [processid, executorid, now, errorsJson(errors)],
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
