// scale: does submit / assign latency stay flat as the processes table grows? The table is
// pre-filled straight in SQL (INSERT … SELECT generate_series) with rows shaped like the ones
// submit stores: mostly SUCCESS, 2 % WAITING, in the measured colony but of another executor
// type (so they are never handed out but do sit in the same indexes). At each level, M
// processes are submitted (submit latency), then K executors drain them (assign latency on a
// non-empty queue: no long-poll waiting in the figure). Last, a page of SUCCESS, one of WAITING
// and one of every state are listed (getprocessesmsg, as the dashboard's tabs do) a few times,
// one call at a time: list latency; and the colony's statistics (getcolonystatsmsg, the dashboard's
// overview), the first call apart: it counts every row once when there is no rollup yet; and the
// history of the last minute's FAILED processes (getprocesshistmsg: none, the plan alone). One
// finished workflow (a SUCCESS process graph row) per 5 filler rows is there too, so that the
// statistics also count workflows at scale. Then W two-step workflows (a -> b) run through one
// after another, one executor: every member close resolves its graph (children released, members
// counted, the graph's state moved on) among all those rows; and a page of SUCCESS workflows is
// listed (getprocessgraphsmsg).
import type { Db } from '../../src/store/db.js';
import { BenchClient, nowMs } from '../lib/client.js';
import { Lifecycle } from '../lib/lifecycle.js';
import { cpuShare, cpuSnapshot } from '../lib/resources.js';
import { addCpu, addLatency, type RunResult } from '../lib/result.js';
import { createColony, EXECUTOR_TYPE, type Colony } from '../lib/setup.js';
import { round, Samples } from '../lib/stats.js';
import type { Target } from '../lib/target.js';
import { checkRun } from '../lib/verify.js';

export const FILL_TYPE = `${EXECUTOR_TYPE}-fill`;
const WAITING_EVERY = 50; // 2 % of the filler rows are WAITING
const GRAPH_EVERY = 5; // one SUCCESS workflow per 5 filler rows

export interface ScaleParams {
  levels: number[];
  /** processes measured per level */
  processes: number;
  executors: number;
  inflight: number;
  executorThreads: number;
  /** two-step workflows run through per level */
  workflows: number;
  log: (line: string) => void;
}

/** The spec column as submit stores it (src/domain/spec.ts StoredSpec), without args (the pre-fill adds them per row). */
export function storedSpec(colonyname: string, executortype = FILL_TYPE): Record<string, unknown> {
  return {
    nodename: '',
    funcname: 'bench',
    kwargs: {},
    priority: 0,
    maxwaittime: 0,
    maxexectime: -1,
    maxretries: 0,
    conditions: {
      colonyname,
      executornames: null,
      executortype,
      dependencies: [],
      nodes: 0,
      cpu: '0m',
      processes: 0,
      processespernode: 0,
      mem: '0Mi',
      storage: '0Mi',
      gpu: { name: '', mem: '0Mi', count: 0, nodecount: 0 },
      walltime: 0,
    },
    label: '',
    fs: { mount: '', snapshots: null, dirs: null },
  };
}

