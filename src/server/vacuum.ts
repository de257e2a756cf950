// The queue tables churn: every process row is updated twice (assign, close) and leaves two dead
// row versions behind, which the queue index scans must step over until VACUUM removes them.
// PostgreSQL's autovacuum normally does that. When it is off (some installations turn it off;
// the machine our benchmarks run on does), throughput falls steadily as dead rows pile up
// (bench/RESULTS.md, soak: 680 → 380 processes/s in 10 minutes). Then the leader vacuums the
// churning tables itself once enough dead rows have gathered. With autovacuum on, and on the
// embedded database, this loop does nothing.
import type { Db } from '../store/db.js';
import { loop } from './loops.js';

/** Tables whose rows are updated on the hot path. */
const CHURNING = ['processes', 'executors'];

export interface VacuumPolicy {
  /** dead rows before a table is vacuumed */
  minDead: number;
  /** ... and at least this share of its live rows */
  deadShare: number;
}

export const DEFAULT_VACUUM: VacuumPolicy = { minDead: 10_000, deadShare: 0.05 };

/** Vacuums the churning tables that need it when autovacuum is off; returns the tables vacuumed. */
export async function vacuumIfNeeded(db: Db, policy: VacuumPolicy = DEFAULT_VACUUM): Promise<string[]> {
  if (db.kind !== 'postgres') return [];
  const rows = await db.query<{ relname: string; dead: string | bigint; live: string | bigint; autovacuum: string }>(
    `SELECT s.relname, s.n_dead_tup AS dead, s.n_live_tup AS live, current_setting('autovacuum') AS autovacuum
       FROM pg_stat_user_tables s
      WHERE s.schemaname = current_schema() AND s.relname = ANY ($1::text[])`,
    [CHURNING],
  );
  const due = rows.filter(
    (r) => r.autovacuum === 'off' && Number(r.dead) >= policy.minDead && Number(r.dead) >= policy.deadShare * Number(r.live),
  );
  // VACUUM cannot run in a transaction block: each is its own simple statement.
  for (const r of due) await db.exec(`VACUUM "${r.relname}"`);
  return due.map((r) => r.relname);
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
