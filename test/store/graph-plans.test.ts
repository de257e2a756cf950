// Statements that pick a workflow's member processes must reach them through processes_graph,
// a partial index (WHERE processgraphid <> ''), also on the generic plans the server's sessions
// run (plan-cache.test.ts). A generic plan cannot tell that `processgraphid = $1` rules out '',
// so a filter without its own `processgraphid <> ''` could not use the index and read the whole
// table: 420 ms at 1,000,000 processes for each graph resolved, listed or removed.
//
// The table here is small, where a scan is cheap and would be chosen anyway, so every statement
// is explained with sequential scans disabled: a plan that still scans `processes` has no index
// path at all, which is the fault.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { testDbConfig } from '../helpers/db.js';
import { setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';
import { assignNow, node, workflow } from '../helpers/workflow.js';

let t: TestServer;
let c: Cast;

beforeAll(async () => {
  // one connection: the statements are prepared in the session we then inspect
  t = await startTestServer({ db: { ...testDbConfig(), poolSize: 1 } });
  c = await setupColony(t, 'gp');
});
afterAll(() => t.close());

/** A dummy SQL literal for a parameter of this type (EXPLAIN does not run the statement). */
function dummy(type: string): string {
  if (type.endsWith('[]')) return `'{}'::${type}`;
  if (type === 'boolean') return 'false';
  if (type === 'text' || type.startsWith('character')) return `'x'`;
  return `0::${type}`;
}

test('every statement over the members of a workflow can use processes_graph on its generic plan', async () => {
  const submit = (...nodes: Record<string, unknown>[]) => t.call('submitworkflowspecmsg', { spec: workflow('gp', ...nodes) }, c.user);
  // one workflow runs to its end (children released, members counted, graph resolved) ...
  const ok = await submit(node('a'), node('b', ['a']));
  for (let i = 0; i < 2; i++) {
    const p = await assignNow(t, c);
    await t.call('closesuccessfulmsg', { processid: p.processid, out: [] }, c.executor);
  }
  // ... one fails (the cascade), one is cancelled, and both are listed, read and removed
  const failing = await submit(node('x'), node('y', ['x']));
  const x = await assignNow(t, c);
  await t.call('closefailedmsg', { processid: x.processid, errors: ['no'] }, c.executor);
  const cancelled = await submit(node('m'));
  await t.call('cancelprocessgraphmsg', { processgraphid: cancelled.processgraphid }, c.user);
  for (const state of [2, 3, 4]) await t.call('getprocessgraphsmsg', { colonyname: 'gp', count: 10, state }, c.user);
  for (const g of [ok, failing, cancelled]) await t.call('getprocessgraphmsg', { processgraphid: g.processgraphid }, c.user);
  await t.call('removeprocessgraphmsg', { processgraphid: ok.processgraphid }, c.user);

  const db = t.server.srv.db;
  const prepared = await db.query<{ name: string; statement: string; parameter_types: string | string[] }>(
    'SELECT name, statement, parameter_types::text[] AS parameter_types FROM pg_prepared_statements',
  );
  const members = prepared.filter((s) => /\bprocesses\b/.test(s.statement) && /processgraphid = (\$\d|ANY)/.test(s.statement));
  // graph members read, released, counted, failed, cancelled and deleted
  expect(members.length).toBeGreaterThanOrEqual(6);
  // Prepared anew here, with sequential scans off (a cached plan would not be re-made), on the
  // session's generic plans.
  await db.query('SET enable_seqscan = off');
  try {
    for (const [i, s] of members.entries()) {
      const types = (Array.isArray(s.parameter_types) ? s.parameter_types : String(s.parameter_types).replace(/^\{|\}$/g, '').split(',')).filter(Boolean);
      await db.query(`PREPARE graph_probe_${i} (${types.join(', ')}) AS ${s.statement}`);
      const plan = (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE graph_probe_${i}(${types.map(dummy).join(', ')})`)).map((r) => r['QUERY PLAN']).join('\n');
      await db.query(`DEALLOCATE graph_probe_${i}`);
      expect(plan, s.statement).not.toMatch(/Seq Scan on processes/);
      expect(plan, s.statement).toMatch(/processes_graph/);
    }
  } finally {
    await db.query('RESET enable_seqscan');
  }
});
