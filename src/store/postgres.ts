import pg from 'pg';
import type { Db, DbConfig, Queryable } from './db.js';

const INT8 = 20;
const typeParsers = {
  getTypeParser(oid: number, format?: any) {
    if (oid === INT8) return (v: string) => BigInt(v);
    return pg.types.getTypeParser(oid, format);
  },
};

// Every parameterised statement is sent as a named prepared statement, so PostgreSQL plans
// it once per connection instead of on every call (planning was most of the cost of the hot
// statements). The store's SQL is constant text; the cap only guards against a caller that
// builds SQL with varying text.
const MAX_PREPARED = 1000;
const statementNames = new Map<string, string>();

function prepared(text: string, values: unknown[] | undefined): pg.QueryConfig | string {
  if (!values || values.length === 0) return text;
  let name = statementNames.get(text);
  if (name === undefined) {
    if (statementNames.size >= MAX_PREPARED) return { text, values: values as any[] };
    name = `s${statementNames.size}`;
    statementNames.set(text, name);
  }
  return { name, text, values: values as any[] };
}

function quoteIdent(s: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(s)) throw new Error(`invalid schema name: ${s}`);
  return `"${s}"`;
}

export async function openPostgres(c: DbConfig): Promise<Db> {
  const schema = c.schema;
  // Every connection says whose it is in pg_stat_activity (PGAPPNAME, or one in the URL, wins).
  const application_name = process.env.PGAPPNAME || (schema ? `colonies/${schema}` : 'colonies');
  const base: pg.PoolConfig = c.url
    ? { connectionString: c.url, application_name }
    : { host: c.host, port: c.port ?? 5432, user: c.user, password: c.password, database: c.database ?? 'postgres', application_name };
  // plan_cache_mode: the hot statements are prepared once per connection and written to run
  // well on their generic plan (one plan for any values). Under "auto", once the processes table
  // has statistics PostgreSQL judged the generic plans dearer than fresh ones and planned the
  // assign, close and submit statements anew on every call: its CPU per process doubled
  // (bench/RESULTS.md, eighth round). jit: a generic plan does not know a LIMIT's value or a
  // range's width, so at 1,000,000 rows its estimated cost passed PostgreSQL's JIT thresholds and
  // a page of 20 processes (0.2 ms to run) first spent 110-180 ms compiling (tenth round); none of
  // our statements runs long enough to gain from JIT. A URL's own `options` still win (pg reads
  // the URL last).
  const options = [schema ? `-c search_path=${schema}` : '', '-c plan_cache_mode=force_generic_plan', '-c jit=off'].filter(Boolean).join(' ');
  if (schema) {
    const admin = new pg.Client({ ...base });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    } finally {
      await admin.end();
    }
  }
  const cfg: pg.PoolConfig = { ...base, max: c.poolSize ?? 20, types: typeParsers as any, options };
  const pool = new pg.Pool(cfg);
  pool.on('error', () => {
    /* idle client errors are reported on the next query */
  });
  let listener: pg.Client | null = null;
  const handlers = new Map<string, Set<(p: string) => void>>();
  const resumers = new Map<string, Set<() => void>>();
  let lockClient: pg.Client | null = null;
  let closing = false;
  let connecting: Promise<void> | null = null;
  /** channels the current listener connection is LISTENing on */
  let listening = new Set<string>();
  /** a listener connection was up before (so the next one is a reconnect) */
  let everListened = false;

  // The LISTEN connection must survive a dropped connection (PostgreSQL restart, failover,
  // an idle-killer): reconnect with backoff and LISTEN again on every channel.
  async function connectListener(): Promise<void> {
    const client = new pg.Client({ ...base, options });
    client.on('notification', (n) => {
      for (const h of handlers.get(n.channel) ?? []) h(n.payload ?? '');
    });
    const lost = () => {
      if (listener !== client) return;
      listener = null;
      if (!closing) scheduleReconnect(250);
    };
    client.on('error', lost);
    client.on('end', lost);
    await client.connect();
    const channels = new Set(handlers.keys());
    for (const channel of channels) await client.query(`LISTEN ${quoteIdent(channel)}`);
    listening = channels;
    listener = client;
    // A reconnect: whatever was notified while no connection listened is lost; say so.
    if (everListened) {
      for (const channel of channels) {
        for (const r of resumers.get(channel) ?? []) {
          try {
            r();
          } catch {
            /* one handler's failure must not stop the others */
          }
        }
      }
    }
    everListened = true;
  }

  function scheduleReconnect(delayMs: number): void {
    const t = setTimeout(() => {
      if (closing || listener) return;
      (connecting ??= connectListener().finally(() => (connecting = null))).catch(() => scheduleReconnect(Math.min(delayMs * 2, 5000)));
    }, delayMs);
    t.unref();
  }

  const where = c.url ? c.url.replace(/:[^:@/]*@/, ':***@') : `${c.host}:${c.port ?? 5432}/${c.database ?? 'postgres'}`;

  const db: Db = {
    kind: 'postgres',
    schema,
    where: schema ? `${where} (schema ${schema})` : where,
    async query(sql, params) {
      const r = await pool.query(prepared(sql, params) as pg.QueryConfig);
      return r.rows;
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async tx(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const q: Queryable = {
          query: async (sql, params) => (await client.query(prepared(sql, params) as pg.QueryConfig)).rows,
          exec: async (sql) => {
            await client.query(sql);
          },
        };
        const out = await fn(q);
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    async listen(channel, onPayload, onResume) {
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
      }
      set.add(onPayload);
      let resume = resumers.get(channel);
      if (onResume) {
        if (!resume) resumers.set(channel, (resume = new Set()));
        resume.add(onResume);
      }
      if (!listener) await (connecting ??= connectListener().finally(() => (connecting = null)));
      if (listener && !listening.has(channel)) {
        await listener.query(`LISTEN ${quoteIdent(channel)}`);
        listening.add(channel);
      }
      return async () => {
        set!.delete(onPayload);
        if (onResume) resume!.delete(onResume);
      };
    },
    async tryAdvisoryLock(key) {
      try {
        if (!lockClient) {
          lockClient = new pg.Client({ ...base, options });
          lockClient.on('error', () => {
            lockClient = null;
          });
          await lockClient.connect();
        }
        // Keyed by schema too: a deployment is one schema, and deployments (or test runs)
        // sharing a database must not share one leader.
        const r = await lockClient.query('SELECT pg_try_advisory_lock($1::int4, hashtext(current_schema())) AS ok', [key]);
        return r.rows[0].ok === true;
      } catch {
        lockClient = null;
        return false;
      }
    },
    async close() {
      closing = true;
      await listener?.end().catch(() => undefined);
      await lockClient?.end().catch(() => undefined);
      await pool.end();
    },
  };
  return db;
}
