// The Db interface on PGlite (embedded PostgreSQL, one connection). The engine runs in a worker
// thread (pglite-engine.ts); this side speaks the wire protocol to it (pglite-wire.ts):
//
// * every statement text is prepared once (a named statement, as postgres.ts does), so the
//   engine parses and plans it once instead of on every call, and a call is one message
//   (Bind, Execute, Sync) instead of PGlite's six round trips;
// * statements that arrive while the engine is busy go together in the next message, each with
//   its own Sync: each is still its own implicit transaction and fails alone;
// * tx() holds the single connection from BEGIN to COMMIT: nothing else runs in between.
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Db, DbConfig, Queryable } from './db.js';
import { openEngine, type Engine } from './pglite-engine.js';
import { Messages, readMessages, serialize, toParam, TypeParsers, type PgliteError, type ValueParser, type WireParam } from './pglite-wire.js';

/** A result column: its name and the parser of its type. */
interface Field {
  name: string;
  parse: ValueParser | undefined;
}

/** Statement texts prepared at most (as postgres.ts): the store's SQL is constant text. */
const MAX_PREPARED = 1000;
/** Statements sent in one message at most. */
const MAX_BATCH = 64;

interface Statement {
  name: string;
  /** the engine has it (ParseComplete seen) */
  ready: boolean;
  /** row description, known once described */
  fields?: Field[];
}

/** One statement (or simple-protocol script) and what it produced: one ReadyForQuery each. */
interface Job {
  sql: string;
  /** parameters as sent; undefined for a simple-protocol script (exec) */
  params?: WireParam[];
  stmt?: Statement;
  /** this job sends the Parse of stmt */
  parses?: boolean;
  fields?: Field[];
  rows: Record<string, unknown>[];
  tag: string;
  error?: PgliteError;
  /** Close of a statement that is no longer used, instead of a statement */
  closes?: string;
  /** already sent again once after its prepared statement went stale */
  retried?: boolean;
  resolve?: (j: Job) => void;
  reject?: (e: Error) => void;
}

/** A wait for the whole connection (a transaction or a dump). */
interface Hold {
  hold: true;
  start: () => void;
}

function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

class Session {
  private readonly statements = new Map<string, Statement>();
  private named = 0;
  private readonly queue: Array<Job | Hold> = [];
  /** a message is with the engine, or a transaction holds the connection */
  private busy = false;
  private closed = false;
  private closing?: Promise<void>;
  private readonly listeners = new Map<string, Set<(payload: string) => void>>();
  readonly types = new TypeParsers();

  constructor(private readonly engine: Engine) {}

  // -- statements outside transactions ----------------------------------------------------------

  async query(sql: string, params: unknown[] | undefined): Promise<Record<string, unknown>[]> {
    return (await this.submit(newJob(sql, params ?? []))).rows;
  }

  exec(sql: string): Promise<Job> {
    return this.submit(newJob(sql, undefined));
  }

  private submit(job: Job): Promise<Job> {
    if (this.closed) return Promise.reject(new Error('PGlite is closed'));
    return new Promise<Job>((resolve, reject) => {
      job.resolve = resolve;
      job.reject = reject;
      this.queue.push(job);
      this.pump();
    });
  }

  private pump(): void {
    if (this.busy || this.queue.length === 0) return;
    const head = this.queue[0];
    this.busy = true;
    if ('hold' in head) {
      this.queue.shift();
      head.start();
      return;
    }
    const w = new Messages();
    const batch: Job[] = [];
    const parsing = new Set<Statement>();
    try {
      while (batch.length < MAX_BATCH && this.queue.length > 0) {
        const j = this.queue[0];
        if ('hold' in j || !this.encode(w, j, parsing)) break;
        this.queue.shift();
        batch.push(j);
      }
    } catch (e) {
      // cannot happen with well-formed jobs; never leave the connection marked busy
      const j = this.queue.shift() as Job;
      for (const b of [...batch, j]) b.reject!(e as Error);
      this.release();
      return;
    }
    this.send(w, batch).then(
      () => {
        const again: Job[] = [];
        for (const j of batch) {
          if (j.closes !== undefined) continue;
          if (j.error && stale(j) && !j.retried) again.push(retry(j));
          else if (j.error) j.reject!(j.error);
          else j.resolve!(j);
        }
        // A statement whose plan no longer fits (the schema changed under it) failed before it
        // ran: prepare it again and send it again, once.
        if (again.length > 0) {
          this.queue.unshift(...again);
          this.pump();
        }
      },
      (e: Error) => {
        for (const j of batch) j.reject!(e);
      },
    );
  }

  /** Ends a message or a hold: the next in the queue may go. */
  private release(): void {
    this.busy = false;
    this.pump();
  }

  // -- transactions and other holds -----------------------------------------------------------