/** Inserts filler rows [from, to) in chunks; returns how many of them are WAITING, and how many workflows it added. */
export async function prefill(db: Db, colony: Colony, from: number, to: number, log: (l: string) => void): Promise<{ waiting: number; graphs: number }> {
  const chunk = 100_000;
  const baseNs = BigInt(Date.now() - 86_400_000) * 1_000_000n; // a day ago, 1 µs apart
  const spec = JSON.stringify(storedSpec(colony.name));
  for (let a = from; a < to; a += chunk) {
    const b = Math.min(to, a + chunk) - 1;
    const t = Date.now();
    await db.query(
      `INSERT INTO processes (processid, colonyname, executortype, state, isassigned, waitforparents, prioritytime,
         executornames, locationname, cpu, mem, initiatorid, initiatorname, assignedexecutorid,
         submissiontime, starttime, endtime, maxwaittime, maxexectime, maxretries, funcname, spec, input, output, errors)
       SELECT encode(sha256(convert_to($1 || ':' || g::text, 'UTF8')), 'hex'), $2, $3,
         CASE WHEN g % ${WAITING_EVERY} = 0 THEN 0 ELSE 2 END, g % ${WAITING_EVERY} <> 0, false,
         $4::int8 + g * 1000, NULL, '', 0, 0, $5, $6,
         CASE WHEN g % ${WAITING_EVERY} = 0 THEN '' ELSE $7 END,
         $4::int8 + g * 1000,
         CASE WHEN g % ${WAITING_EVERY} = 0 THEN 0 ELSE $4::int8 + g * 1000 + 1000000 END,
         CASE WHEN g % ${WAITING_EVERY} = 0 THEN 0 ELSE $4::int8 + g * 1000 + 2000000 END,
         0, -1, 0, 'bench', $8::jsonb || jsonb_build_object('args', jsonb_build_array(g)), '[]', '[]', '[]'
       FROM generate_series($9::int, $10::int) AS g`,
      [colony.name, colony.name, FILL_TYPE, baseNs.toString(), colony.submitter.id, `${colony.name}-user`, colony.executors[0]?.id ?? '', spec, a, b],
    );
    await db.query(
      `INSERT INTO process_graphs (processgraphid, colonyname, initiatorid, initiatorname, rootprocessids, state, submissiontime, starttime, endtime)
       SELECT encode(sha256(convert_to('graph:' || $1 || ':' || g::text, 'UTF8')), 'hex'), $1, $2, $3, '{}', 2,
         $4::int8 + g * 1000, $4::int8 + g * 1000 + 1000000, $4::int8 + g * 1000 + 2000000
       FROM generate_series($5::int, $6::int) AS g WHERE g % ${GRAPH_EVERY} = 0`,
      [colony.name, colony.submitter.id, `${colony.name}-user`, baseNs.toString(), a, b],
    );
    log(`  pre-filled ${b + 1} rows (${Date.now() - t} ms)`);
  }
  await db.exec('ANALYZE processes');
  await db.exec('ANALYZE process_graphs');
  // Write the pre-fill's dirty pages out now, so that its checkpoint does not fall into the
  // measured window (it needs a superuser or pg_checkpoint; without, the run goes on).
  await db.exec('CHECKPOINT').catch((e: Error) => log(`  CHECKPOINT skipped: ${e.message}`));
  let waiting = 0;
  let graphs = 0;
  for (let g = from; g < to; g++) {
    if (g % WAITING_EVERY === 0) waiting++;
    if (g % GRAPH_EVERY === 0) graphs++;
  }
  return { waiting, graphs };
}

const LIST_CALLS = 50;
const LIST_COUNT = 20;

/** getprocessesmsg latency (a page of SUCCESS, one of WAITING, one of every state), getcolonystatsmsg and getprocesshistmsg latency, one call at a time. */
async function readLatency(t: Target, colony: Colony): Promise<Record<string, Samples>> {
  const client = new BenchClient(t.address, 1);
  const out: Record<string, Samples> = {};
  try {
    const calls = [
      ['list_success', client.sign('getprocessesmsg', { colonyname: colony.name, state: 2, count: LIST_COUNT }, colony.submitter)],
      ['list_waiting', client.sign('getprocessesmsg', { colonyname: colony.name, state: 0, count: LIST_COUNT }, colony.submitter)],
      ['list_all', client.sign('getprocessesmsg', { colonyname: colony.name, state: -1, count: LIST_COUNT }, colony.submitter)],
      ['stats', client.sign('getcolonystatsmsg', { colonyname: colony.name }, colony.submitter)],
      // the colony's FAILED processes of the last minute: none, so the figure is the statement's
      // plan alone (a scan of every row of the colony before 21c88eb)
      ['history', client.sign('getprocesshistmsg', { colonyname: colony.name, executorid: '', seconds: 60, state: 3 }, colony.submitter)],
    ] as const;
    for (const [name, body] of calls) {
      const s = (out[name] = new Samples());
      for (let i = 0; i < LIST_CALLS + 5; i++) {
        const t0 = nowMs();
        await client.send<unknown>(body);
        // the first calls prepare the statements (and the first stats call makes the rollups)
        if (i === 0 && name === 'stats') (out.stats_first = new Samples()).push(nowMs() - t0);
        if (i >= 5) s.push(nowMs() - t0);
      }
    }
  } finally {
    await client.close();
  }
  return out;
}

