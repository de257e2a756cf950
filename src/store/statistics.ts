// Live counts for getstatisticsmsg (server) and getcolonystatsmsg (one colony), OBJECTS §16.
// Server scope fills every counter (DECISIONS.md); `executors` there excludes unregistered
// ones as in Go, while the colony scope counts all of the colony's executors.
//
// Closed processes are counted from a rollup per (colony, state) plus the rows the rollup does
// not cover (migration 6 says what a rollup means and what voids it). Counting 1,000,000 SUCCESS
// rows took 92 ms on every call; with a rollup a call reads only the rows closed since it was
// made (at most the last CLOCK_SKEW_NS of closes plus ROLLUP_MIN): 5 ms at 1,000,000 rows. The
// first call after a rollup is voided counts everything once. Everything is read in one
// REPEATABLE READ snapshot, so the rollup, the colony's countgen and the rows agree; rollups
// are written after that, from the same figures. Workflow (process graph) counts work the same
// way from their own rollups (migration 7).
import type { Statistics } from '../protocol/objects.js';
import { nowNs } from '../protocol/time.js';
import { CUSTOM_PLANS, type Db, type Queryable } from './db.js';
import { CLOCK_SKEW_NS, LIST_KEY } from './processes.js';

const STATES = ['waiting', 'running', 'successful', 'failed', 'cancelled'] as const;
const CLOSED = [2, 3, 4];

/**
 * A rollup is written (or moved forward) when at least this many closed rows would move into
 * it: small colonies never get one, and a busy one writes one row per ROLLUP_MIN closes.
 */
export const ROLLUP_MIN = 1000;

interface ColonyGen {
  name: string;
  countgen: bigint;
}
interface Rollup {
  state: number;
  upto: bigint;
  n: bigint;
}
/** A rollup to write: (colony, state) had `n` rows with 0 < endtime <= upto at countgen. */
interface NewRollup extends Rollup {
  colonyname: string;
  countgen: bigint;
}

/** What is counted: processes (migration 6) or workflows (process graphs, migration 7). */
interface Kind {
  rollups: string;
  countgen: string;
  stateCount: string[];
  tailCount: string[];
  colonyCount: string;
}

// processes_colony_list is on (colonyname, state, LIST_KEY); for a closed state the key is
// -endtime (process_graphs_colony_end is on (colonyname, state, -endtime)). A count over
// (colonyname, state) alone can be answered from an index (on pages VACUUM has marked
// all-visible: 20,000 WAITING rows of a 1,000,000-row colony took 88 ms before and 2.9 ms
// after, see server/vacuum.ts); the key ranges read the rows (an expression index cannot serve
// an index-only scan), so they are kept to the rows closed since the rollup was made. The
// state is written into each text, not passed, so that every plan is made for that state's
// own share of the rows.
/** `key`: the ascending key of the table's list index, -endtime for the closed states */
function kind(table: string, rollups: string, countgen: string, key: string): Kind {
  const stateCount = (state: number) => `SELECT count(*) AS n FROM ${table} p WHERE p.colonyname = $1 AND p.state = ${state}`;
  /** rows with endtime > $2, rows with endtime 0, and ($3 non-zero) rows with $2 >= endtime > -$3 */
  const tailCount = (state: number) => {
    const rows = `FROM ${table} p WHERE p.colonyname = $1 AND p.state = ${state} AND`;
    return `SELECT
  (SELECT count(*) ${rows} ${key} < -$2::int8) AS newer,
  (SELECT count(*) ${rows} ${key} = 0) AS unended,
  CASE WHEN $3::int8 = 0 THEN 0 ELSE (SELECT count(*) ${rows} ${key} >= -$2::int8 AND ${key} < $3::int8) END AS older`;
  };
  return {
    rollups,
    countgen,
    stateCount: [0, 1, 2, 3, 4].map(stateCount),
    tailCount: [0, 1, 2, 3, 4].map(tailCount),
    /**
     * One pass over a colony's rows (a colony without a valid rollup: small ones, and a big one
     * once after its rollups were voided): counts by state, for the closed states the rows a
     * rollup at `upto` ($2) would hold, and the countgen that such a rollup is valid for (same
     * snapshot).
     */
    colonyCount: `SELECT state, count(*) AS total, count(*) FILTER (WHERE state >= 2 AND endtime > 0 AND endtime <= $2) AS older,
       (SELECT ${countgen} FROM colonies WHERE name = $1) AS countgen
  FROM ${table} WHERE colonyname = $1 GROUP BY state`,
  };
}

