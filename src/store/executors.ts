// SQL for executors (PROTOCOL §6.3, SEMANTICS §3). Executor rows are never deleted by
// removal (state 3 keeps the name taken); only colony removal deletes them.
import { struct } from '../protocol/fields.js';
import { stringifyJson } from '../protocol/json.js';
import { AllocationsShape, CapabilitiesShape, type Allocations, type Capabilities, type Executor } from '../protocol/objects.js';
import { formatTime } from '../protocol/time.js';
import type { Queryable } from './db.js';

export const PENDING = 0;
export const APPROVED = 1;
export const REJECTED = 2;
export const UNREGISTERED = 3;
/** ORDER BY key: rows of executors that are not removed sort first (see getExecutorById); `e` qualifies the column. */
export const liveFirst = (e = '') => `(${e ? `${e}.` : ''}state = ${UNREGISTERED})`;

interface ExecutorRow {
  colonyname: string;
  executorname: string;
  executorid: string;
  executortype: string;
  state: number;
  requirefuncreg: boolean;
  commissiontime: bigint;
  lastheardfromtime: bigint;
  locationname: string;
  capabilities: unknown;
  allocations: unknown;
  blueprintid: string;
  blueprintgen: bigint;
}

// jsonb does not keep key order or int64 precision; re-parsing through the object schemas
// restores Go's field order and zero shapes ({"hardware":null,...}, {"projects":null}).
const capabilitiesSchema = struct(CapabilitiesShape);
const allocationsSchema = struct(AllocationsShape);

function toExecutor(r: ExecutorRow): Executor {
  return {
    executorid: r.executorid,
    executortype: r.executortype,
    executorname: r.executorname,
    colonyname: r.colonyname,
    state: r.state,
    requirefuncreg: r.requirefuncreg,
    commissiontime: formatTime(r.commissiontime),
    lastheardfromtime: formatTime(r.lastheardfromtime),
    locationname: r.locationname || undefined,
    capabilities: capabilitiesSchema.parse(r.capabilities),
    allocations: allocationsSchema.parse(r.allocations),
    blueprintid: r.blueprintid || undefined,
    blueprintgen: r.blueprintgen !== 0n ? r.blueprintgen : undefined,
  };
}

const COLUMNS = `colonyname, executorname, executorid, executortype, state, requirefuncreg, commissiontime,
  lastheardfromtime, locationname, capabilities, allocations, blueprintid, blueprintgen`;

export async function getExecutorByName(q: Queryable, colonyname: string, executorname: string): Promise<Executor | null> {
  const rows = await q.query<ExecutorRow>(`SELECT ${COLUMNS} FROM executors WHERE colonyname = $1 AND executorname = $2`, [
    colonyname,
    executorname,
  ]);
  return rows[0] ? toExecutor(rows[0]) : null;
}

/**
 * Ids are not unique across colonies (SEMANTICS §1): the first registration wins. A removed
 * executor's row keeps its id, so the same key re-added under a new name has two rows in one
 * colony: a live row wins over removed ones (liveFirst), in every lookup by id.
 */
export async function getExecutorById(q: Queryable, executorid: string): Promise<Executor | null> {
  const rows = await q.query<ExecutorRow>(`SELECT ${COLUMNS} FROM executors WHERE executorid = $1 ORDER BY ${liveFirst()}, seq LIMIT 1`, [executorid]);
  return rows[0] ? toExecutor(rows[0]) : null;
}

export async function getExecutorInColonyById(q: Queryable, colonyname: string, executorid: string): Promise<Executor | null> {
  const rows = await q.query<ExecutorRow>(
    `SELECT ${COLUMNS} FROM executors WHERE colonyname = $1 AND executorid = $2 ORDER BY ${liveFirst()}, seq LIMIT 1`,
    [colonyname, executorid],
  );
  return rows[0] ? toExecutor(rows[0]) : null;
}

export async function listExecutors(q: Queryable, colonyname: string): Promise<Executor[]> {
  const rows = await q.query<ExecutorRow>(`SELECT ${COLUMNS} FROM executors WHERE colonyname = $1 ORDER BY seq`, [colonyname]);
  return rows.map(toExecutor);
}

/** What addexecutormsg stores: the client's fields, with state and commission time decided by the server. */
export interface NewExecutor {
  colonyname: string;
  executorname: string;
  executorid: string;
  executortype: string;
  requirefuncreg: boolean;
  lastheardfromtime: bigint;
  locationname: string;
  capabilities: Capabilities;
  allocations: Allocations;
  blueprintid: string;
  blueprintgen: bigint;
  commissiontime: bigint;
}

function params(e: NewExecutor): unknown[] {
  return [
    e.colonyname,
    e.executorname,
    e.executorid,
    e.executortype,
    e.requirefuncreg,
    e.commissiontime,
    e.lastheardfromtime,
    e.locationname,
    stringifyJson(e.capabilities),
    stringifyJson(e.allocations),
    e.blueprintid,
    e.blueprintgen,
  ];
}

/** Inserts a PENDING executor; returns false when the name is already taken in the colony. */
export async function insertExecutor(q: Queryable, e: NewExecutor): Promise<boolean> {
  const rows = await q.query(
    `INSERT INTO executors (colonyname, executorname, executorid, executortype, state, requirefuncreg, commissiontime,
       lastheardfromtime, locationname, capabilities, allocations, blueprintid, blueprintgen)
     VALUES ($1, $2, $3, $4, ${PENDING}, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11, $12)
     ON CONFLICT (colonyname, executorname) DO NOTHING RETURNING executorname`,
    params(e),
  );
  return rows.length === 1;
}

