// SQL for generators and their queue of packed args (PROTOCOL §6.11, SEMANTICS §9).
import type { Generator } from '../protocol/objects.js';
import { formatTime } from '../protocol/time.js';
import type { Queryable } from './db.js';

export interface GeneratorRow {
  generatorid: string;
  colonyname: string;
  name: string;
  initiatorid: string;
  initiatorname: string;
  workflowspec: string;
  trigger: number;
  timeout: number;
  firstpack: bigint;
  lastrun: bigint;
}

const COLUMNS = 'generatorid, colonyname, name, initiatorid, initiatorname, workflowspec, trigger, timeout, firstpack, lastrun';

export function generatorToWire(r: GeneratorRow, queuesize = 0, checkerperiod = 0): Generator {
  return {
    generatorid: r.generatorid,
    initiatorid: r.initiatorid,
    initiatorname: r.initiatorname,
    colonyname: r.colonyname,
    name: r.name,
    workflowspec: r.workflowspec,
    trigger: r.trigger,
    timeout: r.timeout,
    firstpack: formatTime(r.firstpack),
    lastrun: formatTime(r.lastrun),
    queuesize,
    checkerperiod,
  };
}

/** Returns false when the name is taken in the colony. */
export async function insertGenerator(q: Queryable, g: GeneratorRow): Promise<boolean> {
  const rows = await q.query(
    `INSERT INTO generators (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (colonyname, name) DO NOTHING RETURNING generatorid`,
    [g.generatorid, g.colonyname, g.name, g.initiatorid, g.initiatorname, g.workflowspec, g.trigger, g.timeout, g.firstpack, g.lastrun],
  );
  return rows.length === 1;
}

export async function getGenerator(q: Queryable, generatorid: string, lock = false): Promise<GeneratorRow | null> {
  const rows = await q.query<GeneratorRow>(`SELECT ${COLUMNS} FROM generators WHERE generatorid = $1${lock ? ' FOR UPDATE' : ''}`, [generatorid]);
  return rows[0] ?? null;
}

export async function getGeneratorByName(q: Queryable, colonyname: string, name: string): Promise<GeneratorRow | null> {
  const rows = await q.query<GeneratorRow>(`SELECT ${COLUMNS} FROM generators WHERE colonyname = $1 AND name = $2`, [colonyname, name]);
  return rows[0] ?? null;
}

export async function listGenerators(q: Queryable, colonyname: string, count: number): Promise<GeneratorRow[]> {
  return q.query<GeneratorRow>(`SELECT ${COLUMNS} FROM generators WHERE colonyname = $1 ORDER BY seq LIMIT $2`, [colonyname, count]);
}

/** Deletes the generator and its queued args. */
export async function removeGenerator(q: Queryable, generatorid: string): Promise<void> {
  await q.query('DELETE FROM generator_args WHERE generatorid = $1', [generatorid]);
  await q.query('DELETE FROM generators WHERE generatorid = $1', [generatorid]);
}

/** Queues an arg; the first pack ever sets `firstpack`. */
export async function packArg(q: Queryable, g: GeneratorRow, arg: string, now: bigint): Promise<void> {
  await q.query('INSERT INTO generator_args (generatorid, colonyname, arg, added) VALUES ($1, $2, $3, $4)', [g.generatorid, g.colonyname, arg, now]);
  await q.query('UPDATE generators SET firstpack = $2 WHERE generatorid = $1 AND firstpack = 0', [g.generatorid, now]);
}

export async function queueSize(q: Queryable, generatorid: string): Promise<number> {
  const rows = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM generator_args WHERE generatorid = $1', [generatorid]);
  return rows[0].n;
}

/** Generators that have queued args, with their queue sizes (one statement per scheduler tick). */
export async function generatorsWithArgs(q: Queryable): Promise<{ g: GeneratorRow; queued: number }[]> {
  const rows = await q.query<GeneratorRow & { queued: number }>(
    `SELECT ${COLUMNS.split(', ')
      .map((c) => `g.${c}`)
      .join(', ')}, a.queued
       FROM generators g JOIN (SELECT generatorid, count(*)::int AS queued FROM generator_args GROUP BY generatorid) a
         ON a.generatorid = g.generatorid
      ORDER BY g.seq`,
  );
  return rows.map(({ queued, ...g }) => ({ g, queued }));
}

/**
 * Takes (deletes and returns) the oldest `n` queued args, in queue order. Rows another
 * transaction is taking are skipped, so no arg is ever consumed twice.
 */
export async function takeArgs(q: Queryable, generatorid: string, n: number): Promise<string[]> {
  const rows = await q.query<{ seq: bigint; arg: string }>(
    `DELETE FROM generator_args WHERE seq IN (
        SELECT seq FROM generator_args WHERE generatorid = $1 ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING seq, arg`,
    [generatorid, n],
  );
  return rows.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1)).map((r) => r.arg);
}

export async function setLastRun(q: Queryable, generatorid: string, now: bigint): Promise<void> {
  await q.query('UPDATE generators SET lastrun = $2 WHERE generatorid = $1', [generatorid, now]);
}