const PROCESSES = kind('processes', 'process_count_rollups', 'countgen', LIST_KEY);
const WORKFLOWS = kind('process_graphs', 'graph_count_rollups', 'graph_countgen', '(-p.endtime)');

type Wanted = (c: ColonyGen, state: number, older: bigint, base: bigint, upto: bigint) => void;

/** Counts of a colony without valid rollups, in one statement. */
async function countColony(q: Queryable, k: Kind, colony: string, fresh: bigint, want: Wanted): Promise<number[]> {
  const out = [0, 0, 0, 0, 0];
  for (const r of await q.query<{ state: number; total: bigint; older: bigint; countgen: bigint }>(k.colonyCount, [colony, fresh])) {
    if (r.state < 0 || r.state > 4) continue;
    out[r.state] += Number(r.total);
    if (r.state >= 2) want({ name: colony, countgen: r.countgen }, r.state, BigInt(r.older), 0n, fresh);
  }
  return out;
}

/** Counts of a colony with valid rollups; q must be a REPEATABLE READ snapshot. */
async function countColonyRolledUp(q: Queryable, k: Kind, c: ColonyGen, rollups: Rollup[], fresh: bigint, want: Wanted): Promise<number[]> {
  const out = [0, 0, 0, 0, 0];
  const count = async (state: number) => BigInt((await q.query<{ n: bigint }>(k.stateCount[state], [c.name]))[0].n);
  for (const state of [0, 1]) out[state] = Number(await count(state));
  for (const state of CLOSED) {
    const r = rollups.find((x) => x.state === state);
    const upto = r && r.upto > fresh ? r.upto : fresh; // never move a rollup back
    const [t] = await q.query<{ newer: bigint; unended: bigint; older: bigint }>(k.tailCount[state], [c.name, upto, r ? -r.upto : 0n]);
    // older: rows with 0 < endtime <= upto that the rollup does not hold (yet)
    const older = r ? BigInt(t.older) : (await count(state)) - BigInt(t.newer) - BigInt(t.unended);
    const base = r ? r.n : 0n;
    out[state] = Number(base + older + BigInt(t.newer) + BigInt(t.unended));
    want(c, state, older, base, upto);
  }
  return out;
}

const sum = (a: number[], b: number[]) => a.map((x, i) => x + b[i]);

interface MemberCounts {
  colonies: number;
  executors: number;
  active: number;
  unregistered: number;
}

async function countMembers(q: Queryable, colonyname: string | null): Promise<MemberCounts> {
  const [counts] = await q.query<MemberCounts>(
    `SELECT (SELECT count(*)::int FROM colonies WHERE $1::text IS NULL OR name = $1) AS colonies,
            count(*) FILTER (WHERE $1::text IS NOT NULL OR state <> 3)::int AS executors,
            count(*) FILTER (WHERE state = 1)::int AS active,
            count(*) FILTER (WHERE state = 3)::int AS unregistered
       FROM executors WHERE $1::text IS NULL OR colonyname = $1`,
    [colonyname],
  );
  return counts;
}

type Scope = (ColonyGen & { rollups: Rollup[] })[];

