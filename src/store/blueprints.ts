// Blueprint add-on storage (OBJECTS §20, SEMANTICS §18): definitions, blueprints and their
// change history. Each object is kept whole as a jsonb document beside the columns we look
// things up by; documents are read back as text (exact int64) and re-parsed with the
// protocol schemas, which puts keys back in Go's order.
import { randomUUID } from 'node:crypto';
import { parseJson, stringifyJson } from '../protocol/json.js';
import {
  BlueprintDefinitionSchema,
  BlueprintHistorySchema,
  BlueprintSchema,
  type Blueprint,
  type BlueprintDefinition,
  type BlueprintHistory,
} from '../protocol/objects.js';
import { formatTime, nowNs } from '../protocol/time.js';
import type { Queryable } from './db.js';

type JsonMap = Record<string, unknown> | null;

/** Go writes map keys sorted; jsonb stores them in its own order. */
function sortKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(sortKeys) as T;
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out as T;
  }
  return v;
}

function readBlueprint(doc: string): Blueprint {
  const bp = BlueprintSchema.parse(parseJson(doc)) as Blueprint;
  bp.spec = sortKeys(bp.spec);
  if (bp.status) bp.status = sortKeys(bp.status);
  return bp;
}

function readDefinition(doc: string): BlueprintDefinition {
  return BlueprintDefinitionSchema.parse(parseJson(doc)) as BlueprintDefinition;
}

// ---------------------------------------------------------------------------------------------
// Definitions

/** false when the colony already has a definition with this name. */
export async function insertDefinition(q: Queryable, d: BlueprintDefinition): Promise<boolean> {
  const rows = await q.query(
    `INSERT INTO blueprint_definitions (blueprintdefinitionid, colonyname, name, kind, doc)
     VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT (colonyname, name) DO NOTHING RETURNING 1`,
    [d.blueprintdefinitionid, d.metadata.colonyname, d.metadata.name, d.spec.names.kind, stringifyJson(d)],
  );
  return rows.length === 1;
}

export async function getDefinitionByName(q: Queryable, colonyname: string, name: string): Promise<BlueprintDefinition | null> {
  const rows = await q.query<{ doc: string }>('SELECT doc::text AS doc FROM blueprint_definitions WHERE colonyname = $1 AND name = $2', [
    colonyname,
    name,
  ]);
  return rows[0] ? readDefinition(rows[0].doc) : null;
}

/** The first definition (oldest) declaring `kind` in the colony. */
export async function getDefinitionByKind(q: Queryable, colonyname: string, kind: string): Promise<BlueprintDefinition | null> {
  const rows = await q.query<{ doc: string }>(
    'SELECT doc::text AS doc FROM blueprint_definitions WHERE colonyname = $1 AND kind = $2 ORDER BY seq LIMIT 1',
    [colonyname, kind],
  );
  return rows[0] ? readDefinition(rows[0].doc) : null;
}

export async function getDefinitions(q: Queryable, colonyname: string): Promise<BlueprintDefinition[]> {
  const rows = await q.query<{ doc: string }>('SELECT doc::text AS doc FROM blueprint_definitions WHERE colonyname = $1 ORDER BY seq', [
    colonyname,
  ]);
  return rows.map((r) => readDefinition(r.doc));
}

export async function removeDefinition(q: Queryable, colonyname: string, name: string): Promise<void> {
  await q.query('DELETE FROM blueprint_definitions WHERE colonyname = $1 AND name = $2', [colonyname, name]);
}

// ---------------------------------------------------------------------------------------------
// Blueprints

