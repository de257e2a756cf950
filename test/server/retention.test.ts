// Retention (SEMANTICS §19): successful processes and workflows older than the policy go, with
// their attributes; every older log entry goes; everything else stays. The leader's loop runs
// once a minute, so the test applies the policy directly with a moved clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowNs, SECOND_NS } from '../../src/protocol/time.js';
import { applyRetention } from '../../src/server/retention.js';
import { setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';
import { assignNow, node, workflow } from '../helpers/workflow.js';

let t: TestServer;
let c: Cast;
const COLONY = 'ret';

beforeAll(async () => {
  t = await startTestServer({ retention: true, retentionPolicy: 60 });
  c = await setupColony(t, COLONY);
});
afterAll(() => t?.close());

const submit = (executortype: string) =>
  t.call('submitfuncspecmsg', { spec: { funcname: 'f', maxexectime: -1, conditions: { colonyname: COLONY, executortype } } }, c.user);
const exists = async (processid: string) => {
  try {
    await t.call('getprocessmsg', { processid }, c.user);
    return true;
  } catch {
    return false;
  }
};

describe('applyRetention', () => {
  it('deletes old successful processes, workflows and all old logs; keeps the rest', async () => {
    // A successful single process with an attribute and a log line.
    const ok = await submit('test-executor');
    await assignNow(t, c);
    const attr = await t.call(
      'addattributemsg',
      { attribute: { targetid: ok.processid, targetcolonyname: COLONY, attributetype: 1, key: 'k', value: 'v' } },
      c.executor,
    );
    await t.call('addlogmsg', { processid: ok.processid, message: 'old line' }, c.executor);
    await t.call('closesuccessfulmsg', { processid: ok.processid, out: [] }, c.executor);
    // A failed one and a waiting one.
    const bad = await submit('test-executor');
    await assignNow(t, c);
    await t.call('closefailedmsg', { processid: bad.processid, errors: [] }, c.executor);
    const waiting = await submit('nobody');
    // A successful workflow and a running one (whose first member succeeded).
    const done = await t.call('submitworkflowspecmsg', { spec: workflow(COLONY, node('a')) }, c.user);
    await t.call('closesuccessfulmsg', { processid: (await assignNow(t, c)).processid, out: [] }, c.executor);
    const running = await t.call('submitworkflowspecmsg', { spec: workflow(COLONY, node('a'), node('b', ['a'])) }, c.user);
    await t.call('closesuccessfulmsg', { processid: (await assignNow(t, c)).processid, out: [] }, c.executor);
    await assignNow(t, c);

    // Nothing is old enough yet.
    expect(await applyRetention(t.server.srv.db, 60)).toEqual({ processes: 0, graphs: 0, logs: 0 });
    expect(await exists(ok.processid)).toBe(true);

    // Two minutes later, with a one-minute policy.
    const r = await applyRetention(t.server.srv.db, 60, nowNs() + 120n * SECOND_NS);
    expect(r).toEqual({ processes: 1, graphs: 1, logs: 1 });
    expect(await exists(ok.processid)).toBe(false);
    expect((await t.fail('getattributemsg', { attributeid: attr.attributeid }, c.user)).status).toBe(400);
    expect(await exists(bad.processid)).toBe(true);
    expect(await exists(waiting.processid)).toBe(true);
    expect((await t.fail('getprocessgraphmsg', { processgraphid: done.processgraphid }, c.user)).status).toBe(500);
    expect(await exists(done.processids[0])).toBe(false);
    const still = await t.call('getprocessgraphmsg', { processgraphid: running.processgraphid }, c.user);
    expect(still.state).toBe(1);
    for (const id of running.processids) expect(await exists(id)).toBe(true);
    expect(await t.call('searchlogsmsg', { colonyname: COLONY, text: 'old', days: 30, count: 10 }, c.user)).toBeNull();
  });
});

describe('colony removal', () => {
  it('removes the colony’s workflows, logs, crons, generators and queued args', async () => {
    const cast = await setupColony(t, 'doomed');
    const wf = JSON.stringify(workflow('doomed', node('a')));
    await t.call('submitworkflowspecmsg', { spec: workflow('doomed', node('a'), node('b', ['a'])) }, cast.user);
    await t.call('addcronmsg', { cron: { colonyname: 'doomed', name: 'c', interval: 3600, workflowspec: wf } }, cast.user);
    const g = await t.call('addgeneratormsg', { generator: { colonyname: 'doomed', name: 'g', trigger: 100, workflowspec: wf } }, cast.user);
    await t.call('packgeneratormsg', { generatorid: g.generatorid, arg: 'x' }, cast.user);
    await t.call('addexecutorlogmsg', { colonyname: 'doomed', executorname: cast.executor.name, message: 'bye' }, cast.executor);
    const count = async () => {
      const rows = await t.server.srv.db.query<{ n: number }>(
        `SELECT ((SELECT count(*) FROM process_graphs WHERE colonyname = 'doomed') + (SELECT count(*) FROM logs WHERE colonyname = 'doomed')
               + (SELECT count(*) FROM crons WHERE colonyname = 'doomed') + (SELECT count(*) FROM generators WHERE colonyname = 'doomed')
               + (SELECT count(*) FROM generator_args WHERE colonyname = 'doomed'))::int AS n`,
      );
      return rows[0].n;
    };
    expect(await count()).toBe(5);
    await t.call('removecolonymsg', { colonyname: 'doomed' }, t.serverKey);
    expect(await count()).toBe(0);
  });
});
