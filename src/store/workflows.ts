// SQL for process graphs (PROTOCOL §6.9, SEMANTICS §8). Member processes live in `processes`
// (processgraphid set); this file reads and changes them set-wise, never one by one.
import { formatTime } from '../protocol/time.js';
import type { ProcessGraph } from '../protocol/objects.js';
import { reachableIds, type MemberInfo } from '../domain/workflow.js';
import type { Queryable } from './db.js';

export interface GraphRow {
  processgraphid: string;
  colonyname: string;
  initiatorid: string;
  initiatorname: string;
  rootprocessids: string[];
  state: number;
  submissiontime: bigint;
  starttime: bigint;
  endtime: bigint;
}

const GRAPH_COLUMNS = 'processgraphid, colonyname, initiatorid, initiatorname, rootprocessids, state, submissiontime, starttime, endtime';

export async function insertGraph(q: Queryable, g: GraphRow): Promise<void> {
  await q.query(
    `INSERT INTO process_graphs (${GRAPH_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [g.processgraphid, g.colonyname, g.initiatorid, g.initiatorname, g.rootprocessids, g.state, g.submissiontime, g.starttime, g.endtime],
  );
}

export async function getGraph(q: Queryable, id: string): Promise<GraphRow | null> {
  const rows = await q.query<GraphRow>(`SELECT ${GRAPH_COLUMNS} FROM process_graphs WHERE processgraphid = $1`, [id]);
  return rows[0] ?? null;
}

/** Locks the graph row for the rest of the transaction: graph changes are serialised per graph. */
export async function lockGraph(q: Queryable, id: string): Promise<GraphRow | null> {
  const rows = await q.query<GraphRow>(`SELECT ${GRAPH_COLUMNS} FROM process_graphs WHERE processgraphid = $1 FOR UPDATE`, [id]);
  return rows[0] ?? null;
}

// Every filter on a graph's members says `processgraphid <> ''` as well. processes_graph is a
// partial index (WHERE processgraphid <> ''), and a generic plan (the server's sessions force
// them, ./postgres.ts) cannot tell that `processgraphid = $1` rules '' out: without this clause
// it read the whole table, 420 ms at 1,000,000 processes for every graph resolved or listed.
const MEMBER = "processgraphid <> ''";

export async function listGraphs(q: Queryable, colonyname: string, state: number, count: number): Promise<GraphRow[]> {
  return q.query<GraphRow>(
    `SELECT ${GRAPH_COLUMNS} FROM process_graphs WHERE colonyname = $1 AND state = $2 ORDER BY submissiontime DESC LIMIT $3`,
    [colonyname, state, count],
  );
}

interface MemberRow extends MemberInfo {
  processgraphid: string;
}

/** Members of the given graphs (what the walk and the layout need), grouped by graph. */
export async function graphMembers(q: Queryable, graphIds: string[]): Promise<Map<string, Map<string, MemberInfo>>> {
  const out = new Map<string, Map<string, MemberInfo>>(graphIds.map((id) => [id, new Map()]));
  if (graphIds.length === 0) return out;
  const rows = await q.query<MemberRow>(
    `SELECT processgraphid, processid, coalesce(spec->>'nodename', '') AS nodename, state, parents, children
       FROM processes WHERE processgraphid = ANY($1::text[]) AND ${MEMBER}`,
    [graphIds],
  );
  for (const r of rows) out.get(r.processgraphid)?.set(r.processid, r);
  return out;
}

/** The wire ProcessGraph of a row; `processids` are the members reachable from the roots. */
export function graphToWire(g: GraphRow, members: ReadonlyMap<string, MemberInfo>): ProcessGraph {
  return {
    processgraphid: g.processgraphid,
    initiatorid: g.initiatorid,
    initiatorname: g.initiatorname,
    colonyname: g.colonyname,
    rootprocessids: g.rootprocessids,
    state: g.state,
    submissiontime: formatTime(g.submissiontime),
    starttime: formatTime(g.starttime),
    endtime: formatTime(g.endtime),
    processids: reachableIds(g.rootprocessids, members),
    nodes: [],
    edges: [],
  };
}

/** Deletes graphs and every member process (with its attributes); logs are kept. */
export async function deleteGraphs(q: Queryable, graphIds: string[]): Promise<void> {
  if (graphIds.length === 0) return;
  await q.query(
    `DELETE FROM attributes WHERE targetid IN (SELECT processid FROM processes WHERE processgraphid = ANY($1::text[]) AND ${MEMBER})`,
    [graphIds],
  );
  await q.query(`DELETE FROM processes WHERE processgraphid = ANY($1::text[]) AND ${MEMBER}`, [graphIds]);
  await q.query('DELETE FROM process_graphs WHERE processgraphid = ANY($1::text[])', [graphIds]);
}

/**
 * removeallprocessgraphsmsg: graphs of the colony in `state` (-1: all) and, like the original,
 * every workflow process of the colony in that *process* state, with their attributes.
 */
export async function deleteGraphsInState(q: Queryable, colonyname: string, state: number): Promise<void> {
  const all = state === -1;
  await q.query(
    `DELETE FROM attributes WHERE targetid IN (
        SELECT processid FROM processes WHERE colonyname = $1 AND processgraphid <> '' AND ($2::boolean OR state = $3))`,
    [colonyname, all, state],
  );
  await q.query(`DELETE FROM processes WHERE colonyname = $1 AND processgraphid <> '' AND ($2::boolean OR state = $3)`, [colonyname, all, state]);
  await q.query('DELETE FROM process_graphs WHERE colonyname = $1 AND ($2::boolean OR state = $3)', [colonyname, all, state]);
}

/** What an event about a process needs. */
export interface MemberEventRow {
  processid: string;
  colonyname: string;
  executortype: string;
  state: number;
  targeted: boolean;
}

// A process names executors or a location: every waiter must look at it, not just one.
const TARGETED = `(p.locationname <> '' OR coalesce(cardinality(p.executornames), 0) > 0 AND p.executornames <> ARRAY['*'])`;
const EVENT_COLUMNS = `p.processid, p.colonyname, p.executortype, p.state, ${TARGETED} AS targeted`;

/** Member events of the given processes (for roots after submit). */
export async function eventRows(q: Queryable, processIds: string[]): Promise<MemberEventRow[]> {
  if (processIds.length === 0) return [];
  return q.query<MemberEventRow>(`SELECT ${EVENT_COLUMNS} FROM processes p WHERE p.processid = ANY($1::text[])`, [processIds]);
}

/**
 * Failure cascade: every member not FAILED becomes FAILED (state only, as the original).
 * Rows locked by a concurrent transaction are skipped instead of waited for: such a
 * transaction is itself changing a member and resolves the graph after us (cascading its row
 * then), and waiting could deadlock with it.
 */
export async function cascadeFailed(q: Queryable, graphId: string): Promise<MemberEventRow[]> {
  return q.query<MemberEventRow>(
    `UPDATE processes p SET state = 3
      WHERE p.processid IN (SELECT processid FROM processes WHERE processgraphid = $1 AND ${MEMBER} AND state <> 3 FOR UPDATE SKIP LOCKED)
      RETURNING ${EVENT_COLUMNS}`,
    [graphId],
  );
}

/** True when some member has a FAILED parent (the trigger of the cascade). */
export async function hasFailedParent(q: Queryable, graphId: string): Promise<boolean> {
  const rows = await q.query<{ failed: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM processes c JOIN processes p ON p.processid = ANY(c.parents)
                     WHERE c.processgraphid = $1 AND c.${MEMBER} AND p.state = 3) AS failed`,
    [graphId],
  );
  return rows[0]?.failed ?? false;
}

