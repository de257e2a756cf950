// Several executors' assign attempts in one statement (assignMany in src/store/process-assign.ts,
// driven by the assign Batcher in src/server/assign.ts): each attempt gets what its own statement
// would have got at that moment, in order, and no process is claimed twice.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UNLIMITED } from '../../src/domain/resources.js';
import { nowNs } from '../../src/protocol/time.js';
import { migrate } from '../../src/store/migrate.js';
import { ASSIGN_BATCH_FUNCTION, assignMany, type AssignAttempt } from '../../src/store/process-assign.js';
import { addApprovedExecutor, newKey, setupColony, startTestServer, type Cast, type Key, type TestServer } from '../helpers/server.js';
import { watchStatements } from '../helpers/statements.js';
import { node, workflow } from '../helpers/workflow.js';

const COLONY = 'batched';
const T = 'tee';
const U = 'you';

let t: TestServer;
let c: Cast;
let e2: Key & { name: string };
let e3: Key;
let pending: Key;

beforeAll(async () => {
  t = await startTestServer();
  c = await setupColony(t, COLONY, T);
  e2 = { ...newKey(), name: 'second' };
  await addApprovedExecutor(t, c.owner, COLONY, e2, e2.name, T);
  e3 = newKey();
  await addApprovedExecutor(t, c.owner, COLONY, e3, 'third', U);
  pending = newKey();
  await t.call('addexecutormsg', { executor: { executorid: pending.id, executortype: T, executorname: 'pending', colonyname: COLONY } }, c.owner);
});
afterAll(() => t?.close());

const submit = (funcname: string, extra: Record<string, unknown> = {}, type = T) =>
  t.call('submitfuncspecmsg', { spec: { funcname, conditions: { colonyname: COLONY, executortype: type, ...extra } } }, c.user);
const attempt = (k: Key, wantMore = false) => ({ executorid: k.id, colonyname: COLONY, now: nowNs(), cpu: UNLIMITED, mem: UNLIMITED, wantMore });
const batch = (...as: ReturnType<typeof attempt>[]) => assignMany(t.server.srv.db, COLONY, as);

/** What an attempt came to, compactly: the funcname it got, or its kind. */
function outcome(a: AssignAttempt): string {
  return a.kind === 'assigned' ? a.process.spec.funcname : a.kind;
}

/** `n` more approved executors of type T, named `<prefix><i>`, and one process of type T for each. */
async function executorsWithWork(prefix: string, n: number): Promise<{ keys: Key[]; submitted: string[] }> {
  const keys: Key[] = [];
  for (let i = 0; i < n; i++) {
    const k = newKey();
    await addApprovedExecutor(t, c.owner, COLONY, k, `${prefix}${i}`, T);
    keys.push(k);
  }
  const submitted = [];
  for (let i = 0; i < n; i++) submitted.push((await submit(`${prefix}${i}`)).processid);
  return { keys, submitted };
}

/** Every key got its own one of the submitted processes; then each closes it. */
async function eachGotOne(got: { processid: string; assignedexecutorid: string }[], keys: Key[], submitted: string[]): Promise<void> {
  expect(got.map((p) => p.processid).sort()).toEqual([...submitted].sort());
  expect(got.map((p) => p.assignedexecutorid)).toEqual(keys.map((k) => k.id));
  for (const [i, p] of got.entries()) await t.call('closesuccessfulmsg', { processid: p.processid, out: [] }, keys[i]);
}

