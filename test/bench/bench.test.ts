// The benchmark runner at toy scale: the throughput mode's load threads really run the
// lifecycle against an in-process server, and its correctness check passes. No timing asserts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMode } from '../../bench/modes/index.js';
import type { Target } from '../../bench/lib/target.js';
import { checkRun } from '../../bench/lib/verify.js';
import { createColony } from '../../bench/lib/setup.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let t: TestServer;
let target: Target;

beforeAll(async () => {
  t = await startTestServer();
  target = {
    label: 'in-process',
    address: t.url.replace(/^https?:\/\//, ''),
    serverKey: t.serverKey,
    dbKind: t.server.srv.db.kind,
    entry: 'in-process',
    db: t.server.srv.db,
    stop: async () => undefined,
  };
});

afterAll(async () => {
  await t?.close();
});

describe('bench throughput mode', () => {
  it('runs 200 processes through 2 executors and every one succeeds exactly once', async () => {
    const r = await runMode('throughput', target, { processes: 200, executors: [2], inflight: 8 });
    expect(r.check?.problems).toEqual([]);
    expect(r.check?.ok).toBe(true);
    expect(r.check?.submitted).toBe(200);
    expect(r.check?.received).toBe(200);
    expect(r.metrics.processes_per_s).toBeGreaterThan(0);
    // the server agrees: 200 SUCCESS rows, nothing waiting or running, each assigned
    const rows = await t.server.srv.db.query<{ state: number; n: number }>(
      "SELECT state, count(*)::int AS n FROM processes WHERE executortype = 'bench' GROUP BY state",
    );
    expect(rows.map((x) => [Number(x.state), x.n])).toEqual([[2, 200]]);
    // what the database logged: at least a row version per step (submit, assign, close) each
    if (t.server.srv.db.kind === 'postgres') {
      expect(r.metrics.wal_records_per_process).toBeGreaterThanOrEqual(3);
      expect(r.metrics.wal_kb_per_process).toBeGreaterThan(0.3);
    }
  });

  it('the check catches a process assigned twice and one that was lost', async () => {
    const colony = await createColony(target.address, target.serverKey, 1, 'check');
    const r = await checkRun({
      target: target.address,
      colonyname: colony.name,
      memberKey: colony.submitter,
      submitted: ['a'.repeat(64), 'b'.repeat(64)],
      received: ['a'.repeat(64), 'a'.repeat(64)],
      workerErrors: 0,
      db: target.db,
    });
    expect(r.ok).toBe(false);
    expect(r.duplicates).toBe(1);
    expect(r.lost).toBe(1);
    expect(r.problems).toContain('1 processes were assigned more than once');
    expect(r.problems).toContain('1 submitted processes were never assigned');
  });
});

describe('bench scale mode', () => {
  it('pre-fills processes and workflows, measures each level, runs workflows through, and the check counts all of them', async () => {
    const r = await runMode('scale', target, { levels: [0, 600], processes: 30, executors: [2], inflight: 4, workflows: 3 });
    expect(r.check?.problems).toEqual([]);
    expect(r.check?.ok).toBe(true);
    // 600 filler rows: 12 WAITING (1 in 50), 120 SUCCESS workflows (1 in 5), all in the colony,
    // and 3 workflows run through at each of the 2 levels (the second level's check counts the
    // first level's: 6 more SUCCESS processes, 3 more workflows)
    const [colony] = await t.server.srv.db.query<{ colonyname: string }>(
      "SELECT colonyname FROM processes WHERE executortype = 'bench-fill' LIMIT 1",
    );
    const graphs = await t.server.srv.db.query<{ n: number }>('SELECT count(*)::int AS n FROM process_graphs WHERE colonyname = $1 AND state = 2', [
      colony.colonyname,
    ]);
    expect(graphs[0].n).toBe(120 + 2 * 3);
    expect(r.metrics['stats_p50_ms@600']).toBeGreaterThan(0);
    expect(r.metrics['wf_close_p50_ms@600']).toBeGreaterThan(0);
    expect(r.metrics['list_graphs_p50_ms@600']).toBeGreaterThan(0);
    expect(r.metrics['wf_close_p50_vs_first@600']).toBeGreaterThan(0);
    expect(r.metrics['history_p50_ms@600']).toBeGreaterThan(0);
  });
});
