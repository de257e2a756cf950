// SQL for processes: create, read, list, remove (PROTOCOL §6.7, SEMANTICS §4-§5). The
// lifecycle changes live beside this file: process-assign.ts, process-close.ts,
// process-timeouts.ts; the JSON rendering in process-wire.ts.
import { randomId } from '../domain/ids.js';
import { stringifyJson } from '../protocol/json.js';
import type { FunctionSpec, Process } from '../protocol/objects.js';
import { normaliseSpec, priorityTime, type MatchColumns } from '../domain/spec.js';
import { ALL_STATES, CANCELLED, FAILED, SUCCESS, WAITING } from '../domain/process-state.js';
import { ATTRIBUTE_RECORDSET, envAttributes, type AttributeRow } from './attributes.js';
import { batchStatementSize, padTo, sizeLimit } from './batch-size.js';
import { withCustomPlans, type Db, type Queryable } from './db.js';
import { liveFirst } from './executors.js';
import { eligible, eligibleWaits, execDeadline, executorCte, heartbeatCte } from './process-assign.js';
import { memberSql } from './membership.js';
import { PROCESS_COLUMNS, processToWire, type ProcessRow } from './process-wire.js';

export { PROCESS_COLUMNS, processToWire, processListToWire, specToWire, type ProcessRow } from './process-wire.js';

export { randomId } from '../domain/ids.js';

/** A process not yet stored: a ProcessRow plus the columns only the queue and timeouts read. */
export interface NewProcess extends ProcessRow, MatchColumns {
  maxwaittime: number;
  maxexectime: number;
  maxretries: number;
  label: string;
  funcname: string;
  attrs: AttributeRow[];
}

export interface NewProcessOptions {
  initiatorid: string;
  initiatorname: string;
  /** submission time (ns) */
  now: bigint;
  processgraphid?: string;
  waitforparents?: boolean;
  parents?: string[];
  children?: string[];
  /** `in` of the process (cron roots get the previous run's output) */
  input?: unknown[];
}

/**
 * A WAITING process for `spec` (normalised as Go stores it). Throws 400 for unparsable
 * cpu/mem strings. The colony is `spec.conditions.colonyname`.
 */
export function newProcessRow(spec: FunctionSpec, o: NewProcessOptions): NewProcess {
  const n = normaliseSpec(spec);
  const processid = randomId();
  const processgraphid = o.processgraphid ?? '';
  const m = n.match;
  // The fields are listed, not spread: an object literal that starts with a spread and goes on
  // for 35 more members was built property by property (31 µs a process, half of it GC).
  return {
    colonyname: m.colonyname,
    executortype: m.executortype,
    executornames: m.executornames,
    locationname: m.locationname,
    cpu: m.cpu,
    mem: m.mem,
    oversized: m.oversized,
    processid,
    state: WAITING,
    isassigned: false,
    waitforparents: o.waitforparents ?? false,
    prioritytime: priorityTime(o.now, spec.priority),
    initiatorid: o.initiatorid,
    initiatorname: o.initiatorname,
    assignedexecutorid: '',
    submissiontime: o.now,
    starttime: 0n,
    endtime: 0n,
    waitdeadline: spec.maxwaittime > 0 ? o.now + BigInt(spec.maxwaittime) * 1_000_000_000n : 0n,
    execdeadline: 0n,
    retries: 0,
    processgraphid,
    spec: n.spec,
    parents: o.parents ?? [],
    children: o.children ?? [],
    input: o.input ?? [],
    output: [],
    errors: [],
    maxwaittime: spec.maxwaittime,
    maxexectime: spec.maxexectime,
    maxretries: spec.maxretries,
    label: spec.label,
    funcname: spec.funcname,
    attrs: envAttributes(processid, spec.conditions.colonyname, processgraphid, n.env),
  };
}

// Go derives a submitter's name from an executor with its id (any colony; ours first), else
// a user of the colony. $3 caller id, $4 colony. The submit statement also checks, in the
// same round trip, that the caller is an approved member of the colony (PROTOCOL §5).
const INITIATOR_CTE = `mem AS (SELECT ${memberSql('$4', '$3')} AS ok), ini AS (
  SELECT name FROM (
    (SELECT executorname AS name, 0 AS pref FROM executors WHERE executorid = $3 ORDER BY (colonyname = $4) DESC, ${liveFirst()} LIMIT 1)
    UNION ALL
    (SELECT name, 1 AS pref FROM users WHERE userid = $3 AND colonyname = $4 LIMIT 1)) n
  ORDER BY pref LIMIT 1)`;