/** Re-registration (COLONIES_ALLOW_EXECUTOR_REREGISTER): the existing row takes the new identity, PENDING again. */
export async function reactivateExecutor(q: Queryable, e: NewExecutor): Promise<void> {
  await q.query(
    `UPDATE executors SET executorid = $3, executortype = $4, state = ${PENDING}, requirefuncreg = $5, commissiontime = $6,
       lastheardfromtime = $7, locationname = $8, capabilities = $9::jsonb, allocations = $10::jsonb, blueprintid = $11,
       blueprintgen = $12
     WHERE colonyname = $1 AND executorname = $2`,
    params(e),
  );
}

export async function setExecutorState(q: Queryable, colonyname: string, executorname: string, state: number): Promise<void> {
  await q.query('UPDATE executors SET state = $3 WHERE colonyname = $1 AND executorname = $2', [colonyname, executorname, state]);
}

/** A process put back in the queue; enough to publish its WAITING event. */
export interface RequeuedProcess {
  processid: string;
  colonyname: string;
  executortype: string;
  processgraphid: string;
  targeted: boolean;
}

/**
 * Unregisters an executor (state 3), deletes its functions and puts its RUNNING processes back
 * to WAITING (SEMANTICS §3). Returns the requeued processes (publish their events after commit),
 * or null when there was no such executor (or it was not stale any more).
 */
export async function unregisterExecutor(
  q: Queryable,
  colonyname: string,
  executorname: string,
  /** stale cleanup: only if still not heard from since then (an assign may have come in meanwhile) */
  staleBefore?: bigint,
): Promise<RequeuedProcess[] | null> {
  const rows = await q.query<{ executorid: string }>(
    `UPDATE executors SET state = ${UNREGISTERED}
      WHERE colonyname = $1 AND executorname = $2
        AND ($3::int8 IS NULL OR (state <> ${UNREGISTERED} AND lastheardfromtime <> 0 AND lastheardfromtime < $3::int8))
      RETURNING executorid`,
    [colonyname, executorname, staleBefore ?? null],
  );
  if (rows.length === 0) return null;
  await q.query('DELETE FROM functions WHERE colonyname = $1 AND executorname = $2', [colonyname, executorname]);
  return q.query<RequeuedProcess>(
    `UPDATE processes SET state = 0, isassigned = false, assignedexecutorid = '', starttime = 0, endtime = 0
      WHERE colonyname = $1 AND assignedexecutorid = $2 AND state = 1
      RETURNING processid, colonyname, executortype, processgraphid,
        (coalesce(cardinality(executornames), 0) > 0 OR locationname <> '') AS targeted`,
    [colonyname, rows[0].executorid],
  );
}

export async function setAllocations(q: Queryable, colonyname: string, executorname: string, a: Allocations): Promise<void> {
  await q.query('UPDATE executors SET allocations = $3::jsonb WHERE colonyname = $1 AND executorname = $2', [
    colonyname,
    executorname,
    stringifyJson(a),
  ]);
}

export async function setCapabilities(q: Queryable, colonyname: string, executorname: string, c: Capabilities): Promise<void> {
  await q.query('UPDATE executors SET capabilities = $3::jsonb WHERE colonyname = $1 AND executorname = $2', [
    colonyname,
    executorname,
    stringifyJson(c),
  ]);
}

/**
 * Returns false when another executor of the colony that is not removed already has `newId`
 * (two live executors with one key would make every lookup by id a coin toss).
 */
export async function changeExecutorId(q: Queryable, colonyname: string, executorname: string, newId: string): Promise<boolean> {
  const rows = await q.query(
    `UPDATE executors SET executorid = $3 WHERE colonyname = $1 AND executorname = $2
       AND NOT EXISTS (SELECT 1 FROM executors o WHERE o.colonyname = $1 AND o.executorid = $3 AND o.executorname <> $2 AND o.state <> ${UNREGISTERED})
     RETURNING executorname`,
    [colonyname, executorname, newId],
  );
  return rows.length === 1;
}

/**
 * Serialises, until the transaction ends, every transaction that checks or gives `executorid`
 * to an executor of the colony: without it, two adds (or an add and an id change) of one key
 * could both find it free and both take it.
 */
export async function lockExecutorId(q: Queryable, colonyname: string, executorid: string): Promise<void> {
  await q.query("SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || '/executorid/' || $1 || '/' || $2, 0))", [colonyname, executorid]);
}

/** Is `executorid` held by an executor of the colony that is not removed (other than `exceptName`)? */
export async function liveExecutorIdTaken(q: Queryable, colonyname: string, executorid: string, exceptName = ''): Promise<boolean> {
  const rows = await q.query(
    `SELECT 1 FROM executors WHERE colonyname = $1 AND executorid = $2 AND executorname <> $3 AND state <> ${UNREGISTERED} LIMIT 1`,
    [colonyname, executorid, exceptName],
  );
  return rows.length > 0;
}

/** Executors (not yet unregistered) that assigned at least once but not since `cutoffNs`. */
export async function staleExecutors(q: Queryable, cutoffNs: bigint): Promise<{ colonyname: string; executorname: string }[]> {
  return q.query(
    `SELECT colonyname, executorname FROM executors
      WHERE state <> ${UNREGISTERED} AND lastheardfromtime <> 0 AND lastheardfromtime < $1
      ORDER BY seq`,
    [cutoffNs],
  );
}