/** Blueprints of `kind` in the colony (optionally only at `locationname`). */
export async function countBlueprints(q: Queryable, colonyname: string, kind: string, locationname?: string): Promise<number> {
  const rows = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM blueprints WHERE colonyname = $1 AND kind = $2 ${locationname === undefined ? '' : 'AND locationname = $3'}`,
    locationname === undefined ? [colonyname, kind] : [colonyname, kind, locationname],
  );
  return rows[0].n;
}

/** false when the colony already has a blueprint with this name. */
export async function insertBlueprint(q: Queryable, bp: Blueprint): Promise<boolean> {
  const rows = await q.query(
    `INSERT INTO blueprints (blueprintid, colonyname, name, kind, locationname, doc)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (colonyname, name) DO NOTHING RETURNING 1`,
    [bp.blueprintid, bp.metadata.colonyname, bp.metadata.name, bp.kind, bp.metadata.locationname ?? '', stringifyJson(bp)],
  );
  return rows.length === 1;
}

/** Replaces the stored blueprint with the same id (name and colony stay as they are). */
export async function replaceBlueprint(q: Queryable, bp: Blueprint): Promise<void> {
  await q.query('UPDATE blueprints SET kind = $2, locationname = $3, doc = $4::jsonb WHERE blueprintid = $1', [
    bp.blueprintid,
    bp.kind,
    bp.metadata.locationname ?? '',
    stringifyJson(bp),
  ]);
}

/** Replaces only `status` (null removes it). */
export async function setBlueprintStatus(q: Queryable, blueprintid: string, status: JsonMap): Promise<void> {
  const sql =
    status === null
      ? "UPDATE blueprints SET doc = doc - 'status' WHERE blueprintid = $1"
      : "UPDATE blueprints SET doc = jsonb_set(doc, '{status}', $2::jsonb) WHERE blueprintid = $1";
  await q.query(sql, status === null ? [blueprintid] : [blueprintid, stringifyJson(status)]);
}

export async function getBlueprintByName(q: Queryable, colonyname: string, name: string, lock = false): Promise<Blueprint | null> {
  const rows = await q.query<{ doc: string }>(
    `SELECT doc::text AS doc FROM blueprints WHERE colonyname = $1 AND name = $2 ${lock ? 'FOR UPDATE' : ''}`,
    [colonyname, name],
  );
  return rows[0] ? readBlueprint(rows[0].doc) : null;
}

/** The colony a blueprint belongs to (null if there is no such blueprint). */
export async function colonyOfBlueprint(q: Queryable, blueprintid: string): Promise<string | null> {
  const rows = await q.query<{ colonyname: string }>('SELECT colonyname FROM blueprints WHERE blueprintid = $1', [blueprintid]);
  return rows[0]?.colonyname ?? null;
}

/** In creation order; `kind` and `locationname` ('' = any) narrow the list. */
export async function getBlueprints(q: Queryable, colonyname: string, kind: string, locationname: string): Promise<Blueprint[]> {
  const params: unknown[] = [colonyname];
  let where = 'colonyname = $1';
  if (kind !== '') {
    params.push(kind);
    where += ` AND kind = $${params.length}`;
    // Go applies the location filter only together with a kind
    if (locationname !== '') {
      params.push(locationname);
      where += ` AND locationname = $${params.length}`;
    }
  }
  const rows = await q.query<{ doc: string }>(`SELECT doc::text AS doc FROM blueprints WHERE ${where} ORDER BY seq`, params);
  return rows.map((r) => readBlueprint(r.doc));
}

/** Deletes the blueprint and its history. */
export async function removeBlueprint(q: Queryable, blueprintid: string): Promise<void> {
  await q.query('DELETE FROM blueprint_history WHERE blueprintid = $1', [blueprintid]);
  await q.query('DELETE FROM blueprints WHERE blueprintid = $1', [blueprintid]);
}

// ---------------------------------------------------------------------------------------------
// History

export async function addHistory(q: Queryable, bp: Blueprint, changedby: string, changetype: 'create' | 'update' | 'delete'): Promise<void> {
  const h: BlueprintHistory = {
    historyid: randomUUID(),
    blueprintid: bp.blueprintid,
    kind: bp.kind,
    namespace: bp.metadata.colonyname,
    name: bp.metadata.name,
    generation: bp.metadata.generation ?? 0n,
    spec: bp.spec,
    status: bp.status,
    timestamp: formatTime(nowNs()),
    changedby,
    changetype,
  };
  await q.query('INSERT INTO blueprint_history (historyid, blueprintid, colonyname, doc) VALUES ($1, $2, $3, $4::jsonb)', [
    h.historyid,
    h.blueprintid,
    bp.metadata.colonyname,
    stringifyJson(h),
  ]);
}

/** Newest first; limit 0 = all. */
export async function getHistory(q: Queryable, blueprintid: string, limit: number): Promise<BlueprintHistory[]> {
  const rows = await q.query<{ doc: string }>(
    `SELECT doc::text AS doc FROM blueprint_history WHERE blueprintid = $1 ORDER BY seq DESC ${limit > 0 ? 'LIMIT $2' : ''}`,
    limit > 0 ? [blueprintid, limit] : [blueprintid],
  );
  return rows.map((r) => {
    const h = BlueprintHistorySchema.parse(parseJson(r.doc)) as BlueprintHistory;
    h.spec = sortKeys(h.spec);
    if (h.status) h.status = sortKeys(h.status);
    return h;
  });
}
