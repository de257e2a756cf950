// SQL for crons (PROTOCOL §6.12, SEMANTICS §10).
import type { Cron } from '../protocol/objects.js';
import { formatTime } from '../protocol/time.js';
import type { Queryable } from './db.js';

export interface CronRow {
  cronid: string;
  colonyname: string;
  name: string;
  initiatorid: string;
  initiatorname: string;
  cronexpression: string;
  interval: number;
  random: boolean;
  nextrun: bigint;
  lastrun: bigint;
  workflowspec: string;
  prevprocessgraphid: string;
  waitforprevprocessgraph: boolean;
}

const COLUMNS = `cronid, colonyname, name, initiatorid, initiatorname, cronexpression, interval, random, nextrun, lastrun,
  workflowspec, prevprocessgraphid, waitforprevprocessgraph`;

export function cronToWire(r: CronRow, checkerperiod = 0): Cron {
  return {
    cronid: r.cronid,
    initiatorid: r.initiatorid,
    initiatorname: r.initiatorname,
    colonyname: r.colonyname,
    name: r.name,
    cronexpression: r.cronexpression,
    interval: r.interval,
    random: r.random,
    nextrun: formatTime(r.nextrun),
    lastrun: formatTime(r.lastrun),
    workflowspec: r.workflowspec,
    prevprocessgraphid: r.prevprocessgraphid,
    waitforprevprocessgraph: r.waitforprevprocessgraph,
    checkerperiod,
  };
}

/** Returns false when the name is taken in the colony. */
export async function insertCron(q: Queryable, c: CronRow): Promise<boolean> {
  const rows = await q.query(
    `INSERT INTO crons (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (colonyname, name) DO NOTHING RETURNING cronid`,
    [
      c.cronid,
      c.colonyname,
      c.name,
      c.initiatorid,
      c.initiatorname,
      c.cronexpression,
      c.interval,
      c.random,
      c.nextrun,
      c.lastrun,
      c.workflowspec,
      c.prevprocessgraphid,
      c.waitforprevprocessgraph,
    ],
  );
  return rows.length === 1;
}

export async function getCron(q: Queryable, cronid: string, lock = false): Promise<CronRow | null> {
  const rows = await q.query<CronRow>(`SELECT ${COLUMNS} FROM crons WHERE cronid = $1${lock ? ' FOR UPDATE' : ''}`, [cronid]);
  return rows[0] ?? null;
}

export async function listCrons(q: Queryable, colonyname: string, count: number): Promise<CronRow[]> {
  return q.query<CronRow>(`SELECT ${COLUMNS} FROM crons WHERE colonyname = $1 ORDER BY seq LIMIT $2`, [colonyname, count]);
}

export async function removeCron(q: Queryable, cronid: string): Promise<void> {
  await q.query('DELETE FROM crons WHERE cronid = $1', [cronid]);
}

/** Crons to look at in a scheduler tick: never scheduled, or due. */
export async function dueCrons(q: Queryable, nowNs: bigint): Promise<CronRow[]> {
  return q.query<CronRow>(`SELECT ${COLUMNS} FROM crons WHERE nextrun = 0 OR nextrun < $1 ORDER BY nextrun`, [nowNs]);
}

export async function setNextRun(q: Queryable, cronid: string, nextrun: bigint): Promise<void> {
  await q.query('UPDATE crons SET nextrun = $2 WHERE cronid = $1', [cronid, nextrun]);
}

/**
 * Records a run (next due time, last run, the graph just spawned) as a compare-and-set on
 * `nextrun`: with `expectedNextrun` set, only if the cron still has it, so one due time fires
 * once even if two schedulers race. Returns false when another run got there first.
 */
export async function recordRun(
  q: Queryable,
  cronid: string,
  expectedNextrun: bigint | null,
  run: { nextrun: bigint; lastrun: bigint; graphId: string },
): Promise<boolean> {
  const rows = await q.query(
    `UPDATE crons SET nextrun = $2, lastrun = $3, prevprocessgraphid = $4
      WHERE cronid = $1 AND ($5::int8 IS NULL OR nextrun = $5::int8) RETURNING cronid`,
    [cronid, run.nextrun, run.lastrun, run.graphId, expectedNextrun],
  );
  return rows.length === 1;
}

/** First sighting of a cron: schedule it, unless someone else did meanwhile. */
export async function scheduleFirstRun(q: Queryable, cronid: string, nextrun: bigint): Promise<void> {
  await q.query('UPDATE crons SET nextrun = $2 WHERE cronid = $1 AND nextrun = 0', [cronid, nextrun]);
}

/** Removes the colony's cron with this name, if any (the blueprint reconcile crons are found by name). */
export async function removeCronByName(q: Queryable, colonyname: string, name: string): Promise<void> {
  await q.query('DELETE FROM crons WHERE colonyname = $1 AND name = $2', [colonyname, name]);
}
