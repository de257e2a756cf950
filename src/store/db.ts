// One SQL dialect (PostgreSQL), two adapters: node-postgres for a real server and PGlite
// (embedded PostgreSQL in a data folder) for zero-setup use. Both parse int8 as BigInt.
export interface Queryable {
  query<R = Record<string, any>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Human-readable location: connection target or data folder. */
  readonly where: string;
  /** the schema this database works in, when not the default (test isolation) */
  readonly schema?: string;
  /** Runs fn in one transaction (READ COMMITTED); rolls back when fn throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /**
   * LISTEN on a channel; returns an unlisten function. `onResume` is called each time the
   * listening connection was lost and is LISTENing again: notifications sent in between were
   * missed, so whoever waits on them should look at the database again.
   */
  listen(channel: string, onPayload: (payload: string) => void, onResume?: () => void): Promise<() => Promise<void>>;
  /**
   * Tries to become (or stay) the holder of a session-level advisory lock. Returns true while
   * this instance holds it. The lock dies with the connection, so a killed leader frees it.
   */
  tryAdvisoryLock(key: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface DbConfig {
  /** postgres connection string; when absent, PGlite is used in dataDir */
  url?: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  /** a schema to create and use (tests isolate runs this way) */
  schema?: string;
  dataDir?: string;
  /** PGlite only: start an in-memory database from this data-folder dump (a tarball made by dumpPglite) */
  pgliteTemplate?: string;
  poolSize?: number;
}

export function isPostgresConfigured(c: DbConfig): boolean {
  return Boolean(c.url || c.host);
}

export async function openDb(c: DbConfig): Promise<Db> {
  if (isPostgresConfigured(c)) {
    const { openPostgres } = await import('./postgres.js');
    return openPostgres(c);
  }
  const { openPglite } = await import('./pglite.js');
  return openPglite(c);
}

/** The statement that makes a transaction's statements planned for their values (withCustomPlans). */
export const CUSTOM_PLANS = 'SET LOCAL plan_cache_mode = force_custom_plan';

/**
 * Runs fn in one transaction whose statements are planned for the values they are given. The
 * server's sessions run every prepared statement on its generic plan (./postgres.ts), which is
 * right for the hot statements; but a generic plan cannot know that a range given as a parameter
 * (since a time, older than a cutoff) is narrow, so it reads the whole table: at 1,000,000
 * processes, history, statistics and a subscriber's catch-up took 200-260 ms instead of under
 * 1 ms (bench/RESULTS.md, tenth round). Planning each call costs a fraction of a millisecond.
 */
export function withCustomPlans<T>(db: Db, fn: (q: Queryable) => Promise<T>): Promise<T> {
  return db.tx(async (q) => {
    await q.query(CUSTOM_PLANS);
    return fn(q);
  });
}