/** A workflow node for the bench executors (OBJECTS §7 FunctionSpec). */
function wfNode(nodename: string, dependencies: string[]): Record<string, unknown> {
  return { nodename, funcname: 'bench-wf', args: [], maxexectime: -1, conditions: { executortype: EXECUTOR_TYPE, dependencies } };
}

/**
 * `count` workflows a -> b, one after another, run by the colony's first executor: submit
 * latency, member close latency (each close resolves the graph) and, last, the latency of a page
 * of SUCCESS workflows. A workflow that does not end SUCCESS is a problem.
 */
async function workflowLatency(t: Target, colony: Colony, count: number, problems: string[]): Promise<Record<string, Samples>> {
  const client = new BenchClient(t.address, 1);
  const ex = colony.executors[0];
  const out = { wf_submit: new Samples(), wf_close: new Samples(), list_graphs: new Samples() };
  try {
    const assign = client.sign('assignprocessmsg', { colonyname: colony.name, timeout: 10, availablecpu: '', availablemem: '' }, ex);
    for (let i = 0; i < count; i++) {
      let t0 = nowMs();
      const spec = { colonyname: colony.name, functionspecs: [wfNode('a', []), wfNode('b', ['a'])] };
      const g = await client.call<{ processgraphid: string }>('submitworkflowspecmsg', { spec }, colony.submitter);
      out.wf_submit.push(nowMs() - t0);
      for (let k = 0; k < 2; k++) {
        const p = await client.send<{ processid: string; processgraphid: string }>(assign);
        if (p.processgraphid !== g.processgraphid) problems.push(`workflow ${g.processgraphid}: its executor got ${p.processid} of ${p.processgraphid || 'no workflow'}`);
        t0 = nowMs();
        await client.call('closesuccessfulmsg', { processid: p.processid, out: [] }, ex);
        out.wf_close.push(nowMs() - t0);
      }
      const done = await client.call<{ state: number }>('getprocessgraphmsg', { processgraphid: g.processgraphid }, colony.submitter);
      if (done.state !== 2) problems.push(`workflow ${g.processgraphid} ended in state ${done.state}, expected 2 (SUCCESS)`);
    }
    const list = client.sign('getprocessgraphsmsg', { colonyname: colony.name, state: 2, count: LIST_COUNT }, colony.submitter);
    for (let i = 0; i < LIST_CALLS + 5; i++) {
      const t0 = nowMs();
      await client.send<unknown>(list);
      if (i >= 5) out.list_graphs.push(nowMs() - t0);
    }
  } finally {
    await client.close();
  }
  return out;
}

