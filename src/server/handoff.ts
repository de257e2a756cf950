// Storing submitted processes, and handing one straight to an executor parked on this replica.
//
// Without a handoff, a submit commits its rows, a WAITING event wakes a parked executor, and
// that executor's own assign statement claims a process: a second round trip, a second commit,
// and a second version of the row. When an executor of the rows' type is asleep here (its own
// attempt found nothing), the submit claims it and the statement that stores the rows stores
// the one that executor's assign would have got as already assigned to it
// (insertSubmittedHandingOff): one statement, one commit, and the executor's reply leaves right
// after the submit's. Where its assign would not have got a new row (the row is not for it, the
// colony is paused, something older is waiting for it), every row is stored WAITING and the
// executor looks again itself, as if woken.
import { isTargeted } from '../domain/spec.js';
import { nowNs } from '../protocol/time.js';
import { insertSubmittedHandingOff, type NewProcess, type SubmitOutcome } from '../store/processes.js';
import type { ServerContext } from './context.js';
import type { Claimed } from './waiters.js';

/** Stores `rows` (one caller, one colony), hands one to an asleep executor if it can, publishes the events. */
export async function storeSubmitted(srv: ServerContext, rows: NewProcess[]): Promise<SubmitOutcome> {
  const claim = claimOne(srv, rows);
  let stored: Awaited<ReturnType<typeof insertSubmittedHandingOff>>;
  try {
    stored = await insertSubmittedHandingOff(srv.db, rows, claim && { executorid: claim.executorid, cpu: claim.cpu, mem: claim.mem, now: nowNs() });
  } catch (err) {
    claim?.give(true);
    throw err;
  }
  const { outcome, handed } = stored;
  if (outcome === 'stored') {
    for (const row of rows) {
      srv.bus.publish({
        kind: 'process',
        processid: row.processid,
        colonyname: row.colonyname,
        executortype: row.executortype,
        state: 0,
        targeted: isTargeted(row),
        // stored assigned: no executor needs waking for it
        taken: row.processid === handed?.processid || undefined,
      });
    }
    if (handed) srv.bus.publish({ kind: 'process', processid: handed.processid, colonyname: handed.colonyname, executortype: handed.executortype, state: 1 });
  }
  // The executor's reply after the submitter's (which goes out in this tick): as without a
  // handoff, the submitter knows its process before an executor reports on it.
  if (claim) setImmediate(() => claim.give(handed ? { kind: 'assigned', executortype: handed.executortype, process: handed, more: false } : true));
  return outcome;
}

/** An asleep executor of the colony, of the first executor type among the rows that has one. */
function claimOne(srv: ServerContext, rows: NewProcess[]): Claimed | null {
  const types = new Set(rows.filter((r) => !r.waitforparents).map((r) => r.executortype));
  for (const type of types) {
    const [c] = srv.waiters.claim(rows[0].colonyname, type, 1);
    if (c) return c;
  }
  return null;
}
