// The PGlite adapter: values both ways, errors, batching of concurrent statements, prepared
// statements, transactions that hold the single connection, LISTEN/NOTIFY, data folders and
// templates. Runs against the engine in a worker thread (the default) and on the main thread.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { dumpPglite, openPglite } from '../../src/store/pglite.js';
import { DatabaseError, Messages, readMessages, serialize, toParam, TypeParsers, type Reply } from '../../src/store/pglite-wire.js';

const template = process.env.COLONIES_TEST_PGLITE_TEMPLATE || undefined;

/** Opens a database with the engine where `mode` says (COLONIES_PGLITE_WORKER is read at open). */
async function open(mode: 'worker' | 'inline', c: { dataDir?: string; pgliteTemplate?: string } = { dataDir: 'memory://', pgliteTemplate: template }) {
  const before = process.env.COLONIES_PGLITE_WORKER;
  process.env.COLONIES_PGLITE_WORKER = mode === 'worker' ? '1' : '0';
  try {
    return await openPglite(c);
  } finally {
    if (before === undefined) delete process.env.COLONIES_PGLITE_WORKER;
    else process.env.COLONIES_PGLITE_WORKER = before;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(['worker', 'inline'] as const)('PGlite (%s)', (mode) => {
  let db: Db;
  beforeAll(async () => {
    db = await open(mode);
    await db.exec(`
      CREATE TABLE kv (k text PRIMARY KEY, n int8, i int, b boolean, j jsonb, t text[], bin bytea, ts timestamptz, f float8);
      CREATE TABLE items (id int PRIMARY KEY, v text);`);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('round-trips values: int8 as BigInt, json, arrays with awkward elements, bytea, dates, nulls', async () => {
    const arr = ['a', 'b,c', 'd"e', 'f\\g', '', 'NULL', null, 'ü {x}'];
    const bin = Buffer.from([0, 1, 2, 254, 255]);
    const ts = new Date('2024-05-06T07:08:09.123Z');
    await db.query('INSERT INTO kv (k, n, i, b, j, t, bin, ts, f) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
      'x',
      9007199254740993n,
      -42,
      true,
      { a: [1, 'two', null], big: 5n },
      arr,
      bin,
      ts,
      1.5,
    ]);
    await db.query('INSERT INTO kv (k) VALUES ($1)', ['nulls']);
    const [row] = await db.query('SELECT * FROM kv WHERE k = $1', ['x']);
    expect(row).toEqual({ k: 'x', n: 9007199254740993n, i: -42, b: true, j: { a: [1, 'two', null], big: '5' }, t: arr, bin: new Uint8Array(bin), ts, f: 1.5 });
    expect(row.bin).toBeInstanceOf(Uint8Array);
    const [nulls] = await db.query('SELECT * FROM kv WHERE k = $1', ['nulls']);
    expect(Object.values(nulls).filter((v) => v !== null)).toEqual(['nulls']);
    const [agg] = await db.query(
      `SELECT ARRAY[1,2]::int8[] AS big, ARRAY[[1,2],[3,4]] AS grid, '{}'::text[] AS none, ARRAY[true,false] AS flags, '[0:1]={7,8}'::int[] AS bounded, count(*)::int AS c FROM kv`,
    );
    expect(agg).toEqual({ big: [1n, 2n], grid: [[1, 2], [3, 4]], none: [], flags: [true, false], bounded: [7, 8], c: 2 });
  });

  it('rejects a failing statement with the database error, and the connection goes on', async () => {
    const e1 = await db.query('SELEC 1').catch((e) => e);
    expect(e1).toBeInstanceOf(DatabaseError);
    expect(e1.message).toMatch(/syntax error/);
    expect(e1.code).toBe('42601');
    await db.query('INSERT INTO items (id, v) VALUES ($1, $2)', [1, 'one']);
    const e2 = await db.query('INSERT INTO items (id, v) VALUES ($1, $2)', [1, 'again']).catch((e) => e);
    expect(e2.code).toBe('23505');
    expect(e2.constraint).toBe('items_pkey');
    // the same failing text a second time (its statement was never prepared)
    expect((await db.query('SELEC 1').catch((e) => e)).code).toBe('42601');
    // a value that cannot be sent fails its own call only
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(db.query('SELECT $1::jsonb AS j', [circular])).rejects.toThrow(/circular/i);
    await expect(db.tx((q) => q.query('SELECT $1::jsonb AS j', [circular]))).rejects.toThrow(/circular/i);
    expect(await db.query('SELECT v FROM items WHERE id = $1', [1])).toEqual([{ v: 'one' }]);
  });

  it('runs concurrent statements, one failing among them, each on its own', async () => {
    const calls = Array.from({ length: 40 }, (_, i) =>
      i === 17 ? db.query('SELECT 1 / $1::int AS q', [0]) : db.query('SELECT $1::int * 2 AS d, $2::text AS s', [i, `s${i}`]),
    );
    const results = await Promise.allSettled(calls);
    results.forEach((r, i) => {
      if (i === 17) {
        expect(r.status).toBe('rejected');
        expect((r as PromiseRejectedResult).reason.message).toMatch(/division by zero/);
      } else expect(r).toEqual({ status: 'fulfilled', value: [{ d: i * 2, s: `s${i}` }] });
    });
  });

  it('runs statement texts beyond the prepared-statement cap unprepared', async () => {
    const calls = Array.from({ length: 1100 }, (_, i) => db.query(`SELECT $1::int + ${i} AS v`, [1]));
    const rows = await Promise.all(calls);
    expect(rows.map((r) => r[0].v)).toEqual(Array.from({ length: 1100 }, (_, i) => i + 1));
  });

  it('prepares a statement again when the schema changed under it', async () => {
    await db.exec('CREATE TABLE shape (a int); INSERT INTO shape VALUES (1)');
    expect(await db.query('SELECT * FROM shape WHERE a = $1', [1])).toEqual([{ a: 1 }]);
    await db.exec('ALTER TABLE shape ADD COLUMN b text');
    expect(await db.query('SELECT * FROM shape WHERE a = $1', [1])).toEqual([{ a: 1, b: null }]);
  });

  it('commits a transaction, and rolls it back when its function throws', async () => {
    const out = await db.tx(async (q) => {
      await q.query('INSERT INTO items (id, v) VALUES ($1, $2)', [10, 'ten']);
      await q.exec('UPDATE items SET v = v || $$!$$ WHERE id = 10');
      return (await q.query('SELECT v FROM items WHERE id = $1', [10]))[0].v;
    });
    expect(out).toBe('ten!');
    await expect(
      db.tx(async (q) => {
        await q.query('INSERT INTO items (id, v) VALUES ($1, $2)', [11, 'eleven']);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await db.query('SELECT id FROM items WHERE id IN (10, 11) ORDER BY id')).toEqual([{ id: 10 }]);
    // a failed statement the function swallowed still fails the commit
    await expect(
      db.tx(async (q) => {
        await q.query('INSERT INTO items (id, v) VALUES ($1, $2)', [12, 'twelve']);
        await q.query('SELECT 1 / 0').catch(() => undefined);
      }),
    ).rejects.toThrow(/aborted/);
    expect(await db.query('SELECT id FROM items WHERE id = 12')).toEqual([]);
  });

  it('keeps other statements out of an open transaction', async () => {
    let outside: Promise<unknown> | undefined;
    let failOutside: Promise<unknown> | undefined;
    await db.tx(async (q) => {
      await q.query('INSERT INTO items (id, v) VALUES ($1, $2)', [20, 'twenty']);
      // issued while the transaction is open: they must wait for its end, and a failing one
      // must not abort it
      outside = db.query('SELECT count(*)::int AS n FROM items WHERE id = 20');
      failOutside = db.query('SELECT 1 / 0').catch((e) => e);
      await sleep(20);
      await q.query('UPDATE items SET v = $2 WHERE id = $1', [20, 'twenty!']);
    });
    expect(await outside).toEqual([{ n: 1 }]);
    expect(((await failOutside) as Error).message).toMatch(/division by zero/);
    expect(await db.query('SELECT v FROM items WHERE id = 20')).toEqual([{ v: 'twenty!' }]);
  });

  it('serialises transactions and runs statements a function does not wait for in order', async () => {
    await db.exec('CREATE TABLE counter (n int); INSERT INTO counter VALUES (0)');
    await Promise.all(
      Array.from({ length: 10 }, () =>
        db.tx(async (q) => {
          const [{ n }] = await q.query('SELECT n FROM counter');
          await sleep(1);
          await q.query('UPDATE counter SET n = $1', [n + 1]);
        }),
      ),
    );
    expect(await db.query('SELECT n FROM counter')).toEqual([{ n: 10 }]);
    const got = await db.tx(async (q) => {
      const all = await Promise.all(Array.from({ length: 5 }, (_, i) => q.query('INSERT INTO items (id, v) VALUES ($1, $2) RETURNING id', [30 + i, 'x'])));
      return all.map((r) => r[0].id);
    });
    expect(got).toEqual([30, 31, 32, 33, 34]);
  });

  it('refuses the queryable of a finished transaction', async () => {
    let kept: any;
    await db.tx(async (q) => {
      kept = q;
    });
    await expect(kept.query('SELECT 1')).rejects.toThrow(/closed/);
  });

  it('delivers notifications to listeners, only after commit, and stops after unlisten', async () => {
    const heard: string[] = [];
    const other: string[] = [];
    const unlisten = await db.listen('Events_1', (p) => heard.push(p));
    await db.listen('other', (p) => other.push(p));
    await db.query('SELECT pg_notify($1, $2)', ['Events_1', 'hello']);
    await sleep(0);
    expect(heard).toEqual(['hello']);
    await db.tx(async (q) => {
      await q.query('SELECT pg_notify($1, $2)', ['Events_1', 'in tx']);
      await sleep(0);
      expect(heard).toEqual(['hello']);
    });
    await sleep(0);
    expect(heard).toEqual(['hello', 'in tx']);
    await db.tx(async (q) => {
      await q.query('SELECT pg_notify($1, $2)', ['Events_1', 'rolled back']);
      throw new Error('no');
    }).catch(() => undefined);
    await unlisten();
    await db.query('SELECT pg_notify($1, $2)', ['Events_1', 'not heard']);
    await db.query('SELECT pg_notify($1, $2)', ['other', 'x']);
    await sleep(0);
    expect(heard).toEqual(['hello', 'in tx']);
    expect(other).toEqual(['x']);
  });

  it('always holds the leader lock', async () => {
    expect(await db.tryAdvisoryLock(1)).toBe(true);
  });
});

describe('PGlite data folders and templates', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('keeps committed work in a data folder across a close and a reopen', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'colonies-pglite-')), 'data');
    dirs.push(dir);
    const a = await open('worker', { dataDir: dir });
    await a.exec('CREATE TABLE t (v text)');
    await a.query('INSERT INTO t VALUES ($1)', ['kept']);
    await a.close();
    await expect(a.query('SELECT 1')).rejects.toThrow(/closed/);
    const b = await open('inline', { dataDir: dir });
    expect(await b.query('SELECT v FROM t')).toEqual([{ v: 'kept' }]);
    await b.close();
  });

  it('loses no acknowledged statement when the process is killed', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'colonies-pglite-')), 'data');
    dirs.push(dir);
    // a child inserts rows from 8 concurrent loops and prints each id once its INSERT resolved
    const script = `
      const { openPglite } = await import(${JSON.stringify(new URL('../../src/store/pglite.ts', import.meta.url).href)});
      const db = await openPglite({ dataDir: ${JSON.stringify(dir)} });
      await db.exec('CREATE TABLE acked (id int PRIMARY KEY, pad text)');
      let next = 0;
      const loop = async () => {
        for (;;) {
          const id = next++;
          await db.query('INSERT INTO acked VALUES ($1, repeat($2, 200))', [id, 'x']);
          process.stdout.write(id + '\\n');
        }
      };
      for (let i = 0; i < 8; i++) loop();`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: new URL('../../', import.meta.url).pathname });
    const acked: number[] = [];
    let out = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const lines = out.split('\n');
        out = lines.pop()!;
        for (const l of lines) acked.push(Number(l));
        if (acked.length >= 500) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`child exited early: ${stderr}`)));
    });
    await exited;
    const db = await open('worker', { dataDir: dir });
    const stored = new Set((await db.query('SELECT id FROM acked')).map((r) => r.id as number));
    await db.close();
    expect(acked.length).toBeGreaterThanOrEqual(500);
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
  });

  it('starts an in-memory database from a dump', async () => {
    const a = await open('worker');
    await a.exec(`CREATE TABLE d (v text); INSERT INTO d VALUES ('from the dump')`);
    const dir = mkdtempSync(join(tmpdir(), 'colonies-pglite-'));
    dirs.push(dir);
    const file = join(dir, 'dump.tar');
    await dumpPglite(a, file);
    await a.close();
    for (const mode of ['worker', 'inline'] as const) {
      const b = await open(mode, { dataDir: 'memory://', pgliteTemplate: file });
      expect(await b.query('SELECT v FROM d')).toEqual([{ v: 'from the dump' }]);
      await b.close();
    }
  });
});