  /** Waits for the connection to itself; returns its release. */
  hold(): Promise<() => void> {
    if (this.closed) return Promise.reject(new Error('PGlite is closed'));
    return new Promise((resolve) => {
      let released = false;
      this.queue.push({
        hold: true,
        start: () =>
          resolve(() => {
            if (released) return;
            released = true;
            this.release();
          }),
      });
      this.pump();
    });
  }

  /** Runs jobs right away, for the holder of the connection. Rejects with the first error. */
  async direct(jobs: Job[]): Promise<Job[]> {
    const w = new Messages();
    const parsing = new Set<Statement>();
    for (const j of jobs) if (!this.encode(w, j, parsing)) throw new Error('pglite: statement prepared twice in one message');
    await this.exchange(w, jobs);
    for (const j of jobs) if (j.error) throw j.error;
    return jobs;
  }

  async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    const release = await this.hold();
    let began = false;
    let open = true;
    let chain: Promise<unknown> = Promise.resolve();
    // statements of one transaction run one after the other, even when fn does not wait
    const inTx = (job: Job): Promise<Job> => {
      const run = chain.then(async () => {
        if (!open) throw new Error('Transaction is closed');
        if (began) return (await this.direct([job]))[0];
        began = true;
        return (await this.direct([newJob('BEGIN', undefined), job]))[1];
      });
      chain = run.catch(() => undefined);
      return run;
    };
    const q: Queryable = {
      query: async (sql, params) => (await inTx(newJob(sql, params ?? []))).rows as any[],
      exec: async (sql) => {
        await inTx(newJob(sql, undefined));
      },
    };
    try {
      let out: T;
      try {
        out = await fn(q);
        await chain;
      } catch (e) {
        await chain;
        open = false;
        if (began) await this.direct([newJob('ROLLBACK', undefined)]).catch(() => undefined);
        throw e;
      }
      open = false;
      if (began) {
        const [commit] = await this.direct([newJob('COMMIT', undefined)]);
        if (commit.tag === 'ROLLBACK') throw new Error('the transaction was aborted by an earlier error and has been rolled back');
      }
      return out;
    } finally {
      release();
    }
  }

  // -- listen ---------------------------------------------------------------------------------

  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      try {
        await this.exec(`LISTEN ${quoteIdent(channel)}`);
      } catch (e) {
        this.listeners.delete(channel);
        throw e;
      }
    }
    set.add(onPayload);
    return async () => {
      if (!set.delete(onPayload) || set.size > 0 || this.listeners.get(channel) !== set) return;
      this.listeners.delete(channel);
      if (!this.closed) await this.exec(`UNLISTEN ${quoteIdent(channel)}`);
    };
  }

  private notify(channel: string, payload: string): void {
    const set = this.listeners.get(channel);
    if (!set) return;
    for (const h of set) {
      queueMicrotask(() => h(payload));
    }
  }

  // -- the connection -------------------------------------------------------------------------

  async dump(): Promise<Uint8Array> {
    const release = await this.hold();
    try {
      // a checkpoint first: a database started from the dump needs no recovery
      await this.direct([newJob('CHECKPOINT', undefined)]);
      return await this.engine.dump();
    } finally {
      release();
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const release = await this.hold(); // after everything queued before
      this.closed = true;
      try {
        await this.engine.close();
      } finally {
        release();
      }
    })();
    return this.closing;
  }

  /**
   * Adds a job's messages. False when it cannot go in this message: its statement is being
   * prepared by an earlier job of the same message (it goes in the next one).
   */
  private encode(w: Messages, j: Job, parsing: Set<Statement>): boolean {
    if (j.closes !== undefined) {
      w.add(serialize.close({ type: 'S', name: j.closes })).add(serialize.sync());
      return true;
    }
    if (j.params === undefined) {
      w.add(serialize.query(j.sql));
      return true;
    }
    let stmt = this.statements.get(j.sql);
    if (!stmt && this.statements.size < MAX_PREPARED) {
      stmt = { name: `s${this.named++}`, ready: false };
      this.statements.set(j.sql, stmt);
    }
    const params = j.params;
    if (!stmt) {
      w.add(serialize.parse({ text: j.sql }))
        .add(serialize.bind({ values: params }))
        .add(serialize.describe({ type: 'P' }))
        .add(serialize.execute())
        .add(serialize.sync());
      return true;
    }
    if (!stmt.ready) {
      if (parsing.has(stmt)) return false;
      parsing.add(stmt);
      j.parses = true;
      w.add(serialize.parse({ name: stmt.name, text: j.sql })).add(serialize.describe({ type: 'S', name: stmt.name }));
    }
    j.stmt = stmt;
    w.add(serialize.bind({ statement: stmt.name, values: params })).add(serialize.execute()).add(serialize.sync());
    return true;
  }

  /** Drops a prepared statement: the next use of its text prepares it again. */
  private forget(sql: string, stmt: Statement): void {
    this.statements.delete(sql);
    if (!stmt.ready) return;
    const j = newJob('', undefined);
    j.closes = stmt.name;
    j.resolve = () => undefined;
    j.reject = () => undefined;
    this.queue.push(j);
  }

  /** Sends a message of jobs and reads the reply into them (for a caller that is busy). */
  private async exchange(w: Messages, jobs: Job[]): Promise<void> {
    const reply = await this.engine.run(w.finish());
    this.read(reply, jobs);
  }

  private async send(w: Messages, jobs: Job[]): Promise<void> {
    try {
      await this.exchange(w, jobs);
    } finally {
      this.release();
    }
  }

  private read(reply: Uint8Array, jobs: Job[]): void {
    let k = 0;
    let j = jobs[0];
    readMessages(reply, (m) => {
      switch (m.name) {
        case 'parseComplete':
          if (j.parses) j.stmt!.ready = true;
          break;
        case 'rowDescription': {
          const fields = m.fields.map((f) => ({ name: f.name, parse: this.types.get(f.dataTypeID) }));
          if (j.parses) j.stmt!.fields = fields;
          else j.fields = fields;
          break;
        }
        case 'noData':
          if (j.parses) j.stmt!.fields = [];
          break;
        case 'dataRow': {
          const fields = j.fields ?? j.stmt?.fields ?? [];
          const values = m.fields;
          const row: Record<string, unknown> = {};
          for (let i = 0; i < fields.length; i++) {
            const v = values[i] as string | null;
            const f = fields[i];
            row[f.name] = v === null || !f.parse ? v : f.parse(v);
          }
          j.rows.push(row);
          break;
        }
        case 'commandComplete':
          j.tag = m.text;
          break;
        case 'error':
          if (!j.error) {
            j.error = m;
            j.error.query = j.sql;
            if (stale(j) && this.statements.get(j.sql) === j.stmt) this.forget(j.sql, j.stmt!);
          }
          break;
        case 'notification':
          this.notify(m.channel, m.payload);
          break;
        case 'readyForQuery': // this job is done
          k++;
          if (k < jobs.length) j = jobs[k];
          break;
        default: // bindComplete, parameterDescription, notice, parameterStatus, emptyQuery...
          break;
      }
    });
    if (k !== jobs.length) throw new Error(`pglite: ${jobs.length - k} statement(s) got no reply`);
  }
}

