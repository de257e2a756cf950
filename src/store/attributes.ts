// SQL for process attributes (PROTOCOL §6.8, SEMANTICS §7). An attribute's `state` is not
// stored: it mirrors the state of its process and is filled in when rendered.
import { createHash } from 'node:crypto';
import { badRequest } from '../protocol/errors.js';
import type { Attribute } from '../protocol/objects.js';
import type { Queryable } from './db.js';
import { memberSql } from './membership.js';

export const ATTRIBUTE_IN = 0;
export const ATTRIBUTE_OUT = 1;
export const ATTRIBUTE_ERR = 2;
export const ATTRIBUTE_ENV = 3;

/** An attribute as stored (its targetid is the process it belongs to). */
export interface AttributeRow {
  attributeid: string;
  targetcolonyname: string;
  targetprocessgraphid: string;
  attributetype: number;
  key: string;
  value: string;
}

/** Go's deterministic id: SHA3-256(targetid + key + decimal type), so a key/type pair exists once. */
export function attributeId(targetid: string, key: string, attributetype: number): string {
  return createHash('sha3-256').update(`${targetid}${key}${attributetype}`).digest('hex');
}

/** The ENV attributes a spec's `env` becomes at submit time (SEMANTICS §4.1). */
export function envAttributes(processid: string, colonyname: string, processgraphid: string, env: Record<string, string>): AttributeRow[] {
  return Object.entries(env).map(([key, value]) => ({
    attributeid: attributeId(processid, key, ATTRIBUTE_ENV),
    targetcolonyname: colonyname,
    targetprocessgraphid: processgraphid,
    attributetype: ATTRIBUTE_ENV,
    key,
    value,
  }));
}

export function attributeToWire(targetid: string, a: AttributeRow, state: number): Attribute {
  return {
    attributeid: a.attributeid,
    targetid,
    targetcolonyname: a.targetcolonyname,
    targetprocessgraphid: a.targetprocessgraphid,
    state,
    attributetype: a.attributetype,
    key: a.key,
    value: a.value,
  };
}

/**
 * A scalar subquery for process SELECTs (alias `p`): the process's attributes in insertion
 * order as a JSON array, or null when it has none. One index probe, no extra round trip.
 */
export const ATTRS_SUBQUERY = `(SELECT json_agg(json_build_object('attributeid', a.attributeid, 'targetcolonyname', a.targetcolonyname,
    'targetprocessgraphid', a.targetprocessgraphid, 'attributetype', a.attributetype, 'key', a.key, 'value', a.value) ORDER BY a.seq)
   FROM attributes a WHERE a.targetid = p.processid)`;

/** Rows for json_to_recordset: [{targetid, ...AttributeRow}]. */
export const ATTRIBUTE_RECORDSET = `json_to_recordset($2::json) AS ar(attributeid text, targetid text, targetcolonyname text,
    targetprocessgraphid text, attributetype int, key text, value text)`;

/** Adds one attribute; a second one with the same id (key + type on that process) is a 400. */
export async function insertAttribute(q: Queryable, targetid: string, a: AttributeRow): Promise<void> {
  const rows = await q.query(
    `INSERT INTO attributes (attributeid, targetid, targetcolonyname, targetprocessgraphid, attributetype, key, value)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (attributeid) DO NOTHING RETURNING attributeid`,
    [a.attributeid, targetid, a.targetcolonyname, a.targetprocessgraphid, a.attributetype, a.key, a.value],
  );
  if (rows.length === 0) throw badRequest('duplicate key value violates unique constraint "attributes_pkey"');
}

export interface StoredAttribute extends AttributeRow {
  targetid: string;
  /** colony and state of the target process; null when the process is gone */
  processcolony: string | null;
  processstate: number | null;
  /** the caller's access to that colony (see ResolvedColony in server/access.ts) */
  acc_colonyid: string | null;
  acc_member: boolean;
}

/** An attribute with its process's colony and state and the caller's membership, in one round trip. */
export async function getAttributeForCaller(q: Queryable, attributeid: string, callerId: string): Promise<StoredAttribute | null> {
  const rows = await q.query<StoredAttribute>(
    `SELECT a.attributeid, a.targetid, a.targetcolonyname, a.targetprocessgraphid, a.attributetype, a.key, a.value,
            p.colonyname AS processcolony, p.state AS processstate, c.colonyid AS acc_colonyid,
            ${memberSql('p.colonyname', '$2')} AS acc_member
       FROM attributes a LEFT JOIN processes p ON p.processid = a.targetid LEFT JOIN colonies c ON c.name = p.colonyname
      WHERE a.attributeid = $1`,
    [attributeid, callerId],
  );
  return rows[0] ?? null;
}
