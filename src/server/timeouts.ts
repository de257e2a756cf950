// The timeout loop (SEMANTICS §6): RUNNING processes past maxexectime are requeued (or FAILED
// when out of retries), WAITING processes past maxwaittime are FAILED. One transaction per
// sweep; workflow graphs of changed members are re-resolved in it; events go out after commit.
import { nowNs, SECOND_NS } from '../protocol/time.js';
import { failExpiredRunning, failExpiredWaiting, requeueExpiredRunning, type TimedOut } from '../store/process-timeouts.js';
import type { ServerContext } from './context.js';
import type { ServerEvent } from './events.js';
import { loop } from './loops.js';
import { graphHooks } from './workflow-hooks.js';

function toEvent(p: TimedOut): ServerEvent {
  return {
    kind: 'process',
    processid: p.processid,
    colonyname: p.colonyname,
    executortype: p.executortype,
    state: p.state,
    targeted: p.state === 0 ? p.targeted : undefined,
    processgraphid: p.processgraphid || undefined,
  };
}

/** One sweep; returns the events it published (tests call it directly). */
export async function sweepTimeouts(srv: ServerContext, now = nowNs()): Promise<ServerEvent[]> {
  const nowSecondNs = (now / SECOND_NS) * SECOND_NS;
  const events = await srv.db.tx(async (q) => {
    const changed = [
      ...(await failExpiredRunning(q, now, nowSecondNs)),
      ...(await requeueExpiredRunning(q, now, nowSecondNs)),
      ...(await failExpiredWaiting(q, now, nowSecondNs)),
    ];
    const out = changed.map(toEvent);
    const graphs = new Set(changed.map((p) => p.processgraphid).filter((g) => g !== ''));
    for (const g of graphs) out.push(...(await graphHooks().memberChanged(q, g)));
    return out;
  });
  if (events.length > 0) srv.bus.publish(...events);
  return events;
}

loop({
  name: 'timeouts',
  periodMs: (s) => s.config.timeoutCheckerPeriod,
  leaderOnly: true,
  run: async (srv) => {
    await sweepTimeouts(srv);
  },
});