/**
 * Clears `waitforparents` of every member whose parents all succeeded; returns the released.
 * Locked rows are skipped: the only transactions that hold a waiting-for-parents row are
 * timeouts failing it, which makes releasing it moot (and waiting on them could deadlock).
 */
export async function releaseChildren(q: Queryable, graphId: string): Promise<MemberEventRow[]> {
  return q.query<MemberEventRow>(
    `UPDATE processes p SET waitforparents = false
      WHERE p.processid IN (
        SELECT c.processid FROM processes c
         WHERE c.processgraphid = $1 AND c.${MEMBER} AND c.waitforparents
           AND NOT EXISTS (SELECT 1 FROM processes par WHERE par.processid = ANY(c.parents) AND par.state <> 2)
         FOR UPDATE OF c SKIP LOCKED)
      RETURNING ${EVENT_COLUMNS}`,
    [graphId],
  );
}

export interface MemberCounts {
  total: number;
  running: number;
  success: number;
  failed: number;
  cancelled: number;
}

export async function memberCounts(q: Queryable, graphId: string): Promise<MemberCounts> {
  const rows = await q.query<MemberCounts>(
    `SELECT count(*)::int AS total,
            count(*) FILTER (WHERE state = 1)::int AS running,
            count(*) FILTER (WHERE state = 2)::int AS success,
            count(*) FILTER (WHERE state = 3)::int AS failed,
            count(*) FILTER (WHERE state = 4)::int AS cancelled
       FROM processes WHERE processgraphid = $1 AND ${MEMBER}`,
    [graphId],
  );
  return rows[0];
}

