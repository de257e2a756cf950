// The queue tables churn: every process row is updated twice (assign, close) and leaves two dead
// row versions behind, which the queue index scans must step over until VACUUM removes them.
// PostgreSQL's autovacuum normally does that. When it is off (some installations turn it off;
// the machine our benchmarks run on does), throughput falls steadily as dead rows pile up
// (bench/RESULTS.md, soak: 680 → 380 processes/s in 10 minutes). Then the leader vacuums the
// churning tables itself once enough dead (or newly inserted) rows have gathered, and analyzes
// them once enough rows changed. With autovacuum on, and on the embedded database, this loop
// does nothing.
import type { Db } from '../store/db.js';
import { loop } from './loops.js';

/** Tables whose rows are updated on the hot path. */
const CHURNING = ['processes', 'executors'];

export interface VacuumPolicy {
  /** dead rows (or rows inserted, or changed since the last ANALYZE) before a table is handled */
  minDead: number;
  /** ... and at least this share of its live rows: dead rows for VACUUM */
  deadShare: number;
  /** ... rows inserted since the last VACUUM, for VACUUM (it marks their pages all-visible) */
  insertShare: number;
  /** ... rows changed since the last ANALYZE, for ANALYZE (the planner's statistics) */
  analyzeShare: number;
}

/** autovacuum's own default shares for inserts (0.2) and ANALYZE (0.1) */
export const DEFAULT_VACUUM: VacuumPolicy = { minDead: 10_000, deadShare: 0.05, insertShare: 0.2, analyzeShare: 0.1 };

interface TableStats {
  relname: string;
  dead: string | bigint;
  live: string | bigint;
  inserted: string | bigint;
  modified: string | bigint;
  autovacuum: string;
}

/**
 * Does for the churning tables what autovacuum would, when it is off: VACUUM once dead rows
 * gather (index scans step over them) or once many rows were inserted (their pages become
 * all-visible, so counts and lists are answered from the index alone: counting 20,000 WAITING
 * rows took 88 ms before and 2.9 ms after), and ANALYZE once many rows changed. Returns the
 * tables handled.
 */
export async function vacuumIfNeeded(db: Db, policy: VacuumPolicy = DEFAULT_VACUUM): Promise<string[]> {
  if (db.kind !== 'postgres') return [];
  const rows = await db.query<TableStats>(
    `SELECT s.relname, s.n_dead_tup AS dead, s.n_live_tup AS live, s.n_ins_since_vacuum AS inserted,
            s.n_mod_since_analyze AS modified, current_setting('autovacuum') AS autovacuum
       FROM pg_stat_user_tables s
      WHERE s.schemaname = current_schema() AND s.relname = ANY ($1::text[])`,
    [CHURNING],
  );
  const over = (n: string | bigint, live: number, share: number) => Number(n) >= policy.minDead && Number(n) >= share * live;
  const done: string[] = [];
  for (const r of rows) {
    if (r.autovacuum !== 'off') continue;
    const live = Number(r.live);
    const vacuum = over(r.dead, live, policy.deadShare) || over(r.inserted, live, policy.insertShare);
    const analyze = over(r.modified, live, policy.analyzeShare);
    if (!vacuum && !analyze) continue;
    // VACUUM cannot run in a transaction block: each is its own simple statement.
    await db.exec(`${vacuum ? `VACUUM${analyze ? ' (ANALYZE)' : ''}` : 'ANALYZE'} "${r.relname}"`);
    done.push(r.relname);
  }
  return done;
}

loop({
  name: 'vacuum',
  periodMs: (s) => (s.config.vacuumCheckPeriod > 0 ? s.config.vacuumCheckPeriod : 3_600_000),
  leaderOnly: true,
  run: async (srv) => {
    if (srv.config.vacuumCheckPeriod <= 0) return;
    const done = await vacuumIfNeeded(srv.db);
    if (done.length > 0) srv.log.debug({ tables: done }, 'vacuumed (autovacuum is off)');
  },
});