describe('PGlite wire protocol', () => {
  it('parses values of every array type, int8 as BigInt and bytea as Uint8Array', () => {
    const t = new TypeParsers();
    // name[] (no parser in pg-types), box[] (';' delimiter: stays text), a made-up array of int8
    t.addArrays([
      [1003, 19],
      [1020, 603],
      [99999, 20],
    ]);
    expect(t.get(1009)!('{a,NULL,"NULL","",x y}')).toEqual(['a', null, 'NULL', '', 'x y']);
    expect(t.get(1009)!('{"a\\"b","c\\\\d","e,f","{g}"}')).toEqual(['a"b', 'c\\d', 'e,f', '{g}']);
    expect(t.get(1007)!('{{1,2},{3,NULL}}')).toEqual([[1, 2], [3, null]]);
    expect(t.get(1007)!('[2:3]={5,6}')).toEqual([5, 6]);
    expect(t.get(1016)!('{1,NULL,9007199254740993}')).toEqual([1n, null, 9007199254740993n]);
    expect(t.get(1003)!('{a,"b c"}')).toEqual(['a', 'b c']);
    expect(t.get(99999)!('{{1},{2}}')).toEqual([[1n], [2n]]);
    expect(t.get(1020)).toBeUndefined();
    expect(t.get(25)).toBeUndefined();
    expect(t.get(20)!('-5')).toBe(-5n);
    const bytes = t.get(17)!('\\x00ff');
    expect(bytes).toEqual(new Uint8Array([0, 255]));
    expect(Buffer.isBuffer(bytes)).toBe(false);
    expect(t.get(1184)!('2024-01-02 03:04:05.678+00')).toEqual(new Date('2024-01-02T03:04:05.678Z'));
    expect(t.get(3802)!('{"a":[1]}')).toEqual({ a: [1] });
  });

  it('sends parameters as node-postgres does', () => {
    expect(toParam(null)).toBeNull();
    expect(toParam(undefined)).toBeNull();
    expect(toParam(12n)).toBe('12');
    expect(toParam(false)).toBe('false');
    expect(toParam(new Date('2024-01-02T03:04:05.000Z'))).toBe('2024-01-02T03:04:05.000Z');
    expect(toParam({ a: 1 })).toBe('{"a":1}');
    expect(toParam(['a"b', null, ['c'], 3])).toBe('{"a\\"b",NULL,{"c"},"3"}');
    expect(toParam(Buffer.from('hi'))).toEqual(Buffer.from('hi'));
    expect(toParam(new Uint8Array([1, 2]))).toEqual(Buffer.from([1, 2]));
  });

  it('frames one trip of messages in a buffer of its own', () => {
    const msg = new Messages()
      .add(serialize.parse({ name: 's1', text: 'SELECT $1' }))
      .add(serialize.bind({ statement: 's1', values: ['é', null, Buffer.from([1])] }))
      .add(serialize.execute())
      .add(serialize.sync())
      .finish();
    const buf = Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength);
    const types: string[] = [];
    for (let p = 0; p < buf.length; p += 1 + buf.readInt32BE(p + 1)) types.push(String.fromCharCode(buf[p]));
    expect(types).toEqual(['P', 'B', 'E', 'S']);
    expect(msg.byteOffset).toBe(0);
    expect(msg.buffer.byteLength).toBe(msg.byteLength);
  });

  it('reads backend messages', () => {
    // CommandComplete "SELECT 1", ErrorResponse (S, C, M, n), ReadyForQuery 'I'
    const field = (code: string, v: string) => Buffer.concat([Buffer.from(code), Buffer.from(v), Buffer.from([0])]);
    const body = (type: string, b: Buffer) => {
      const h = Buffer.alloc(5);
      h[0] = type.charCodeAt(0);
      h.writeInt32BE(4 + b.length, 1);
      return Buffer.concat([h, b]);
    };
    const reply = Buffer.concat([
      body('C', Buffer.from('SELECT 1\0')),
      body('E', Buffer.concat([field('S', 'ERROR'), field('C', '23505'), field('M', 'duplicate key'), field('n', 'items_pkey'), Buffer.from([0])])),
      body('Z', Buffer.from('I')),
    ]);
    const got: Reply[] = [];
    readMessages(new Uint8Array(reply), (m) => got.push(m));
    expect(got.map((m) => m.name)).toEqual(['commandComplete', 'error', 'readyForQuery']);
    const e = got[1] as DatabaseError;
    expect(e).toBeInstanceOf(DatabaseError);
    expect([e.message, e.code, e.constraint, e.severity]).toEqual(['duplicate key', '23505', 'items_pkey', 'ERROR']);
  });
});