describe('assignMany', () => {
  it('each attempt gets the best process eligible for it that the earlier ones left, in order', async () => {
    await submit('p1');
    await submit('p2', {}, U);
    await submit('p3');
    await submit('p4', { executornames: [e2.name] });
    await submit('p5');
    const stranger = newKey();
    const got = await batch(attempt(c.executor), attempt(e2), attempt(e3), attempt(stranger), attempt(pending), attempt(c.executor));
    // p4 is only for `second`, which took the older p3; so the executor's second attempt gets p5
    expect(got.map(outcome)).toEqual(['p1', 'p3', 'p2', 'noexecutor', 'notapproved', 'p5']);
    for (const a of got) {
      if (a.kind !== 'assigned') continue;
      const p = await t.call('getprocessmsg', { processid: a.process.processid }, c.user);
      expect(p.state).toBe(1);
      expect(p.assignedexecutorid).toBe(a.process.assignedexecutorid);
    }
    expect((got[1] as Extract<AssignAttempt, { kind: 'assigned' }>).process.assignedexecutorid).toBe(e2.id);
    expect(got[0].kind === 'assigned' && got[0].executortype).toBe(T);

    const next = await batch(attempt(c.executor), attempt(e2));
    expect(next.map(outcome)).toEqual(['empty', 'p4']);
    expect(next[0]).toMatchObject({ kind: 'empty', executortype: T, contended: false });
    for (const a of [...got, ...next]) if (a.kind === 'assigned') await t.call('closesuccessfulmsg', { processid: a.process.processid, out: [] }, a.process.assignedexecutorid === e2.id ? e2 : a.process.assignedexecutorid === e3.id ? e3 : c.executor);
  });

  it('says whether more is waiting, to those who ask', async () => {
    for (const f of ['m1', 'm2', 'm3']) await submit(f);
    const got = await batch(attempt(c.executor, true), attempt(e2, false), attempt(c.executor, true));
    expect(got.map(outcome)).toEqual(['m1', 'm2', 'm3']);
    expect(got.map((a) => a.kind === 'assigned' && a.more)).toEqual([true, false, false]);
    for (const [i, a] of got.entries()) if (a.kind === 'assigned') await t.call('closesuccessfulmsg', { processid: a.process.processid, out: [] }, i === 1 ? e2 : c.executor);
  });

  it('claims nothing in a paused colony', async () => {
    const p = await submit('held');
    await t.call('pauseassignmentsmsg', { colonyname: COLONY }, c.owner);
    try {
      expect((await batch(attempt(c.executor), attempt(e2))).map((a) => a.kind)).toEqual(['paused', 'paused']);
    } finally {
      await t.call('resumeassignmentsmsg', { colonyname: COLONY }, c.owner);
    }
    expect((await t.call('getprocessmsg', { processid: p.processid }, c.user)).state).toBe(0);
    const got = await batch(attempt(c.executor));
    expect(got.map(outcome)).toEqual(['held']);
    await t.call('closesuccessfulmsg', { processid: (got[0] as Extract<AssignAttempt, { kind: 'assigned' }>).process.processid, out: [] }, c.executor);
  });

  it('starts a workflow and gives a child its parents\' output as input, as a single attempt does', async () => {
    const wf = { ...workflow(COLONY, node('a'), node('b'), node('c', ['a', 'b'])) };
    for (const n of wf.functionspecs as { conditions: Record<string, unknown> }[]) n.conditions.executortype = T;
    const g = await t.call('submitworkflowspecmsg', { spec: wf }, c.user);
    const roots = await batch(attempt(c.executor), attempt(e2), attempt(c.executor));
    expect(roots.map(outcome)).toEqual(['fn-a', 'fn-b', 'empty']);
    expect((await t.call('getprocessgraphmsg', { processgraphid: g.processgraphid }, c.user)).state).toBe(1);
    const [a, b] = roots as Extract<AssignAttempt, { kind: 'assigned' }>[];
    await t.call('closesuccessfulmsg', { processid: b.process.processid, out: ['B'] }, e2);
    await t.call('closesuccessfulmsg', { processid: a.process.processid, out: ['A'] }, c.executor);
    const child = await batch(attempt(e2), attempt(c.executor));
    expect(child.map(outcome)).toEqual(['fn-c', 'empty']);
    const got = child[0] as Extract<AssignAttempt, { kind: 'assigned' }>;
    expect(got.process.input).toEqual(['A', 'B']); // parents' order, not their closing order
    await t.call('closesuccessfulmsg', { processid: got.process.processid, out: [] }, e2);
    expect((await t.call('getprocessgraphmsg', { processgraphid: g.processgraphid }, c.user)).state).toBe(2);
  });
});

describe('the assign Batcher', () => {
  it('executors asking at once over HTTP share statements and each get a process of their own', async () => {
    const extra = await executorsWithWork('extra', 4);
    const keys: Key[] = [c.executor, e2, ...extra.keys];
    const submitted = [(await submit('http0')).processid, (await submit('http1')).processid, ...extra.submitted];
    // the first attempt's statement waits a little, so that the others surely arrive meanwhile
    const batches = watchStatements(t.server.srv.db, (sql) => sql.includes(ASSIGN_BATCH_FUNCTION) || sql.startsWith('WITH ex AS'), 100);
    let got: { processid: string; assignedexecutorid: string }[];
    try {
      got = await Promise.all(keys.map((k) => t.call('assignprocessmsg', { colonyname: COLONY, timeout: 5 }, k)));
    } finally {
      batches.restore();
    }
    // the first attempt goes alone; the others, arriving meanwhile, go together
    expect(batches.count).toBeLessThan(keys.length);
    await eachGotOne(got, keys, submitted);
  });
});

describe('without the batch function', () => {
  it('attempts still get their processes, one by one, with a warning; migrate() makes the function again', async () => {
    const db = t.server.srv.db;
    const { keys, submitted } = await executorsWithWork('fallback', 4);
    await db.exec(`DROP FUNCTION ${ASSIGN_BATCH_FUNCTION}`);
    await expect(batch(attempt(keys[0]), attempt(keys[1]))).rejects.toThrow(ASSIGN_BATCH_FUNCTION);
    const warn = vi.spyOn(t.server.srv.log, 'warn');
    const first = watchStatements(db, (sql) => sql.startsWith('WITH ex AS'), 100);
    let got: { processid: string; assignedexecutorid: string }[];
    let warnings: unknown[];
    try {
      got = await Promise.all(keys.map((k) => t.call('assignprocessmsg', { colonyname: COLONY, timeout: 5 }, k)));
    } finally {
      first.restore();
      warnings = warn.mock.calls.map((call) => call[1]);
      warn.mockRestore();
      expect(await migrate(db)).toBe(0); // no migration pending: only the function is made again
    }
    expect(warnings).toContain('grouped assign failed; its attempts are made one by one');
    await eachGotOne(got, keys, submitted);
    await submit('after');
    expect((await batch(attempt(keys[0]), attempt(keys[1]))).map(outcome)).toEqual(['after', 'empty']);
    const [p] = await t.call('getprocessesmsg', { colonyname: COLONY, state: 1, count: 10 }, c.user);
    await t.call('closesuccessfulmsg', { processid: p.processid, out: [] }, keys[0]);
  });
});
