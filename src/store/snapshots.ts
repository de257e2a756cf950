// ColonyFS snapshots (OBJECTS §15, SEMANTICS §12): a named, frozen list of file revision ids.
// Removing files later does not touch the snapshots that reference them.
import { randomId } from '../domain/ids.js';
import type { Snapshot } from '../protocol/objects.js';
import { formatTime, nowNs } from '../protocol/time.js';
import type { Queryable } from './db.js';
import { latestFileIdsUnder } from './files.js';

interface SnapshotRow {
  snapshotid: string;
  colonyname: string;
  label: string;
  name: string;
  fileids: string[] | null;
  added: bigint;
}

const COLUMNS = 'snapshotid, colonyname, label, name, fileids, added';

function toWire(r: SnapshotRow): Snapshot {
  return {
    snapshotid: r.snapshotid,
    colonyname: r.colonyname,
    label: r.label,
    name: r.name,
    // Go keeps a nil slice for a snapshot of nothing, so `fileids` is null then
    fileids: r.fileids && r.fileids.length > 0 ? r.fileids : null,
    added: formatTime(r.added),
  };
}

/**
 * Captures the newest revision of every file in `label` and below. Returns null when the
 * colony already has a snapshot with this name. The label is stored without a trailing '/'.
 */
export async function createSnapshot(q: Queryable, colonyname: string, label: string, name: string): Promise<Snapshot | null> {
  const trimmed = label.endsWith('/') ? label.slice(0, -1) : label;
  const fileids = await latestFileIdsUnder(q, colonyname, trimmed);
  const rows = await q.query<SnapshotRow>(
    `INSERT INTO snapshots (snapshotid, colonyname, label, name, fileids, added)
     VALUES ($1, $2, $3, $4, $5::text[], $6)
     ON CONFLICT (colonyname, name) DO NOTHING
     RETURNING ${COLUMNS}`,
    [randomId(), colonyname, trimmed, name, fileids.length > 0 ? fileids : null, nowNs()],
  );
  return rows[0] ? toWire(rows[0]) : null;
}

export async function getSnapshotById(q: Queryable, colonyname: string, snapshotid: string): Promise<Snapshot | null> {
  const rows = await q.query<SnapshotRow>(`SELECT ${COLUMNS} FROM snapshots WHERE colonyname = $1 AND snapshotid = $2`, [
    colonyname,
    snapshotid,
  ]);
  return rows[0] ? toWire(rows[0]) : null;
}

export async function getSnapshotByName(q: Queryable, colonyname: string, name: string): Promise<Snapshot | null> {
  const rows = await q.query<SnapshotRow>(`SELECT ${COLUMNS} FROM snapshots WHERE colonyname = $1 AND name = $2`, [colonyname, name]);
  return rows[0] ? toWire(rows[0]) : null;
}

/** Newest first. */
export async function getSnapshots(q: Queryable, colonyname: string): Promise<Snapshot[]> {
  const rows = await q.query<SnapshotRow>(`SELECT ${COLUMNS} FROM snapshots WHERE colonyname = $1 ORDER BY added DESC`, [colonyname]);
  return rows.map(toWire);
}

export async function removeSnapshotById(q: Queryable, colonyname: string, snapshotid: string): Promise<void> {
  await q.query('DELETE FROM snapshots WHERE colonyname = $1 AND snapshotid = $2', [colonyname, snapshotid]);
}

export async function removeSnapshotByName(q: Queryable, colonyname: string, name: string): Promise<void> {
  await q.query('DELETE FROM snapshots WHERE colonyname = $1 AND name = $2', [colonyname, name]);
}

export async function removeAllSnapshots(q: Queryable, colonyname: string): Promise<void> {
  await q.query('DELETE FROM snapshots WHERE colonyname = $1', [colonyname]);
}
