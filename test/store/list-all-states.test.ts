// getprocessesmsg with state -1 (every state, newest submission first) reads a bounded set of
// rows instead of sorting the whole colony (store/processes.ts, listProcesses). Its answer must
// be exactly the plain sort's: checked here against `ORDER BY submissiontime DESC` over rows made
// to be awkward for the bound (long-running processes that end last, short ones that end early,
// ends a little before their submission as replicas' clocks allow, failed workflow members with
// no end time, WAITING rows whose queue order is not their submission order), with and without a
// filter, for page sizes below and above the row count.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ALL_STATES } from '../../src/domain/process-state.js';
import { PRIORITY_STEP_NS } from '../../src/domain/spec.js';
import { listProcesses, type ListFilter } from '../../src/store/processes.js';
import { storedSpec } from '../../bench/modes/scale.js';
import { insertProcess } from '../helpers/rows.js';
import { setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';
import { seededRandom } from '../helpers/random.js';

let t: TestServer;
let c: Cast;
let c2: Cast;
const S = 1_000_000_000n;
const T0 = 1_700_000_000n * S;

beforeAll(async () => {
  t = await startTestServer();
  c = await setupColony(t, 'allstates');
  c2 = await setupColony(t, 'allstates-skew');
});
afterAll(() => t.close());

interface Row {
  id: string;
  state: number;
  submission: bigint;
  start: bigint;
  end: bigint;
  priority: number;
  label: string;
  type: string;
}

async function insert(rows: Row[], colony: Cast = c): Promise<void> {
  for (const r of rows) {
    await insertProcess(t.server.srv.db, {
      processid: r.id,
      colonyname: colony.colonyName,
      executortype: r.type,
      state: r.state,
      submissiontime: r.submission,
      prioritytime: r.submission - BigInt(r.priority) * PRIORITY_STEP_NS,
      starttime: r.start,
      endtime: r.end,
      label: r.label,
      initiatorid: colony.user.id,
      initiatorname: colony.user.name,
      spec: storedSpec(colony.colonyName, r.type),
    });
  }
}

test('every state, newest submissions first: the same page as sorting every row', async () => {
  const rand = seededRandom(7);
  const rows: Row[] = [];
  for (let i = 0; i < 240; i++) {
    const submission = T0 + BigInt(i) * S + BigInt(rand(1000)); // distinct, in order of i
    const state = rand(5);
    const kind = rand(10);
    let start = state === 0 ? 0n : submission + BigInt(rand(5)) * S;
    let end = state >= 2 ? start + BigInt(rand(10)) * S : 0n;
    if (state >= 2 && kind === 0) end = submission + 10_000n * S; // runs long, ends after everything
    if (state >= 2 && kind === 1) end = submission - BigInt(rand(30)) * S; // another replica's clock, behind
    if (state === 3 && kind === 2) {
      // a failed workflow member: no end time (as Go)
      start = 0n;
      end = 0n;
    }
    rows.push({ id: `p${String(i).padStart(4, '0')}`, state, submission, start, end, priority: rand(7) - 3, label: rand(3) === 0 ? 'x' : 'y', type: rand(2) ? 'a' : 'b' });
  }
  await insert(rows);
  const filters: ListFilter[] = [{ kind: 'none' }, { kind: 'label', value: 'x' }, { kind: 'executortype', value: 'b' }];
  for (const filter of filters) {
    for (const count of [1, 3, 20, 57, 100, 500]) {
      const want = rows
        .filter((r) => filter.kind === 'none' || (filter.kind === 'label' ? r.label : r.type) === filter.value)
        .sort((a, b) => (a.submission < b.submission ? 1 : -1))
        .slice(0, count)
        .map((r) => r.id);
      const got = (await listProcesses(t.server.srv.db, c.colonyName, ALL_STATES, count, filter)).map((r) => r.processid);
      expect(got, `${filter.kind} ${count}`).toEqual(want);
    }
  }
  // and through the API (the same statement, a member's call)
  const page = await t.call('getprocessesmsg', { colonyname: c.colonyName, state: ALL_STATES, count: 10 }, c.user);
  expect(page.map((p: { processid: string }) => p.processid)).toEqual(
    [...rows]
      .sort((a, b) => (a.submission < b.submission ? 1 : -1))
      .slice(0, 10)
      .map((r) => r.id),
  );
});

test('a process whose end was written by a clock behind its submission still counts as the newest', async () => {
  // z is the newest submission but, by another replica's clock, ended 20 s before it; y, submitted
  // 5 s before z, is its state's newest end. Without the skew allowance the bound (y's submission)
  // would leave z out.
  const z = T0 + 1000n * S;
  const rows: Row[] = [
    { id: 'z', state: 2, submission: z, start: z, end: z - 20n * S, priority: 0, label: '', type: 'a' },
    { id: 'y', state: 2, submission: z - 5n * S, start: z, end: z + 100n * S, priority: 0, label: '', type: 'a' },
    { id: 'old', state: 2, submission: T0, start: T0, end: T0 + S, priority: 0, label: '', type: 'a' },
  ];
  await insert(rows, c2);
  for (const [count, want] of [
    [1, ['z']],
    [2, ['z', 'y']],
    [5, ['z', 'y', 'old']],
  ] as const) {
    const got = await listProcesses(t.server.srv.db, c2.colonyName, ALL_STATES, count, { kind: 'none' });
    expect(got.map((r) => r.processid)).toEqual(want);
  }
});