/** A statement with parameters (converted here: a value that cannot be sent fails the call), or a script. */
function newJob(sql: string, params: unknown[] | undefined): Job {
  return { sql, params: params?.map(toParam), rows: [], tag: '' };
}

/** "cached plan must not change result type": the statement was prepared before a schema change. */
function stale(j: Job): boolean {
  return j.error?.code === '0A000' && j.stmt !== undefined;
}

function retry(j: Job): Job {
  return { sql: j.sql, params: j.params, rows: [], tag: '', resolve: j.resolve, reject: j.reject, retried: true };
}

const sessions = new WeakMap<Db, Session>();

export async function openPglite(c: DbConfig): Promise<Db> {
  const dir = c.dataDir;
  if (dir && !dir.startsWith('memory://')) mkdirSync(dir, { recursive: true });
  const engine = await openEngine({ dataDir: dir ?? 'memory://', template: c.pgliteTemplate });
  const s = new Session(engine);
  // array types, so that array columns parse to arrays of their element type
  const arrays = await s.query('SELECT oid, typelem FROM pg_catalog.pg_type WHERE typcategory = $1 AND typelem <> 0', ['A']);
  s.types.addArrays(arrays.map((r) => [Number(r.oid), Number(r.typelem)] as [number, number]));
  // as on PostgreSQL (see ./postgres.ts): the prepared statements run on their generic plans,
  // without JIT (PGlite has none; the setting keeps the two alike)
  await s.exec('SET plan_cache_mode = force_generic_plan');
  await s.exec('SET jit = off');
  const db: Db = {
    kind: 'pglite',
    where: dir ?? 'memory',
    query: (sql, params) => s.query(sql, params) as Promise<any[]>,
    async exec(sql) {
      await s.exec(sql);
    },
    tx: (fn) => s.tx(fn),
    listen: (channel, onPayload) => s.listen(channel, onPayload),
    async tryAdvisoryLock() {
      // One embedded database belongs to exactly one server process: always the leader.
      return true;
    },
    close: () => s.close(),
  };
  sessions.set(db, s);
  return db;
}

/** Writes an in-memory PGlite's data folder to a file that pgliteTemplate can start from. */
export async function dumpPglite(db: Db, file: string): Promise<void> {
  const s = sessions.get(db);
  if (!s) throw new Error('not a PGlite database');
  writeFileSync(file, await s.dump());
}