export async function runScale(t: Target, p: ScaleParams): Promise<RunResult> {
  if (!t.db) throw new Error('scale needs direct database access: a self-started server on PostgreSQL (--db postgres) or --target-db-url');
  const colony = await createColony(t.address, t.serverKey, p.executors, 'scale');
  const m: Record<string, number> = {};
  const lines: string[] = [];
  const problems: string[] = [];
  const notes: string[] = [];
  let rows = 0;
  let waiting = 0;
  let graphs = 0;
  let earlier = 0;
  const base: Record<string, number> = {};
  for (const level of [...p.levels].sort((a, b) => a - b)) {
    if (level > rows) {
      p.log(`scale: pre-filling to ${level} rows`);
      const filled = await prefill(t.db, colony, rows, level, p.log);
      waiting += filled.waiting;
      graphs += filled.graphs;
      rows = level;
    }
    // 1) submit M processes (no executor running yet): submit latency
    const cpu0 = cpuSnapshot(t.serverPid);
    // the CPU window spans the threads' start: no client warm-up (its calls would be counted)
    const sub = await Lifecycle.start(t, { ...colony, executors: [] }, {
      warmup: 0,
      processes: p.processes,
      inflight: p.inflight,
      submitThreads: 1,
      executorThreads: 1,
      assignTimeout: 10,
      rate: 0,
      receipts: false,
      parkMs: 0,
    });
    await sub.pool.waitFor('submitter', p.processes);
    const { submitted } = await sub.finish();
    // 2) drain them: assign latency on a full queue, and close latency
    const drain = await Lifecycle.start(t, colony, {
      warmup: 0,
      processes: 0,
      inflight: 1,
      submitThreads: 1,
      executorThreads: p.executorThreads,
      assignTimeout: 10,
      rate: 0,
      receipts: false,
      parkMs: 0,
    });
    const complete = await drain.waitCompleted(p.processes);
    const drainS = (drain.lastClose() - drain.t0) / 1000;
    const cpu1 = cpuSnapshot(t.serverPid);
    const { received } = await drain.finish();
    const check = await checkRun({
      target: t.address,
      colonyname: colony.name,
      memberKey: colony.submitter,
      submitted,
      received,
      workerErrors: sub.pool.errors + drain.pool.errors,
      db: t.db,
      prefill: { success: rows - waiting + earlier, waiting, workflows: graphs },
      earlier,
    });
    earlier += submitted.length;
    // workflows after the check: each adds two SUCCESS processes and one SUCCESS workflow
    const wfProblems: string[] = [];
    const wf = p.workflows > 0 ? await workflowLatency(t, colony, p.workflows, wfProblems) : {};
    problems.push(...wfProblems.map((x) => `level ${level}: ${x}`));
    earlier += 2 * p.workflows;
    graphs += p.workflows;
    if (!complete) check.problems.unshift(`level ${level}: drain stalled at ${received.length} of ${p.processes}`);
    problems.push(...check.problems.map((x) => `level ${level}: ${x}`));
    notes.push(...check.notes.filter((x) => !notes.includes(x)));
    const lm: Record<string, number> = {};
    addLatency(lm, 'submit', sub.pool.lat.get('submit')?.summary());
    addLatency(lm, 'assign', drain.pool.lat.get('assign')?.summary());
    addLatency(lm, 'close', drain.pool.lat.get('close')?.summary());
    lm.drain_per_s = round(received.length / drainS, 1);
    addCpu(lm, cpuShare(cpu0, cpu1), { n: received.length, unit: 'process' });
    for (const [name, samples] of Object.entries({ ...(await readLatency(t, colony)), ...wf })) addLatency(lm, name, samples.summary());
    if (Object.keys(base).length === 0) Object.assign(base, lm);
    for (const [k, v] of Object.entries(lm)) m[`${k}@${level}`] = v;
    const compared = [
      'submit_p50_ms',
      'submit_p99_ms',
      'assign_p50_ms',
      'assign_p99_ms',
      'list_success_p50_ms',
      'list_waiting_p50_ms',
      'list_all_p50_ms',
      'stats_p50_ms',
      'history_p50_ms',
      'wf_close_p50_ms',
      'wf_close_p99_ms',
      'list_graphs_p50_ms',
    ];
    for (const k of compared) {
      if (base[k] > 0 && lm[k] !== undefined) m[`${k.replace('_ms', '')}_vs_first@${level}`] = round(lm[k] / base[k], 3);
    }
    lines.push(
      `rows ${String(level).padStart(9)}: submit p50 ${lm.submit_p50_ms} ms p99 ${lm.submit_p99_ms} ms | assign p50 ${lm.assign_p50_ms} ms p99 ${lm.assign_p99_ms} ms | close p99 ${lm.close_p99_ms} ms | drain ${lm.drain_per_s}/s | list p50 SUCCESS ${lm.list_success_p50_ms} WAITING ${lm.list_waiting_p50_ms} all ${lm.list_all_p50_ms} ms | stats p50 ${lm.stats_p50_ms} ms (first ${lm.stats_first_p50_ms}) | history p50 ${lm.history_p50_ms} ms | workflow close p50 ${lm.wf_close_p50_ms ?? '-'} ms, list p50 ${lm.list_graphs_p50_ms ?? '-'} ms`,
    );
    p.log(lines[lines.length - 1]);
  }
  return { metrics: m, lines, check: { ok: problems.length === 0, problems, notes, submitted: earlier, received: earlier, duplicates: 0, lost: 0 } };
}
