// Cron RPCs (PROTOCOL §6.12, SEMANTICS §10). The trigger loop lives in ../scheduler.ts.
import { parseCronExpression } from '../../domain/cron-schedule.js';
import { badRequest, internal } from '../../protocol/errors.js';
import type { Queryable } from '../../store/db.js';
import { cronToWire, getCron, insertCron, listCrons, removeCron } from '../../store/crons.js';
import { randomId } from '../../domain/ids.js';
import { member } from '../access.js';
import { rpc } from '../registry.js';
import { runCron } from '../scheduler.js';
import { buildWorkflow, initiatorName, parseWorkflowSpecText } from '../workflow-create.js';

const INTERVAL_MSG = 'Cron interval must be -1 (disabled) or larger than 0';

/** The colony of a cron for access checks; unknown → the original's error. */
const cronColony = (make: (id: string) => Error) => async (m: { cronid: string }, q: Queryable) => {
  const c = await getCron(q, m.cronid);
  if (!c) throw make(m.cronid);
  return c.colonyname;
};

rpc('addcronmsg', {
  access: member((m) => {
    if (!m.cron) throw badRequest('Failed to add cron, msg.Cron is nil');
    return m.cron.colonyname;
  }),
  handle: async ({ msg, callerId, srv }) => {
    const c = msg.cron!;
    // The workflow must be buildable now, not fail later at every tick.
    const spec = parseWorkflowSpecText(c.workflowspec, c.colonyname, 'add cron');
    const name = await initiatorName(srv.db, c.colonyname, callerId);
    buildWorkflow(spec, { initiatorid: callerId, initiatorname: name, now: 0n });
    if (c.interval === 0 || c.interval < -1) throw badRequest(INTERVAL_MSG);
    if (c.interval === -1) {
      try {
        parseCronExpression(c.cronexpression);
      } catch (e) {
        throw badRequest((e as Error).message);
      }
      if (c.random) throw badRequest('Random cron is only supported when specifying intervals');
    }
    const row = {
      cronid: randomId(),
      colonyname: c.colonyname,
      name: c.name,
      initiatorid: callerId,
      initiatorname: name,
      cronexpression: c.cronexpression,
      interval: c.interval,
      random: c.random,
      nextrun: 0n,
      lastrun: 0n,
      workflowspec: c.workflowspec,
      prevprocessgraphid: '',
      waitforprevprocessgraph: c.waitforprevprocessgraph,
    };
    if (!(await insertCron(srv.db, row))) throw badRequest(`Cron with name <${c.name}> in Colony <${c.colonyname}> already exists`);
    return cronToWire(row);
  },
});

rpc('getcronmsg', {
  access: member(cronColony(() => internal('Failed to get cron, cron is nil'))),
  handle: async ({ msg, srv }) => {
    const c = await getCron(srv.db, msg.cronid);
    if (!c) throw internal('Failed to get cron, cron is nil');
    return cronToWire(c, srv.config.cronCheckerPeriod);
  },
});

rpc('getcronsmsg', {
  access: member((m) => m.colonyname),
  // `[]` when empty, never null (observed).
  handle: async ({ msg, srv }) => (await listCrons(srv.db, msg.colonyname, Math.max(0, msg.count))).map((c) => cronToWire(c)),
});

rpc('runcronmsg', {
  // Membership is checked before anything runs (the original runs first, DECISIONS.md).
  access: member(cronColony(() => badRequest('cron not found'))),
  handle: async ({ msg, srv }) => {
    const { before, events } = await srv.db.tx(async (q) => {
      const c = await getCron(q, msg.cronid, true);
      if (!c) throw badRequest('cron not found');
      return { before: c, events: await runCron(q, c, null) };
    });
    if (events) srv.bus.publish(...events);
    return cronToWire(before);
  },
});

rpc('removecronmsg', {
  access: member(cronColony(() => internal('Failed to remove cron, cron is nil'))),
  handle: async ({ msg, srv }) => {
    await removeCron(srv.db, msg.cronid);
  },
});
