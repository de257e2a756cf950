// The PostgreSQL wire protocol (v3) as PGlite's engine speaks it: frontend messages built into one
// buffer, backend messages read back from one buffer, and the text-format values converted.
//
// Why not PGlite's own query(): it runs six separate trips into the engine per statement (Parse,
// Describe statement, Bind, Describe portal, Execute, Sync), re-parses and re-plans the SQL every
// time, and parses every reply with a general-purpose parser. Here a statement is one message
// (Bind/Execute/Sync once the statement is prepared) and the engine keeps its plan.
//
// Values follow node-postgres on the way in (the same SQL and parameters run on both adapters:
// text for everything, JSON for plain objects, array literals for arrays, binary for byte
// arrays) and PGlite's type parsers on the way out (int8 as BigInt, as both adapters of db.ts do).

// ---------------------------------------------------------------------------------------------
// Parameters

/** A parameter as sent: null, text, or binary (byte arrays, for bytea). */
export type WireParam = null | string | Uint8Array;

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
      if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
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
 * Builds one buffer of frontend messages. Sizes are computed first, so the buffer is allocated
 * once; it owns its ArrayBuffer (never a slice of Buffer's pool), so it can be transferred.
 */
export class MessageWriter {
  private parts: Array<() => void> = [];
  private size = 0;
  private buf!: Buffer;
  private pos = 0;

  /** Parse: a statement (named, or '' for the unnamed one) from SQL, parameter types inferred. */
  parse(name: string, sql: string): this {
    const n = Buffer.byteLength(name);
    const s = Buffer.byteLength(sql);
    const len = 4 + n + 1 + s + 1 + 2;
    this.size += 1 + len;
    this.parts.push(() => {
      this.header(0x50, len);
      this.cstr(name, n);
      this.cstr(sql, s);
      this.int16(0);
    });
    return this;
  }

  /** Bind: the unnamed portal to a statement with parameters; results in text. */
  bind(statement: string, params: readonly WireParam[]): this {
    const n = Buffer.byteLength(statement);
    let len = 4 + 1 + n + 1 + 2 + 2 * params.length + 2 + 2;
    const binary = params.some((p) => p instanceof Uint8Array);
    if (!binary) len -= 2 * params.length;
    const sizes = params.map((p) => (p === null ? 0 : typeof p === 'string' ? Buffer.byteLength(p) : p.byteLength));
    for (const s of sizes) len += 4 + s;
    this.size += 1 + len;
    this.parts.push(() => {
      this.header(0x42, len);
      this.cstr('', 0);
      this.cstr(statement, n);
      if (binary) {
        this.int16(params.length);
        for (const p of params) this.int16(p instanceof Uint8Array ? 1 : 0);
      } else this.int16(0);
      this.int16(params.length);
      for (let i = 0; i < params.length; i++) {
        const p = params[i];
        if (p === null) {
          this.int32(-1);
          continue;
        }
        this.int32(sizes[i]);
        if (typeof p === 'string') this.pos += this.buf.write(p, this.pos, sizes[i], 'utf8');
        else {
          this.buf.set(p, this.pos);
          this.pos += p.byteLength;
        }
      }
      this.int16(0);
    });
    return this;
  }

  /** Describe: 'S' a statement (parameter and row description), 'P' the unnamed portal. */
  describe(kind: 'S' | 'P', name: string): this {
    const n = Buffer.byteLength(name);
    const len = 4 + 1 + n + 1;
    this.size += 1 + len;
    this.parts.push(() => {
      this.header(0x44, len);
      this.buf[this.pos++] = kind.charCodeAt(0);
      this.cstr(name, n);
    });
    return this;
  }

  /** Execute the unnamed portal, all rows. */
  execute(): this {
    this.size += 1 + 4 + 1 + 4;
    this.parts.push(() => {
      this.header(0x45, 4 + 1 + 4);
      this.cstr('', 0);
      this.int32(0);
    });
    return this;
  }

  /** Close a prepared statement. */
  close(name: string): this {
    const n = Buffer.byteLength(name);
    const len = 4 + 1 + n + 1;
    this.size += 1 + len;
    this.parts.push(() => {
      this.header(0x43, len);
      this.buf[this.pos++] = 0x53; // 'S'
      this.cstr(name, n);
    });
    return this;
  }

  sync(): this {
    this.size += 5;
    this.parts.push(() => this.header(0x53, 4));
    return this;
  }

  /** Query: the simple protocol (several statements, no parameters), synchronises by itself. */
  query(sql: string): this {
    const s = Buffer.byteLength(sql);
    const len = 4 + s + 1;
    this.size += 1 + len;
    this.parts.push(() => {
      this.header(0x51, len);
      this.cstr(sql, s);
    });
    return this;
  }

  get empty(): boolean {
    return this.parts.length === 0;
  }

  finish(): Uint8Array {
    this.buf = Buffer.allocUnsafeSlow(this.size);
    this.pos = 0;
    for (const p of this.parts) p();
    if (this.pos !== this.size) throw new Error(`pglite wire: wrote ${this.pos} of ${this.size} bytes`);
    this.parts = [];
    return new Uint8Array(this.buf.buffer, 0, this.size);
  }

  private header(type: number, len: number): void {
    this.buf[this.pos++] = type;
    this.int32(len);
  }

  private int32(v: number): void {
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
  }

  private int16(v: number): void {
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
  }

  private cstr(s: string, bytes: number): void {
    if (bytes > 0) this.buf.write(s, this.pos, bytes, 'utf8');
    this.pos += bytes;
    this.buf[this.pos++] = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Result values (text format)

export type ValueParser = (text: string) => unknown;

const parseDate: ValueParser = (s) => (s === 'infinity' ? Infinity : s === '-infinity' ? -Infinity : new Date(s));
const parseBytea: ValueParser = (s) => (s.startsWith('\\x') ? Uint8Array.from(Buffer.from(s.slice(2), 'hex')) : new TextEncoder().encode(s));

/** Parsers by type OID; other types stay text. */
const BASE_PARSERS: Record<number, ValueParser> = {
  16: (s) => s === 't', // bool
  17: parseBytea,
  20: (s) => BigInt(s), // int8
  21: Number, // int2
  23: Number, // int4
  26: Number, // oid
  700: Number, // float4
  701: Number, // float8
  114: (s) => JSON.parse(s), // json
  3802: (s) => JSON.parse(s), // jsonb
  1082: parseDate, // date
  1114: parseDate, // timestamp
  1184: parseDate, // timestamptz
};

/**
 * Parses an array literal such as `{a,"b c",NULL,{1,2}}` (optionally preceded by bounds,
 * `[0:1]={...}`), converting each element with `elem`.
 */
export function parseArray(text: string, elem: ValueParser | undefined, delimiter = ','): unknown[] {
  let i = 0;
  if (text[0] === '[') {
    i = text.indexOf('=') + 1;
  }
  const read = (): unknown[] => {
    // text[i] === '{'
    i++;
    const out: unknown[] = [];
    if (text[i] === '}') {
      i++;
      return out;
    }
    while (i < text.length) {
      const c = text[i];
      if (c === '{') out.push(read());
      else if (c === '"') {
        let s = '';
        i++;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\') i++;
          s += text[i++];
        }
        i++; // closing quote
        out.push(elem ? elem(s) : s);
      } else {
        let j = i;
        while (j < text.length && text[j] !== delimiter && text[j] !== '}') j++;
        const s = text.slice(i, j);
        i = j;
        out.push(s === 'NULL' ? null : elem ? elem(s) : s);
      }
      if (text[i] === delimiter) i++;
      else if (text[i] === '}') {
        i++;
        return out;
      }
    }
    throw new Error(`malformed array literal: ${text}`);
  };
  return read();
}

/** Parsers by type OID: the base types, and arrays of any type once their OIDs are known. */
export class TypeParsers {
  private readonly parsers = new Map<number, ValueParser>(Object.entries(BASE_PARSERS).map(([k, v]) => [Number(k), v]));

  /** Registers array types: pairs of [array OID, element OID]. */
  addArrays(pairs: Iterable<[number, number]>): void {
    for (const [arrayOid, elemOid] of pairs) {
      if (this.parsers.has(arrayOid)) continue;
      // box (603) is the one built-in type whose array delimiter is ';'
      const delimiter = elemOid === 603 ? ';' : ',';
      this.parsers.set(arrayOid, (s) => parseArray(s, this.parsers.get(elemOid), delimiter));
    }
  }

  get(oid: number): ValueParser | undefined {
    return this.parsers.get(oid);
  }
}

// ---------------------------------------------------------------------------------------------
// Backend messages

export interface Field {
  name: string;
  oid: number;
  parse: ValueParser | undefined;
}

/** A database error, with the fields node-postgres and PGlite give theirs. */
export class PgliteError extends Error {
  severity?: string;
  code?: string;
  detail?: string;
  hint?: string;
  position?: string;
  internalPosition?: string;
  internalQuery?: string;
  where?: string;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
  file?: string;
  line?: string;
  routine?: string;
  query?: string;
}

const ERROR_FIELDS: Record<string, keyof PgliteError> = {
  S: 'severity',
  C: 'code',
  D: 'detail',
  H: 'hint',
  P: 'position',
  p: 'internalPosition',
  q: 'internalQuery',
  W: 'where',
  s: 'schema',
  t: 'table',
  c: 'column',
  d: 'dataType',
  n: 'constraint',
  F: 'file',
  L: 'line',
  R: 'routine',
};

/** Reads backend messages from a reply buffer, in order. */
export class MessageReader {
  private pos = 0;
  readonly buf: Buffer;
  /** type and body bounds of the current message */
  type = 0;
  start = 0;
  end = 0;

  constructor(data: Uint8Array) {
    this.buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }

  /** Moves to the next message; false at the end of the buffer. */
  next(): boolean {
    if (this.pos + 5 > this.buf.length) return false;
    this.type = this.buf[this.pos];
    const len = this.buf.readInt32BE(this.pos + 1);
    this.start = this.pos + 5;
    this.end = this.pos + 1 + len;
    if (this.end > this.buf.length) throw new Error('pglite wire: truncated message');
    this.pos = this.end;
    return true;
  }

  private cstrAt(p: number): [string, number] {
    const z = this.buf.indexOf(0, p);
    return [this.buf.toString('utf8', p, z), z + 1];
  }

  /** RowDescription ('T') */
  fields(types: TypeParsers): Field[] {
    const n = this.buf.readInt16BE(this.start);
    let p = this.start + 2;
    const out: Field[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const [name, q] = this.cstrAt(p);
      const oid = this.buf.readInt32BE(q + 6);
      out[i] = { name, oid, parse: types.get(oid) };
      p = q + 18;
    }
    return out;
  }

  /** DataRow ('D') as an object keyed by field name. */
  row(fields: Field[]): Record<string, unknown> {
    const buf = this.buf;
    let p = this.start + 2;
    const row: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++) {
      const len = buf.readInt32BE(p);
      p += 4;
      const f = fields[i];
      if (len < 0) {
        row[f.name] = null;
        continue;
      }
      const text = buf.toString('utf8', p, p + len);
      p += len;
      row[f.name] = f.parse ? f.parse(text) : text;
    }
    return row;
  }

  /** CommandComplete ('C') tag */
  commandTag(): string {
    return this.cstrAt(this.start)[0];
  }

  /** ErrorResponse ('E') */
  error(): PgliteError {
    const f: Record<string, string> = {};
    let p = this.start;
    while (p < this.end && this.buf[p] !== 0) {
      const code = String.fromCharCode(this.buf[p]);
      const [v, q] = this.cstrAt(p + 1);
      f[code] = v;
      p = q;
    }
    const e = new PgliteError(f.M ?? 'unknown database error');
    for (const [code, key] of Object.entries(ERROR_FIELDS)) if (f[code] !== undefined) (e as any)[key] = f[code];
    return e;
  }

  /** NotificationResponse ('A') */
  notification(): { channel: string; payload: string } {
    const [channel, q] = this.cstrAt(this.start + 4);
    const [payload] = this.cstrAt(q);
    return { channel, payload };
  }
}
