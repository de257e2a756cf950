// 16 executors race over a stream of processes submitted concurrently: every process is
// assigned exactly once, none is lost, all end SUCCESS (DESIGN "assignment is atomic").
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serverCrypto } from '../../src/crypto/server.js';
import { buildRequest, decodeReply } from '../../src/protocol/envelope.js';
import { ColoniesError } from '../../src/protocol/errors.js';
import { testDbKind } from '../helpers/db.js';
import { newKey, setupColony, startTestServer, type Cast, type Key, type TestServer } from '../helpers/server.js';

const EXECUTORS = 16;
const SUBMITTERS = 16;
// 10,000 on PostgreSQL, where the server's connections really race; 4,000 on PGlite, whose one
// embedded connection runs every statement in turn (10,000 took over a minute of CI there).
// RACE_N overrides it for quick local runs.
const PROCESSES = Number(process.env.RACE_N ?? (testDbKind === 'postgres' ? 10_000 : 4_000));
const COLONY = 'race';
const TYPE = 'racer';

let t: TestServer;
let c: Cast;
const crypto = serverCrypto();

beforeAll(async () => {
  t = await startTestServer();
  c = await setupColony(t, COLONY, TYPE);
});
afterAll(() => t?.close());

/** Like t.call, signing with the fast (native) provider: the test itself must not be the bottleneck. */
async function call(payloadtype: string, msg: Record<string, unknown>, key: Key): Promise<any> {
  const r = await t.post(buildRequest(payloadtype as any, msg, key.prv, crypto));
  return decodeReply(r.text).payload;
}

it(`${EXECUTORS} executors drain ${PROCESSES} concurrently submitted processes, each exactly once`, async () => {
  const executors: Key[] = [];
  for (let i = 0; i < EXECUTORS; i++) {
    const k = newKey();
    await t.call('addexecutormsg', { executor: { executorid: k.id, executortype: TYPE, executorname: `racer-${i}`, colonyname: COLONY } }, c.owner);
    await t.call('approveexecutormsg', { colonyname: COLONY, executorname: `racer-${i}` }, c.owner);
    executors.push(k);
  }

  const submitted = new Set<string>();
  let toSubmit = PROCESSES;
  const submitter = async () => {
    while (toSubmit-- > 0) {
      const p = await call('submitfuncspecmsg', { spec: { funcname: 'race', maxexectime: -1, conditions: { colonyname: COLONY, executortype: TYPE } } }, c.user);
      submitted.add(p.processid);
    }
  };

  const got = new Map<string, string>(); // processid → executor id
  const duplicates: string[] = [];
  let closed = 0;
  const worker = async (k: Key) => {
    while (closed < PROCESSES) {
      let p: any;
      try {
        p = await call('assignprocessmsg', { colonyname: COLONY, timeout: 1 }, k);
      } catch (e) {
        if (e instanceof ColoniesError && e.status === 404) continue;
        throw e;
      }
      if (got.has(p.processid)) duplicates.push(p.processid);
      got.set(p.processid, k.id);
      expect(p.assignedexecutorid).toBe(k.id);
      await call('closesuccessfulmsg', { processid: p.processid, out: [k.id] }, k);
      closed++;
    }
  };

  await Promise.all([...executors.map(worker), ...Array.from({ length: SUBMITTERS }, submitter)]);

  expect(duplicates).toEqual([]);
  expect(submitted.size).toBe(PROCESSES);
  expect(got.size).toBe(PROCESSES);
  expect([...submitted].every((id) => got.has(id))).toBe(true);
  // the database agrees: all SUCCESS, each closed by the executor that received it
  const rows = await t.server.srv.db.query<{ processid: string; state: number; assignedexecutorid: string; output: string[] }>(
    'SELECT processid, state, assignedexecutorid, output FROM processes WHERE colonyname = $1',
    [COLONY],
  );
  expect(rows.length).toBe(PROCESSES);
  for (const r of rows) {
    expect(r.state).toBe(2);
    expect(r.assignedexecutorid).toBe(got.get(r.processid));
    expect(r.output).toEqual([r.assignedexecutorid]);
  }
  // every executor did some of the work
  expect(new Set(got.values()).size).toBe(EXECUTORS);
}, 600_000);
