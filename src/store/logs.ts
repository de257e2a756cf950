// SQL for process and executor logs (PROTOCOL §6.10, SEMANTICS §11). Timestamps are int8
// nanoseconds kept as BigInt end to end; `seq` breaks ties in insertion order.
import type { Log } from '../protocol/objects.js';
import { withCustomPlans, type Db, type Queryable } from './db.js';

interface LogRow {
  processid: string;
  colonyname: string;
  executorname: string;
  message: string;
  ts: bigint;
}

const toLog = (r: LogRow): Log => ({
  processid: r.processid,
  colonyname: r.colonyname,
  executorname: r.executorname,
  message: r.message,
  timestamp: BigInt(r.ts),
});

const COLUMNS = 'processid, colonyname, executorname, message, ts';

export async function addLog(q: Queryable, l: { colonyname: string; processid: string; executorname: string; message: string; ts: bigint }): Promise<void> {
  await q.query('INSERT INTO logs (colonyname, processid, executorname, message, ts) VALUES ($1, $2, $3, $4, $5)', [
    l.colonyname,
    l.processid,
    l.executorname,
    l.message,
    l.ts,
  ]);
}

/** Which logs to read: those of one process, or those written by one executor name in a colony. */
export type LogSource = { processid: string } | { colonyname: string; executorname: string };

export interface LogQuery {
  count: number;
  /** ns; > 0 → only entries newer than this */
  since: bigint;
  /** the newest `count` entries (returned oldest first) */
  latest: boolean;
}

/**
 * Logs oldest first: with `latest` the newest `count`, else with `since` > 0 the first `count`
 * newer than `since`, else the oldest `count` (the original's precedence).
 */
export async function getLogs(q: Queryable, src: LogSource, o: LogQuery): Promise<Log[]> {
  const params: unknown[] = [];
  let where: string;
  if ('processid' in src) {
    params.push(src.processid);
    where = 'processid = $1';
  } else {
    params.push(src.colonyname, src.executorname);
    where = 'colonyname = $1 AND executorname = $2';
  }
  params.push(o.count);
  const limit = `$${params.length}`;
  let rows: LogRow[];
  if (o.latest) {
    rows = await q.query<LogRow>(
      `SELECT ${COLUMNS} FROM (SELECT ${COLUMNS}, seq FROM logs WHERE ${where} ORDER BY ts DESC, seq DESC LIMIT ${limit}) l ORDER BY ts, seq`,
      params,
    );
  } else if (o.since > 0n) {
    params.push(o.since);
    rows = await q.query<LogRow>(`SELECT ${COLUMNS} FROM logs WHERE ${where} AND ts > $${params.length} ORDER BY ts, seq LIMIT ${limit}`, params);
  } else {
    rows = await q.query<LogRow>(`SELECT ${COLUMNS} FROM logs WHERE ${where} ORDER BY ts, seq LIMIT ${limit}`, params);
  }
  return rows.map(toLog);
}

/** Substring match over the colony's logs of the last `days` days, at most `count`. */
export async function searchLogs(db: Db, colonyname: string, text: string, sinceNs: bigint, count: number): Promise<Log[]> {
  // `ts >= since` is a range: planned for its value (see withCustomPlans)
  const rows = await withCustomPlans(db, (q) =>
    q.query<LogRow>(`SELECT ${COLUMNS} FROM logs WHERE colonyname = $1 AND ts >= $2 AND strpos(message, $3) > 0 ORDER BY ts, seq LIMIT $4`, [
      colonyname,
      sinceNs,
      text,
      count,
    ]),
  );
  return rows.map(toLog);
}

/** Retention: deletes every log entry older than the cutoff; returns how many. */
export async function deleteLogsBefore(db: Db, cutoffNs: bigint): Promise<number> {
  // planned for the cutoff, so that a few old entries are found through logs_ts, not by a scan
  const rows = await withCustomPlans(db, (q) =>
    q.query<{ n: number }>('WITH d AS (DELETE FROM logs WHERE ts < $1 RETURNING 1) SELECT count(*)::int AS n FROM d', [cutoffNs]),
  );
  return rows[0]?.n ?? 0;
}