const RECORDSET = `json_to_recordset($1::json) AS x(processid text, colonyname text, executortype text, state int,
    isassigned boolean, waitforparents boolean, prioritytime int8, executornames text[], locationname text,
    cpu int8, mem int8, oversized boolean, initiatorid text, initiatorname text, assignedexecutorid text,
    submissiontime int8, starttime int8, endtime int8, waitdeadline int8, execdeadline int8, retries int,
    maxwaittime int, maxexectime int, maxretries int, label text, funcname text, processgraphid text,
    spec jsonb, parents text[], children text[], input jsonb, output jsonb, errors jsonb)`;

/**
 * Handing one of the submitted rows to a parked executor in the statement that stores them
 * (see src/server/handoff.ts); $5 executor id, $6 now, $7 cpu, $8 mem it offers. The row goes
 * to it only where its own assign statement would have given it that row: the executor is
 * approved, the colony not paused, the row eligible for it (the same rule), the best such new
 * row, and nothing older in the queue eligible for it. The row is then stored RUNNING as an
 * assignment stores it (no parents, no workflow: a plain submit has neither), and the
 * executor's heartbeat refreshed.
 */
const HANDOFF_CTES = `x AS MATERIALIZED (SELECT * FROM ${RECORDSET}), ${executorCte('$5', '$4')}, hand AS (
  SELECT x.processid FROM x
   WHERE (SELECT ok FROM mem) AND EXISTS (SELECT 1 FROM ini) AND (SELECT state FROM ex) = 1 AND NOT (SELECT paused FROM ex) AND ${eligible('x', '$4', '$7', '$8')}
     AND NOT ${eligibleWaits('p', '$4', '$7', '$8')}
   ORDER BY x.prioritytime
   LIMIT 1
), ${heartbeatCte('$5', '$4', '$6', 'EXISTS (SELECT 1 FROM hand)')}`;

/** One statement storing processes and their attributes; `lookup`: initiatorname from INITIATOR_CTE; `handoff`: see HANDOFF_CTES. */
function insertSql(lookup: boolean, handoff = false): string {
  const h = (assigned: string, otherwise: string) => (handoff ? `CASE WHEN h.processid IS NULL THEN ${otherwise} ELSE ${assigned} END` : otherwise);
  return `WITH ${lookup ? `${INITIATOR_CTE},` : ''}${handoff ? `${HANDOFF_CTES},` : ''} ins AS (
  INSERT INTO processes (processid, colonyname, executortype, state, isassigned, waitforparents, prioritytime,
    executornames, locationname, cpu, mem, oversized, initiatorid, initiatorname, assignedexecutorid,
    submissiontime, starttime, endtime, waitdeadline, execdeadline, retries, maxwaittime, maxexectime, maxretries,
    label, funcname, processgraphid, spec, parents, children, input, output, errors)
  SELECT x.processid, x.colonyname, x.executortype, ${h('1', 'x.state')}, ${h('true', 'x.isassigned')}, x.waitforparents, x.prioritytime,
    x.executornames, x.locationname, x.cpu, x.mem, x.oversized, x.initiatorid, ${lookup ? 'ini.name' : 'x.initiatorname'}, ${h('$5', 'x.assignedexecutorid')},
    x.submissiontime, ${h('$6', 'x.starttime')}, x.endtime, x.waitdeadline,
    ${h(execDeadline('x', '$6'), 'x.execdeadline')},
    x.retries, x.maxwaittime, x.maxexectime, x.maxretries,
    x.label, x.funcname, x.processgraphid, x.spec, x.parents, x.children, x.input, x.output, x.errors
  FROM ${handoff ? 'x LEFT JOIN hand h ON h.processid = x.processid' : RECORDSET}${lookup ? ', ini, mem WHERE mem.ok' : ''}
  RETURNING initiatorname
), att AS (
  INSERT INTO attributes (attributeid, targetid, targetcolonyname, targetprocessgraphid, attributetype, key, value)
  SELECT attributeid, targetid, targetcolonyname, targetprocessgraphid, attributetype, key, value FROM ${ATTRIBUTE_RECORDSET}${lookup ? ', ini, mem WHERE mem.ok' : ''}
  RETURNING 1
)
SELECT (SELECT initiatorname FROM ins LIMIT 1) AS initiatorname${lookup ? ', (SELECT ok FROM mem) AS member' : ''}${handoff ? ', (SELECT processid FROM hand) AS handed' : ''}`;
}

