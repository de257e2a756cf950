// Direct rows for tests of the administration RPCs: processes in a given state without going
// through submit/assign, and small readers, so executor/colony tests do not depend on the
// process engine.
import { randomId } from '../../src/domain/ids.js';
import type { Queryable } from '../../src/store/db.js';

export interface ProcessRow {
  colonyname: string;
  executortype?: string;
  state?: number;
  assignedexecutorid?: string;
  executornames?: string[] | null;
  locationname?: string;
  /** default: a random id */
  processid?: string;
  /** times in ns; default: now (start: now when RUNNING, else 0; end: 0) */
  submissiontime?: bigint;
  prioritytime?: bigint;
  starttime?: bigint;
  endtime?: bigint;
  label?: string;
  initiatorid?: string;
  initiatorname?: string;
  /** the spec column (default `{}`: enough for the store, not for rendering the process) */
  spec?: unknown;
}

/** Inserts a process row; RUNNING rows are assigned (isassigned, start time). Returns its id. */
export async function insertProcess(q: Queryable, p: ProcessRow): Promise<string> {
  const id = p.processid ?? randomId();
  const state = p.state ?? 0;
  const now = BigInt(Date.now()) * 1_000_000n;
  const submitted = p.submissiontime ?? now;
  await q.query(
    `INSERT INTO processes (processid, colonyname, executortype, state, isassigned, prioritytime, assignedexecutorid,
       submissiontime, starttime, endtime, executornames, locationname, label, initiatorid, initiatorname, spec)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16::jsonb)`,
    [
      id,
      p.colonyname,
      p.executortype ?? 'test-executor',
      state,
      state !== 0,
      p.prioritytime ?? submitted,
      p.assignedexecutorid ?? '',
      submitted,
      p.starttime ?? (state === 1 ? now : 0n),
      p.endtime ?? 0n,
      p.executornames ?? null,
      p.locationname ?? '',
      p.label ?? '',
      p.initiatorid ?? '',
      p.initiatorname ?? '',
      JSON.stringify(p.spec ?? {}),
    ],
  );
  return id;
}

export async function processRow(q: Queryable, processid: string) {
  const rows = await q.query<{ state: number; isassigned: boolean; assignedexecutorid: string; starttime: bigint; endtime: bigint }>(
    'SELECT state, isassigned, assignedexecutorid, starttime, endtime FROM processes WHERE processid = $1',
    [processid],
  );
  return rows[0];
}

export async function count(q: Queryable, sql: string, params: unknown[] = []): Promise<number> {
  const rows = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params);
  return rows[0].n;
}

/** Inserts a process graph row in the given state (statistics tests). */
export async function insertGraph(q: Queryable, colonyname: string, state: number): Promise<string> {
  const id = randomId();
  await q.query('INSERT INTO process_graphs (processgraphid, colonyname, state) VALUES ($1, $2, $3)', [id, colonyname, state]);
  return id;
}
