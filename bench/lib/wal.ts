// What the database wrote to its write-ahead log during a run (pg_stat_wal, PostgreSQL 14+):
// every commit, row version and index entry goes through it, so WAL per process shows what a
// schema or statement change costs the database, independent of how busy the machine was.
import type { Queryable } from '../../src/store/db.js';
import { round } from './stats.js';

export interface WalSnapshot {
  records: number;
  /** full-page images (the first change of a page after a checkpoint) */
  fpi: number;
  bytes: number;
}

/** The cluster's WAL counters now, or undefined when the database does not tell them. */
export async function walSnapshot(db: Queryable | undefined): Promise<WalSnapshot | undefined> {
  if (!db) return undefined;
  try {
    const [r] = await db.query<{ records: string; fpi: string; bytes: string }>(
      'SELECT wal_records::text AS records, wal_fpi::text AS fpi, wal_bytes::text AS bytes FROM pg_stat_wal',
    );
    if (!r) return undefined;
    return { records: Number(r.records), fpi: Number(r.fpi), bytes: Number(r.bytes) };
  } catch {
    return undefined;
  }
}

/**
 * Adds WAL per operation between two snapshots: `wal_kb_per_<unit>`, `wal_records_per_<unit>`,
 * `wal_fpi_per_<unit>`. Counters are cluster-wide: other clients of the database count too.
 */
export function addWal(m: Record<string, number>, w0: WalSnapshot | undefined, w1: WalSnapshot | undefined, ops: { n: number; unit: string }): void {
  if (!w0 || !w1 || ops.n <= 0 || w1.bytes <= w0.bytes) return;
  m[`wal_kb_per_${ops.unit}`] = round((w1.bytes - w0.bytes) / 1024 / ops.n, 3);
  m[`wal_records_per_${ops.unit}`] = round((w1.records - w0.records) / ops.n, 2);
  m[`wal_fpi_per_${ops.unit}`] = round((w1.fpi - w0.fpi) / ops.n, 3);
}
