// ColonyFS file metadata (OBJECTS §15, SEMANTICS §12). The bytes live in S3; a row says where.
// Revisions of one file share colony + label + name; the newest has the highest sequencenr,
// which comes from one server-wide sequence (file_seq).
import { randomId } from '../domain/ids.js';
import { parseJson, stringifyJson } from '../protocol/json.js';
import { RefSchema, type File, type FileData, type Label, type Ref } from '../protocol/objects.js';
import { formatTime, nowNs } from '../protocol/time.js';
import type { Queryable } from './db.js';

interface FileRow {
  fileid: string;
  colonyname: string;
  label: string;
  name: string;
  size: bigint;
  sequencenr: bigint;
  checksum: string;
  checksumalg: string;
  ref: string;
  added: bigint;
}

const COLUMNS = 'fileid, colonyname, label, name, size, sequencenr, checksum, checksumalg, ref::text AS ref, added';

function toWire(r: FileRow): File {
  return {
    fileid: r.fileid,
    colonyname: r.colonyname,
    label: r.label,
    name: r.name,
    size: r.size,
    sequencenr: r.sequencenr,
    checksum: r.checksum,
    checksumalg: r.checksumalg,
    ref: RefSchema.parse(parseJson(r.ref)) as Ref,
    added: formatTime(r.added),
  };
}

export interface NewFile {
  colonyname: string;
  label: string;
  name: string;
  size: bigint;
  checksum: string;
  checksumalg: string;
  ref: Ref;
}

/** Stores a new revision: fresh id, next sequencenr, added = now. */
export async function insertFile(q: Queryable, f: NewFile): Promise<File> {
  const rows = await q.query<FileRow>(
    `INSERT INTO files (fileid, colonyname, label, name, size, checksum, checksumalg, ref, added)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)
     RETURNING ${COLUMNS}`,
    [randomId(), f.colonyname, f.label, f.name, f.size, f.checksum, f.checksumalg, stringifyJson(f.ref), nowNs()],
  );
  return toWire(rows[0]);
}

export async function getFileById(q: Queryable, colonyname: string, fileid: string): Promise<File | null> {
  const rows = await q.query<FileRow>(`SELECT ${COLUMNS} FROM files WHERE colonyname = $1 AND fileid = $2`, [colonyname, fileid]);
  return rows[0] ? toWire(rows[0]) : null;
}

/** All revisions of label/name, newest first (or only the newest). */
export async function getFilesByName(q: Queryable, colonyname: string, label: string, name: string, latest: boolean): Promise<File[]> {
  const rows = await q.query<FileRow>(
    `SELECT ${COLUMNS} FROM files WHERE colonyname = $1 AND label = $2 AND name = $3
     ORDER BY sequencenr DESC ${latest ? 'LIMIT 1' : ''}`,
    [colonyname, label, name],
  );
  return rows.map(toWire);
}

/** The newest revision of every file name with exactly this label. */
export async function getFileData(q: Queryable, colonyname: string, label: string): Promise<FileData[]> {
  const rows = await q.query<{ name: string; checksum: string; size: bigint; ref: string }>(
    `SELECT DISTINCT ON (name) name, checksum, size, ref::text AS ref FROM files
     WHERE colonyname = $1 AND label = $2 ORDER BY name, sequencenr DESC`,
    [colonyname, label],
  );
  return rows.map((r) => ({
    name: r.name,
    checksum: r.checksum,
    size: r.size,
    s3filename: RefSchema.parse(parseJson(r.ref)).s3object.object,
  }));
}

const LABEL_COUNTS = 'SELECT label AS name, count(*)::int AS files FROM files WHERE colonyname = $1';

/**
 * Labels with their file counts (all revisions). `name` empty: every label; `exact` false:
 * labels starting with `name`; `exact` true: `name` itself and labels under `name/` — and
 * nothing at all when `name` itself has no files (Go quirk, SEMANTICS §12).
 * Go matches with SQL LIKE without escaping; we match a literal prefix, so `_` and `%` in a
 * label are ordinary characters.
 */
export async function getFileLabels(q: Queryable, colonyname: string, name: string, exact: boolean): Promise<Label[]> {
  if (name === '') {
    return q.query<Label>(`${LABEL_COUNTS} GROUP BY label ORDER BY label`, [colonyname]);
  }
  if (!exact) {
    return q.query<Label>(`${LABEL_COUNTS} AND starts_with(label, $2) GROUP BY label ORDER BY label`, [colonyname, name]);
  }
  const rows = await q.query<Label>(
    `${LABEL_COUNTS} AND (label = $2 OR starts_with(label, $2 || '/')) GROUP BY label ORDER BY label`,
    [colonyname, name],
  );
  return rows.some((l) => l.name === name) ? rows : [];
}

export async function removeFileById(q: Queryable, colonyname: string, fileid: string): Promise<void> {
  await q.query('DELETE FROM files WHERE colonyname = $1 AND fileid = $2', [colonyname, fileid]);
}

/** Removes every revision of label/name. */
export async function removeFilesByName(q: Queryable, colonyname: string, label: string, name: string): Promise<void> {
  await q.query('DELETE FROM files WHERE colonyname = $1 AND label = $2 AND name = $3', [colonyname, label, name]);
}

/**
 * Ids of the newest revision of every file in `label` and in the labels below it, provided
 * `label` itself has files (the same quirk as getFileLabels with exact = true).
 */
export async function latestFileIdsUnder(q: Queryable, colonyname: string, label: string): Promise<string[]> {
  const rows = await q.query<{ fileid: string }>(
    `SELECT DISTINCT ON (label, name) fileid FROM files
      WHERE colonyname = $1 AND (label = $2 OR starts_with(label, $2 || '/'))
        AND EXISTS (SELECT 1 FROM files f WHERE f.colonyname = $1 AND f.label = $2)
      ORDER BY label, name, sequencenr DESC`,
    [colonyname, label],
  );
  return rows.map((r) => r.fileid);
}