const INSERT_SQL = insertSql(false);
const SUBMIT_SQL = insertSql(true);
const SUBMIT_HANDOFF_SQL = insertSql(true, true);

function recordsets(rows: NewProcess[]): [string, string] {
  const procs = rows.map((r) => ({ ...r, attrs: undefined }));
  const attrs = rows.flatMap((r) => r.attrs.map((a) => ({ ...a, targetid: r.processid })));
  return [stringifyJson(procs), stringifyJson(attrs)];
}

/** Stores processes (and their ENV attributes) in one statement. */
export async function insertProcesses(q: Queryable, rows: NewProcess[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query(INSERT_SQL, recordsets(rows));
}

/**
 * submitfuncspecmsg: stores `rows` (one caller, one colony: their `initiatorid` and
 * `colonyname` are the same) with the caller's executor or user name as initiatorname (set on
 * each row), in one statement, only if the caller is an approved member of the colony.
 * 'notmember' / 'noname': nothing stored.
 */
export type SubmitOutcome = 'stored' | 'notmember' | 'noname';

export async function insertSubmitted(q: Queryable, rows: NewProcess[]): Promise<SubmitOutcome> {
  return (await insertSubmittedHandingOff(q, rows, null)).outcome;
}

/** An executor parked for an assignment, to hand one of the submitted rows to. */
export interface HandOff {
  executorid: string;
  /** the assignment time (ns) */
  now: bigint;
  cpu: bigint;
  mem: bigint;
}

/**
 * insertSubmitted, and with `to`: the best of the rows that the executor's own assign would
 * have got, if any, is stored assigned to it (HANDOFF_CTES). `handed` is that row, as stored.
 */
export async function insertSubmittedHandingOff(q: Queryable, rows: NewProcess[], to: HandOff | null): Promise<{ outcome: SubmitOutcome; handed: NewProcess | null }> {
  const first = rows[0];
  if (rows.some((r) => r.initiatorid !== first.initiatorid || r.colonyname !== first.colonyname)) {
    throw new Error('insertSubmitted: rows of one caller and one colony only');
  }
  const params: unknown[] = [...recordsets(rows), first.initiatorid, first.colonyname];
  if (to) params.push(to.executorid, to.now, to.cpu, to.mem);
  const r = await q.query<{ initiatorname: string | null; member: boolean; handed?: string | null }>(to ? SUBMIT_HANDOFF_SQL : SUBMIT_SQL, params);
  if (!r[0].member) return { outcome: 'notmember', handed: null };
  if (r[0].initiatorname === null) return { outcome: 'noname', handed: null };
  for (const row of rows) row.initiatorname = r[0].initiatorname;
  const row = to && r[0].handed ? rows.find((x) => x.processid === r[0].handed) : undefined;
  if (!to || !row) return { outcome: 'stored', handed: null };
  // the row as the statement stored it (see insertSql)
  const handed: NewProcess = {
    ...row,
    state: 1,
    isassigned: true,
    assignedexecutorid: to.executorid,
    starttime: to.now,
    execdeadline: row.maxexectime > 0 ? to.now + BigInt(row.maxexectime) * 1_000_000_000n : row.execdeadline,
  };
  return { outcome: 'stored', handed };
}

export async function getProcess(q: Queryable, processid: string): Promise<ProcessRow | null> {
  const rows = await q.query<ProcessRow>(`SELECT ${PROCESS_COLUMNS} FROM processes p WHERE p.processid = $1`, [processid]);
  return rows[0] ?? null;
}

export async function getProcesses(q: Queryable, ids: string[]): Promise<ProcessRow[]> {
  if (ids.length === 0) return [];
  return q.query<ProcessRow>(`SELECT ${PROCESS_COLUMNS} FROM processes p WHERE p.processid = ANY($1::text[])`, [ids]);
}

/** Process JSON by id (missing ids are absent from the map). */
export async function loadProcessesWire(q: Queryable, ids: string[]): Promise<Map<string, Process>> {
  const rows = await getProcesses(q, ids);
  return new Map(rows.map((r) => [r.processid, processToWire(r)]));
}

/** The few columns the access checks and state checks need. */
export interface ProcessBrief {
  processid: string;
  colonyname: string;
  executortype: string;
  state: number;
  assignedexecutorid: string;
  processgraphid: string;
}

export async function getProcessBrief(q: Queryable, processid: string): Promise<ProcessBrief | null> {
  const rows = await q.query<ProcessBrief>(
    'SELECT processid, colonyname, executortype, state, assignedexecutorid, processgraphid FROM processes WHERE processid = $1',
    [processid],
  );
  return rows[0] ?? null;
}

/** The caller's access to the colony of what was read (see ResolvedColony in server/access.ts). */
export interface CallerAccess {
  /** null when the colony does not exist */
  acc_colonyid: string | null;
  /** the caller is an approved member of the colony */
  acc_member: boolean;
}

const BRIEF_COLUMNS = 'p.processid, p.colonyname, p.executortype, p.state, p.assignedexecutorid, p.processgraphid';

/** A process (the brief columns) with the caller's membership of its colony: one read of getProcessesForCallers. */
export async function getProcessForCaller(q: Queryable, processid: string, callerId: string): Promise<(ProcessBrief & CallerAccess) | null> {
  return (await getProcessesForCallers(q, [{ processid, callerId }], false))[0];
}

/** One read of getProcessesForCallers: a process, and who asks. */
export interface ProcessRead {
  processid: string;
  callerId: string;
}

// $1 process ids, $2 callers, n elements (see batch-size.ts; padding process ids are empty and
// match no row). `ord` numbers the reads from 1.
const forCallersSql = { brief: [] as string[], full: [] as string[] };
function forCallersStatement(full: boolean, n: number): string {
  const size = batchStatementSize(n);
  const texts = full ? forCallersSql.full : forCallersSql.brief;
  return (texts[size] ??= `SELECT i.ord, ${full ? PROCESS_COLUMNS : BRIEF_COLUMNS},
       c.colonyid AS acc_colonyid, ${memberSql('p.colonyname', 'i.caller')} AS acc_member
  FROM (SELECT * FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(pid, caller, ord)${sizeLimit(size)}) AS i
  JOIN processes p ON p.processid = i.pid
  LEFT JOIN colonies c ON c.name = p.colonyname`);
}

/**
 * getProcessForCaller for many reads in one statement (the access rule of the process RPCs
 * under load, see server/batch.ts): one answer per read, in order, null where the process does
 * not exist.
 */
export async function getProcessesForCallers(q: Queryable, reads: ProcessRead[], full: true): Promise<((ProcessRow & CallerAccess) | null)[]>;
export async function getProcessesForCallers(q: Queryable, reads: ProcessRead[], full: false): Promise<((ProcessBrief & CallerAccess) | null)[]>;
export async function getProcessesForCallers(q: Queryable, reads: ProcessRead[], full: boolean): Promise<((ProcessBrief | ProcessRow) & CallerAccess | null)[]>;
export async function getProcessesForCallers(q: Queryable, reads: ProcessRead[], full: boolean): Promise<((ProcessBrief | ProcessRow) & CallerAccess | null)[]> {
  const size = batchStatementSize(reads.length);
  // each row keeps its `ord` column: the readers pick their fields
  const rows = await q.query<(ProcessBrief | ProcessRow) & CallerAccess & { ord: unknown }>(forCallersStatement(full, reads.length), [
    padTo(reads.map((r) => r.processid), size, ''),
    padTo(reads.map((r) => r.callerId), size, ''),
  ]);
  if (reads.length === 1) return [rows[0] ?? null];
  const byOrd = new Map<number, (ProcessBrief | ProcessRow) & CallerAccess>();
  for (const r of rows) byOrd.set(Number(r.ord), r);
  return reads.map((_, i) => byOrd.get(i + 1) ?? null);
}

export type ListFilter = { kind: 'none' } | { kind: 'executortype' | 'initiatorname' | 'label'; value: string };

/**
 * Go's order per state, as one ascending key: the queue order (prioritytime) for WAITING, oldest
 * start first for RUNNING, newest end first for closed ones (-endtime). The index
 * processes_colony_list (migration 5) is on (colonyname, state, LIST_KEY), so a page of one
 * state is read in order from the index instead of sorting every row of that state.
 */
export const LIST_KEY = '(CASE p.state WHEN 0 THEN p.prioritytime WHEN 1 THEN p.starttime ELSE -p.endtime END)';
const listSql = new Map<string, string>();

function filterSql(filter: ListFilter['kind'], param: number): string {
  return filter === 'none' ? '' : ` AND p.${filter} = $${param}`;
}

function listStatement(state: number, filter: ListFilter['kind']): string {
  const key = `${state}:${filter}`;
  let sql = listSql.get(key);
  if (!sql) {
    sql = `SELECT ${PROCESS_COLUMNS} FROM processes p WHERE p.colonyname = $1 AND p.state = $3${filterSql(filter, 4)} ORDER BY ${LIST_KEY} LIMIT $2`;
    listSql.set(key, sql);
  }
  return sql;
}

// Every state (-1, our superset): the newest submissions first. No index orders a colony's rows
// by submission time (one would cost every assignment and close an index entry), and sorting
// all of them took 430-600 ms at 1,000,000 rows. A process ends after it is submitted, so a
// closed row among the newest `count` submissions ended after the count-th newest submission
// time overall, hence after the count-th newest within any subset of the rows (never newer),
// such as the newest ends of each closed state (read in order from processes_colony_list).
// So: one statement finds that bound; the page is then sorted from the
// WAITING and RUNNING rows, the closed rows that ended after the bound (less the clock skew
// between replicas) and those without an end time (failed workflow members, as in Go).
const allStatesSql = new Map<string, { bound: string; page: string }>();

function allStatesStatements(filter: ListFilter['kind']): { bound: string; page: string } {
  let sql = allStatesSql.get(filter);
  if (!sql) {
    const newestEnds = (state: number) =>
      `(SELECT p.submissiontime FROM processes p WHERE p.colonyname = $1 AND p.state = ${state}${filterSql(filter, 3)} ORDER BY ${LIST_KEY} LIMIT $2)`;
    sql = {
      bound: `SELECT min(submissiontime) AS bound FROM (SELECT submissiontime FROM (${[SUCCESS, FAILED, CANCELLED].map(newestEnds).join(' UNION ALL ')}) e
                ORDER BY submissiontime DESC LIMIT $2) n`,
      // the page's ids first (narrow rows to sort), then their columns (the attributes of those only)
      page: `SELECT ${PROCESS_COLUMNS} FROM processes p
               JOIN (SELECT p.processid FROM processes p
                      WHERE p.colonyname = $1${filterSql(filter, 4)}
                        AND (p.state IN (0, 1) OR p.state IN (2, 3, 4) AND (${LIST_KEY} <= $3::int8 OR ${LIST_KEY} = 0))
                      ORDER BY p.submissiontime DESC LIMIT $2) page ON page.processid = p.processid
              ORDER BY p.submissiontime DESC`,
    };
    allStatesSql.set(filter, sql);
  }
  return sql;
}

/** getprocessesmsg: up to `count` processes of a colony in `state` (-1 = all states, newest submission first). */
export async function listProcesses(db: Db, colonyname: string, state: number, count: number, filter: ListFilter): Promise<ProcessRow[]> {
  if (count <= 0) return [];
  const value = filter.kind !== 'none' ? [filter.value] : [];
  if (state !== ALL_STATES) return db.query<ProcessRow>(listStatement(state, filter.kind), [colonyname, count, state, ...value]);
  const sql = allStatesStatements(filter.kind);
  const [{ bound }] = await db.query<{ bound: bigint | null }>(sql.bound, [colonyname, count, ...value]);
  // LIST_KEY of a closed row is -endtime: ended at or after bound - skew
  const key = bound === null ? 0n : -(BigInt(bound) - CLOCK_SKEW_NS);
  // the key bound is a range: planned for its value (see withCustomPlans)
  return withCustomPlans(db, (q) => q.query<ProcessRow>(sql.page, [colonyname, count, key, ...value]));
}

// Times of one process come from the clocks of the replicas that changed it; this is the skew
// between those clocks that processHistory tolerates.
export const CLOCK_SKEW_NS = 60_000_000_000n;

/**
 * processHistory reads the colony's rows of one state from processes_colony_list (see LIST_KEY),
 * narrowed with a bound that `submissiontime >= since` implies: a process starts and ends after
 * it was submitted. Closed members of a failed workflow keep endtime 0 (as Go), so they are
 * always read. WAITING has no such bound (its rows are the queue).
 */
function historyBound(state: number): string {
  if (state === 1) return `AND ${LIST_KEY} >= $3::int8 - ${CLOCK_SKEW_NS}`;
  if (state >= 2) return `AND (${LIST_KEY} <= -($3::int8 - ${CLOCK_SKEW_NS}) OR ${LIST_KEY} = 0)`;
  return '';
}

/** getprocesshistmsg: processes of a colony in `state` submitted since `sinceNs`, oldest first. */
export async function processHistory(db: Db, colonyname: string, executorid: string, state: number, sinceNs: bigint): Promise<ProcessRow[]> {
  // the since bound is a range: planned for its value (see withCustomPlans)
  return withCustomPlans(db, (q) =>
    q.query<ProcessRow>(
      `SELECT ${PROCESS_COLUMNS} FROM processes p
        WHERE p.colonyname = $1 AND p.state = $2 AND p.submissiontime >= $3 AND ($4 = '' OR p.assignedexecutorid = $4)
          ${historyBound(state)}
        ORDER BY p.submissiontime`,
      [colonyname, state, sinceNs, executorid],
    ),
  );
}

/**
 * The processes of one colony and executor type that entered `state` at `sinceNs` or later and
 * are still in it (WAITING: submitted since; RUNNING: started since; closed: ended since), the
 * `limit` most recent, oldest first. What a type subscriber (subscribeprocessesmsg) may have
 * missed while its replica heard no events. Read through processes_colony_list.
 */
export async function processesEnteredSince(db: Db, colonyname: string, executortype: string, state: number, sinceNs: bigint, limit: number): Promise<ProcessRow[]> {
  const since = state === 0 ? 'p.submissiontime >= $4' : state === 1 ? `${LIST_KEY} >= $4` : `${LIST_KEY} <= -$4::int8 AND ${LIST_KEY} <> 0`;
  const order = state === 0 ? 'p.submissiontime' : state === 1 ? LIST_KEY : `-${LIST_KEY}`;
  const rows = await withCustomPlans(db, (q) =>
    q.query<ProcessRow>(
      `SELECT ${PROCESS_COLUMNS} FROM processes p
        WHERE p.colonyname = $1 AND p.state = $3 AND p.executortype = $2 AND ${since}
        ORDER BY ${order} DESC LIMIT $5`,
      [colonyname, executortype, state, sinceNs, limit],
    ),
  );
  return rows.reverse();
}

/** Deletes a process that is not RUNNING and not in a workflow; false if nothing was deleted. */
export async function removeProcess(q: Queryable, processid: string): Promise<boolean> {
  const rows = await q.query<{ n: number }>(
    `WITH d AS (DELETE FROM processes WHERE processid = $1 AND state <> 1 AND processgraphid = '' RETURNING processid),
          a AS (DELETE FROM attributes WHERE targetid IN (SELECT processid FROM d))
     SELECT count(*)::int AS n FROM d`,
    [processid],
  );
  return rows[0].n > 0;
}

/** removeallprocessesmsg: the colony's non-workflow processes in `state` (-1 = every state). */
export async function removeAllProcesses(q: Queryable, colonyname: string, state: number): Promise<number> {
  const rows = await q.query<{ n: number }>(
    `WITH d AS (DELETE FROM processes WHERE colonyname = $1 AND processgraphid = '' AND ($2::int = -1 OR state = $2::int) RETURNING processid),
          a AS (DELETE FROM attributes WHERE targetid IN (SELECT processid FROM d))
     SELECT count(*)::int AS n FROM d`,
    [colonyname, state],
  );
  return rows[0].n;
}
