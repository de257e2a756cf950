// Crons and generators (SEMANTICS §9, §10): the leader's trigger loops, and running one cron
// (shared with runcronmsg). Every fire is guarded in the database, so even two replicas that
// both believe they lead cannot fire a cron twice for one due time or consume an arg twice.
import { nextRun } from '../domain/cron-schedule.js';
import { batchSizes } from '../domain/generator.js';
import { FAILED, CANCELLED, SUCCESS } from '../domain/workflow.js';
import { nowNs } from '../protocol/time.js';
import type { Queryable } from '../store/db.js';
import { dueCrons, recordRun, scheduleFirstRun, setNextRun, type CronRow } from '../store/crons.js';
import { generatorsWithArgs, getGenerator, queueSize, setLastRun, takeArgs } from '../store/generators.js';
import { getGraph, leafOutputs } from '../store/workflows.js';
import type { ServerContext } from './context.js';
import type { ProcessEvent } from './events.js';
import { loop } from './loops.js';
import { buildWorkflow, parseWorkflowSpecText } from './workflow-create.js';

/** States in which a previous graph no longer blocks a `waitforprevprocessgraph` cron (cancelled too: DECISIONS.md). */
const FINISHED = new Set([SUCCESS, FAILED, CANCELLED]);

/**
 * Runs a cron now, in transaction q: spawns its workflow (roots get the previous graph's leaf
 * outputs as `in`) and records the run. `expectedNextrun` makes the record a compare-and-set:
 * if another run already moved `nextrun`, nothing is written and null is returned. Also null
 * when the previous graph is still running and the cron waits for it.
 */
export async function runCron(q: Queryable, cron: CronRow, expectedNextrun: bigint | null): Promise<ProcessEvent[] | null> {
  let rootInput: unknown[] = [];
  if (cron.prevprocessgraphid !== '') {
    const prev = await getGraph(q, cron.prevprocessgraphid);
    if (prev) {
      if (cron.waitforprevprocessgraph && !FINISHED.has(prev.state)) return null;
      rootInput = await leafOutputs(q, prev);
    }
  }
  const now = nowNs();
  const spec = parseWorkflowSpecText(cron.workflowspec, cron.colonyname, 'run cron');
  const wf = buildWorkflow(spec, { initiatorid: cron.initiatorid, initiatorname: cron.initiatorname, now, rootInput });
  const claimed = await recordRun(q, cron.cronid, expectedNextrun, { nextrun: nextRun(cron, now), lastrun: now, graphId: wf.graph.processgraphid });
  if (!claimed) return null;
  await wf.write(q);
  return wf.events;
}

/** One cron tick: schedule crons seen for the first time, run the due ones. */
export async function triggerCrons(srv: ServerContext): Promise<void> {
  const now = nowNs();
  for (const cron of await dueCrons(srv.db, now)) {
    if (cron.nextrun === 0n) {
      // First sighting: only compute when it runs (compare-and-set, as below).
      await scheduleFirstRun(srv.db, cron.cronid, nextRun(cron, now));
      continue;
    }
    try {
      const events = await srv.db.tx((q) => runCron(q, cron, cron.nextrun));
      if (events) srv.bus.publish(...events);
    } catch (e) {
      // A workflow that cannot be built would fail every tick: log it and move on to the next run.
      srv.log.error({ err: e, cronid: cron.cronid }, 'cron run failed');
      await setNextRun(srv.db, cron.cronid, nextRun(cron, nowNs()));
    }
  }
}

/** One generator tick: spawn a workflow per full batch, or one for a partial batch past its timeout. */
export async function triggerGenerators(srv: ServerContext): Promise<void> {
  for (const { g } of await generatorsWithArgs(srv.db)) {
    try {
      const events = await srv.db.tx(async (q) => {
        // The lock serialises ticks on the generator; the count is re-read under it.
        const locked = await getGenerator(q, g.generatorid, true);
        if (!locked) return [];
        const now = nowNs();
        const sizes = batchSizes(locked, await queueSize(q, locked.generatorid), now);
        if (sizes.length === 0) return [];
        const spec = parseWorkflowSpecText(locked.workflowspec, locked.colonyname, 'run generator');
        const out: ProcessEvent[] = [];
        for (const size of sizes) {
          const args = await takeArgs(q, locked.generatorid, size);
          if (args.length === 0) break;
          const wf = buildWorkflow(spec, { initiatorid: locked.initiatorid, initiatorname: locked.initiatorname, now, rootArgs: args });
          await wf.write(q);
          out.push(...wf.events);
        }
        await setLastRun(q, locked.generatorid, now);
        return out;
      });
      srv.bus.publish(...events);
    } catch (e) {
      srv.log.error({ err: e, generatorid: g.generatorid }, 'generator run failed');
    }
  }
}

loop({ name: 'crons', periodMs: (s) => s.config.cronCheckerPeriod, leaderOnly: true, run: triggerCrons });
loop({ name: 'generators', periodMs: (s) => s.config.generatorCheckerPeriod, leaderOnly: true, run: triggerGenerators });