export async function setGraphState(q: Queryable, graphId: string, state: number, starttime: bigint, endtime: bigint): Promise<void> {
  await q.query('UPDATE process_graphs SET state = $2, starttime = $3, endtime = $4 WHERE processgraphid = $1', [
    graphId,
    state,
    starttime,
    endtime,
  ]);
}

/** cancelprocessgraphmsg: WAITING/RUNNING members → CANCELLED (+endtime); returns them. */
export async function cancelMembers(q: Queryable, graphId: string, now: bigint): Promise<MemberEventRow[]> {
  return q.query<MemberEventRow>(
    `UPDATE processes p SET state = 4, endtime = $2
      WHERE p.processgraphid = $1 AND p.${MEMBER} AND p.state IN (0, 1)
      RETURNING ${EVENT_COLUMNS}`,
    [graphId, now],
  );
}

/** The few columns of a process that access checks and graph operations need. */
export interface ProcessHead {
  processid: string;
  colonyname: string;
  executortype: string;
  state: number;
  assignedexecutorid: string;
  processgraphid: string;
  parents: string[];
  children: string[];
}

export async function processHeads(q: Queryable, ids: string[], lock = false): Promise<Map<string, ProcessHead>> {
  if (ids.length === 0) return new Map();
  const rows = await q.query<ProcessHead>(
    `SELECT processid, colonyname, executortype, state, assignedexecutorid, processgraphid, parents, children
       FROM processes WHERE processid = ANY($1::text[])${lock ? ' FOR UPDATE' : ''}`,
    [ids],
  );
  return new Map(rows.map((r) => [r.processid, r]));
}

export async function processHead(q: Queryable, id: string, lock = false): Promise<ProcessHead | null> {
  return (await processHeads(q, [id], lock)).get(id) ?? null;
}

export async function setParents(q: Queryable, id: string, parents: string[]): Promise<void> {
  await q.query('UPDATE processes SET parents = $2 WHERE processid = $1', [id, parents]);
}

export async function setChildren(q: Queryable, id: string, children: string[]): Promise<void> {
  await q.query('UPDATE processes SET children = $2 WHERE processid = $1', [id, children]);
}

/** The concatenated `out` of the graph's leaves in walk order (a cron's next root input). */
export async function leafOutputs(q: Queryable, graph: GraphRow): Promise<unknown[]> {
  const members = (await graphMembers(q, [graph.processgraphid])).get(graph.processgraphid)!;
  const leaves = reachableIds(graph.rootprocessids, members).filter((id) => members.get(id)!.children.length === 0);
  if (leaves.length === 0) return [];
  const rows = await q.query<{ processid: string; output: unknown[] | null }>(
    'SELECT processid, output FROM processes WHERE processid = ANY($1::text[])',
    [leaves],
  );
  const out = new Map(rows.map((r) => [r.processid, r.output ?? []]));
  return leaves.flatMap((id) => out.get(id) ?? []);
}

/** Retention: SUCCESS graphs submitted before the cutoff. */
export async function successfulGraphsBefore(q: Queryable, cutoffNs: bigint, limit: number): Promise<string[]> {
  const rows = await q.query<{ processgraphid: string }>(
    'SELECT processgraphid FROM process_graphs WHERE state = 2 AND submissiontime < $1 ORDER BY submissiontime LIMIT $2',
    [cutoffNs, limit],
  );
  return rows.map((r) => r.processgraphid);
}
