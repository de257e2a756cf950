// SQL for colonies (PROTOCOL §6.2) and the server id.
import type { Colony } from '../protocol/objects.js';
import type { Queryable } from './db.js';

interface ColonyRow {
  name: string;
  colonyid: string;
}

const toColony = (r: ColonyRow): Colony => ({ colonyid: r.colonyid, name: r.name });

export async function getColony(q: Queryable, name: string): Promise<Colony | null> {
  const rows = await q.query<ColonyRow>('SELECT name, colonyid FROM colonies WHERE name = $1', [name]);
  return rows[0] ? toColony(rows[0]) : null;
}

export async function listColonies(q: Queryable): Promise<Colony[]> {
  const rows = await q.query<ColonyRow>('SELECT name, colonyid FROM colonies ORDER BY seq');
  return rows.map(toColony);
}

/** Returns false when the name is taken (concurrent adds race on the primary key, not on a read). */
export async function insertColony(q: Queryable, c: Colony): Promise<boolean> {
  const rows = await q.query('INSERT INTO colonies (name, colonyid) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING name', [
    c.name,
    c.colonyid,
  ]);
  return rows.length === 1;
}

export async function setColonyId(q: Queryable, name: string, colonyid: string): Promise<void> {
  await q.query('UPDATE colonies SET colonyid = $2 WHERE name = $1', [name, colonyid]);
}

export async function setPaused(q: Queryable, name: string, paused: boolean): Promise<void> {
  await q.query('UPDATE colonies SET paused = $2 WHERE name = $1', [name, paused]);
}

export async function isPaused(q: Queryable, name: string): Promise<boolean> {
  const rows = await q.query<{ paused: boolean }>('SELECT paused FROM colonies WHERE name = $1', [name]);
  return rows[0]?.paused ?? false;
}

export async function setServerId(q: Queryable, serverid: string): Promise<void> {
  await q.query(
    "INSERT INTO server_config (key, value) VALUES ('serverid', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
    [serverid],
  );
}

// ---------------------------------------------------------------------------------------------
// Removing a colony removes everything of it (DECISIONS.md): every table of the schema with a
// `colonyname` column, found at run time, so tables added by later migrations are covered
// without touching this file. Data that is not keyed by colony name registers a cleanup.

export type ColonyCleanup = (q: Queryable, colonyname: string) => Promise<void>;

const cleanups: ColonyCleanup[] = [];

/** Runs inside the removal transaction, before the generic per-table deletes. */
export function onColonyRemoval(fn: ColonyCleanup): void {
  cleanups.push(fn);
}

async function tablesWithColonyName(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ table_name: string }>(
    `SELECT c.table_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = current_schema() AND c.column_name = 'colonyname' AND t.table_type = 'BASE TABLE'
      ORDER BY c.table_name`,
  );
  // Parents last, so a child table that references processes/executors without ON DELETE
  // CASCADE is emptied before its parent.
  const last = ['processes', 'executors'];
  const names = rows.map((r) => r.table_name);
  return [...names.filter((n) => !last.includes(n)), ...last.filter((n) => names.includes(n))];
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Deletes the colony and all its rows; returns false when there is no such colony. */
export async function removeColony(q: Queryable, name: string): Promise<boolean> {
  const found = await q.query('SELECT name FROM colonies WHERE name = $1 FOR UPDATE', [name]);
  if (found.length === 0) return false;
  for (const fn of cleanups) await fn(q, name);
  // Attributes belong to processes; their targetcolonyname is client supplied, so it only
  // decides for orphans (no process left) and never reaches into another colony's processes.
  await q.query(
    `DELETE FROM attributes a
      WHERE a.targetid IN (SELECT processid FROM processes WHERE colonyname = $1)
         OR (a.targetcolonyname = $1 AND NOT EXISTS (SELECT 1 FROM processes p WHERE p.processid = a.targetid))`,
    [name],
  );
  for (const table of await tablesWithColonyName(q)) {
    await q.query(`DELETE FROM ${quoteIdent(table)} WHERE colonyname = $1`, [name]);
  }
  await q.query('DELETE FROM colonies WHERE name = $1', [name]);
  return true;
}
