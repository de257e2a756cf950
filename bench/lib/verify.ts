// The correctness check after every run: every submitted process was handed out exactly once,
// closed successfully, and nothing was lost or invented. Client-side records are compared with
// the server's own view (colony statistics over the API, and the database when reachable).
import type { Db } from '../../src/store/db.js';
import { BenchClient, type Key } from './client.js';
import { EXECUTOR_TYPE } from './setup.js';

export interface CheckInput {
  target: string;
  colonyname: string;
  /** a member key of the colony (for getcolonystatsmsg) */
  memberKey: Key;
  submitted: string[];
  /** every id the executors received, duplicates included */
  received: string[];
  /** errors the load threads saw (failed closes etc.) */
  workerErrors: number;
  db?: Db;
  /** rows written straight into the table by the scale pre-fill (other executor type) */
  prefill?: { success: number; waiting: number; workflows?: number };
  /** bench processes of earlier runs in the same colony (scale levels) */
  earlier?: number;
}

export interface CheckResult {
  ok: boolean;
  problems: string[];
  notes: string[];
  submitted: number;
  received: number;
  duplicates: number;
  lost: number;
}

export async function checkRun(c: CheckInput): Promise<CheckResult> {
  const problems: string[] = [];
  const notes: string[] = [];
  const n = c.submitted.length;
  const submitted = new Set(c.submitted);
  if (submitted.size !== n) problems.push(`submit returned ${n - submitted.size} duplicate process ids`);
  const received = new Set<string>();
  let duplicates = 0;
  for (const id of c.received) {
    if (received.has(id)) duplicates++;
    else received.add(id);
  }
  if (duplicates) problems.push(`${duplicates} processes were assigned more than once`);
  let lost = 0;
  for (const id of submitted) if (!received.has(id)) lost++;
  if (lost) problems.push(`${lost} submitted processes were never assigned`);
  let extra = 0;
  for (const id of received) if (!submitted.has(id)) extra++;
  if (extra) problems.push(`${extra} assigned processes were not submitted by this run`);
  if (c.workerErrors) problems.push(`${c.workerErrors} calls failed in the load threads`);

  const pre = c.prefill ?? { success: 0, waiting: 0 };
  const client = new BenchClient(c.target, 1);
  try {
    const s = await client.call<Record<string, number>>('getcolonystatsmsg', { colonyname: c.colonyname }, c.memberKey);
    const expect: [string, number][] = [
      ['successfulprocesses', n + pre.success],
      ['waitingprocesses', pre.waiting],
      ['runningprocesses', 0],
      ['failedprocesses', 0],
      ...(pre.workflows !== undefined ? ([['successfulworkflows', pre.workflows]] as [string, number][]) : []),
    ];
    for (const [k, v] of expect) if (s?.[k] !== v) problems.push(`server statistics: ${k} = ${s?.[k]}, expected ${v}`);
  } catch (e) {
    notes.push(`server statistics unavailable (${(e as Error).message})`);
  } finally {
    await client.close();
  }

  if (c.db) {
    const rows = await c.db.query<{ state: number; n: number }>(
      'SELECT state, count(*)::int AS n FROM processes WHERE colonyname = $1 AND executortype = $2 GROUP BY state',
      [c.colonyname, EXECUTOR_TYPE],
    );
    const byState = new Map(rows.map((r) => [Number(r.state), r.n]));
    const want = n + (c.earlier ?? 0);
    if ((byState.get(2) ?? 0) !== want) problems.push(`database: ${byState.get(2) ?? 0} SUCCESS rows, expected ${want}`);
    for (const [state, cnt] of byState) if (state !== 2) problems.push(`database: ${cnt} rows in state ${state}`);
    const ok = await c.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM processes WHERE processid = ANY($1::text[]) AND state = 2 AND isassigned',
      [c.submitted],
    );
    if (ok[0].n !== n) problems.push(`database: ${ok[0].n} of ${n} submitted ids are SUCCESS and assigned`);
  } else {
    notes.push('database not reachable from the runner: checked by client records and statistics');
  }
  return { ok: problems.length === 0, problems, notes, submitted: n, received: c.received.length, duplicates, lost };
}
