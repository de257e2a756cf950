// The PostgreSQL wire protocol (v3) as PGlite's engine speaks it, with node-postgres' own
// libraries: pg-protocol builds the frontend messages and reads the backend ones, pg-types
// converts the text-format values.
//
// Why not PGlite's own query(): it runs six separate trips into the engine per statement (Parse,
// Describe statement, Bind, Describe portal, Execute, Sync), re-parses and re-plans the SQL every
// time, and parses every reply with a general-purpose parser. Here a statement is one message
// (Bind/Execute/Sync once the statement is prepared) and the engine keeps its plan.
//
// Values follow node-postgres both ways (the same SQL and parameters run on both adapters: text
// for everything, JSON for plain objects, array literals for arrays, binary for byte arrays; the
// results through pg-types), with int8 as BigInt as both adapters of db.ts do, and bytea as a
// plain Uint8Array.
import { DatabaseError, serialize } from 'pg-protocol';
import { Parser } from 'pg-protocol/dist/parser.js';
import type {
  BackendMessage,
  CommandCompleteMessage,
  DataRowMessage,
  MessageName,
  NotificationResponseMessage,
  RowDescriptionMessage,
} from 'pg-protocol/dist/messages.js';
import { parse as parseArray } from 'postgres-array';
import pgTypes from 'pg-types';

export { DatabaseError, parseArray };

/** A database error: node-postgres' class (what the postgres adapter throws), with the statement. */
export type PgliteError = DatabaseError & { query?: string };

// ---------------------------------------------------------------------------------------------
// Parameters

/** A parameter as sent: null, text, or binary (byte arrays, for bytea). */
export type WireParam = null | string | Buffer;

function arrayLiteral(values: readonly unknown[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const v = values[i];
    if (v === null || v === undefined) out += 'NULL';
    else if (Array.isArray(v)) out += arrayLiteral(v);
    else {
      const s = ArrayBuffer.isView(v) ? `\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}` : (toParam(v) as string);
      out += `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    }
  }
  return `${out}}`;
}

const jsonReplacer = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

/** A JavaScript value as a query parameter. */
export function toParam(v: unknown): WireParam {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(v);
    case 'object':
      if (ArrayBuffer.isView(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      if (v instanceof Date) return v.toISOString();
      if (Array.isArray(v)) return arrayLiteral(v);
      return JSON.stringify(v, jsonReplacer);
    default:
      return String(v);
  }
}

// ---------------------------------------------------------------------------------------------
// Frontend messages

/**
 * Collects frontend messages (from pg-protocol's serializer) for one trip to the engine. The
 * result owns its ArrayBuffer (never a slice of Buffer's pool), so it can be transferred.
 */
export class Messages {
  private parts: Buffer[] = [];
  private size = 0;

  add(message: Buffer): this {
    this.parts.push(message);
    this.size += message.byteLength;
    return this;
  }

  get empty(): boolean {
    return this.parts.length === 0;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let pos = 0;
    for (const p of this.parts) {
      out.set(p, pos);
      pos += p.byteLength;
    }
    this.parts = [];
    this.size = 0;
    return out;
  }
}

export { serialize };

// ---------------------------------------------------------------------------------------------
// Backend messages

/** The backend messages pg-protocol's parser gives, told apart by name. */
export type Reply =
  | (RowDescriptionMessage & { name: 'rowDescription' })
  | (DataRowMessage & { name: 'dataRow' })
  | (CommandCompleteMessage & { name: 'commandComplete' })
  | (NotificationResponseMessage & { name: 'notification' })
  | (DatabaseError & { name: 'error' })
  | (BackendMessage & { name: Exclude<MessageName, 'rowDescription' | 'dataRow' | 'commandComplete' | 'notification' | 'error'> });

/** Calls `each` for every backend message of a reply, in order. */
export function readMessages(reply: Uint8Array, each: (m: Reply) => void): void {
  new Parser().parse(Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength), each as (m: BackendMessage) => void);
}

// ---------------------------------------------------------------------------------------------
// Result values (text format)

export type ValueParser = (text: string) => unknown;

const INT8 = 20;
const INT8_ARRAY = 1016;
const BYTEA = 17;
/** what pg-types gives for a type it does not know */
const NO_PARSER = pgTypes.getTypeParser(0 as pgTypes.TypeId, 'text');
const parseBytea = pgTypes.getTypeParser(BYTEA, 'text') as (s: string) => Buffer;

/** Parsers by type OID: pg-types', with int8 as BigInt and bytea as a plain Uint8Array. */
const OVERRIDES = new Map<number, ValueParser>([
  [INT8, (s) => BigInt(s)],
  [INT8_ARRAY, (s) => parseArray(s, BigInt)],
  [BYTEA, (s) => new Uint8Array(parseBytea(s))],
]);

/** Parsers by type OID; arrays of any type once their OIDs are known. Types without one stay text. */
export class TypeParsers {
  private readonly parsers = new Map<number, ValueParser | undefined>();
  private readonly arrays = new Map<number, number>();

  /** Registers array types: pairs of [array OID, element OID]. */
  addArrays(pairs: Iterable<[number, number]>): void {
    for (const [arrayOid, elemOid] of pairs) this.arrays.set(arrayOid, elemOid);
    this.parsers.clear();
  }

  get(oid: number): ValueParser | undefined {
    if (this.parsers.has(oid)) return this.parsers.get(oid);
    let p: ValueParser | undefined = OVERRIDES.get(oid);
    if (!p) {
      const known = pgTypes.getTypeParser(oid as pgTypes.TypeId, 'text') as ValueParser;
      if (known !== NO_PARSER) p = known;
    }
    const elemOid = this.arrays.get(oid);
    // an array type pg-types has no parser for (box, the one built-in type whose delimiter is
    // not a comma, stays text)
    if (!p && elemOid !== undefined && elemOid !== 603) {
      const elem = this.get(elemOid);
      p = elem ? (s) => parseArray(s, elem) : (s) => parseArray(s);
    }
    this.parsers.set(oid, p);
    return p;
  }
}