/** The colonies in scope, each with its countgen and valid rollups (of kind k). */
async function coloniesWithRollups(q: Queryable, k: Kind, colonyname: string | null): Promise<Scope> {
  const rows = await q.query<ColonyGen & { state: number | null; upto: bigint | null; n: bigint | null }>(
    `SELECT c.name, c.${k.countgen} AS countgen, r.state, r.upto, r.n
       FROM colonies c LEFT JOIN ${k.rollups} r ON r.colonyname = c.name AND r.countgen = c.${k.countgen}
      WHERE $1::text IS NULL OR c.name = $1 ORDER BY c.name, r.state`,
    [colonyname],
  );
  const out: Scope = [];
  for (const r of rows) {
    if (out.length === 0 || out[out.length - 1].name !== r.name) out.push({ name: r.name, countgen: r.countgen, rollups: [] });
    if (r.state !== null) out[out.length - 1].rollups.push({ state: r.state, upto: r.upto!, n: r.n! });
  }
  return out;
}

/** Counts by state of kind k over the colonies in scope (read in q's snapshot when rollups are used). */
async function countKind(q: Queryable, k: Kind, colonies: Scope, fresh: bigint, want: Wanted): Promise<number[]> {
  let out = [0, 0, 0, 0, 0];
  for (const c of colonies) {
    const n = c.rollups.length > 0 ? await countColonyRolledUp(q, k, c, c.rollups, fresh, want) : await countColony(q, k, c.name, fresh, want);
    out = sum(out, n);
  }
  return out;
}

/** colonyname null = the whole server; `now` and `rollupMin` are for tests. */
export async function statistics(db: Db, colonyname: string | null, now = nowNs(), rollupMin = ROLLUP_MIN): Promise<Statistics> {
  const writes: { k: Kind; r: NewRollup }[] = [];
  const wanted =
    (k: Kind): Wanted =>
    (c, state, older, base, upto) => {
      if (older >= rollupMin) writes.push({ k, r: { colonyname: c.name, state, countgen: c.countgen, upto, n: base + older } });
    };
  const fresh = now - CLOCK_SKEW_NS; // rows closed from now on get endtime > fresh (or 0)
  let counts: MemberCounts;
  let processes: number[];
  let workflows: number[];
  const [pc, wc] = await Promise.all([coloniesWithRollups(db, PROCESSES, colonyname), coloniesWithRollups(db, WORKFLOWS, colonyname)]);
  if (![...pc, ...wc].some((c) => c.rollups.length > 0)) {
    // Small colonies: one statement per colony and kind (consistent by itself), side by side.
    [counts, processes, workflows] = await Promise.all([
      countMembers(db, colonyname),
      countKind(db, PROCESSES, pc, fresh, wanted(PROCESSES)),
      countKind(db, WORKFLOWS, wc, fresh, wanted(WORKFLOWS)),
    ]);
  } else {
    // A rollup, the countgen it is checked against and the rows it does not cover are read in
    // one snapshot (see migration 6).
    ({ counts, processes, workflows } = await db.tx(async (q) => {
      await q.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      // the tail counts compare the list key with the rollup's bound: planned for its value
      await q.query(CUSTOM_PLANS);
      const processes = await countKind(q, PROCESSES, await coloniesWithRollups(q, PROCESSES, colonyname), fresh, wanted(PROCESSES));
      const workflows = await countKind(q, WORKFLOWS, await coloniesWithRollups(q, WORKFLOWS, colonyname), fresh, wanted(WORKFLOWS));
      return { counts: await countMembers(q, colonyname), processes, workflows };
    }));
  }
  for (const { k, r } of writes) {
    // a rollup voided meanwhile (countgen moved on) is written but never read
    await db.query(
      `INSERT INTO ${k.rollups} (colonyname, state, countgen, upto, n) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (colonyname, state) DO UPDATE SET countgen = EXCLUDED.countgen, upto = EXCLUDED.upto, n = EXCLUDED.n`,
      [r.colonyname, r.state, r.countgen, r.upto, r.n],
    );
  }
  const stats: Record<string, number> = {
    colonies: counts.colonies,
    executors: counts.executors,
    activeexecutors: counts.active,
    unregisteredexecutors: counts.unregistered,
  };
  STATES.forEach((s, i) => (stats[`${s}processes`] = processes[i]));
  STATES.forEach((s, i) => (stats[`${s}workflows`] = workflows[i]));
  return stats as Statistics;
}
