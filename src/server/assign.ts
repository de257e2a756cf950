// assignprocessmsg: the long poll of PROTOCOL §8 / SEMANTICS §4.5. Every attempt is one
// statement (claim + workflow resolution, see store/process-assign.ts). Between attempts the
// request waits for an event, never polls: it parks BEFORE the attempt, so a process submitted
// between the attempt and the wait still wakes it.
import { availableCpu, availableMemory } from '../domain/resources.js';
import { badRequest, ColoniesError, internal, notFound } from '../protocol/errors.js';
import type { Msg } from '../protocol/messages.js';
import type { Process } from '../protocol/objects.js';
import { nowNs } from '../protocol/time.js';
import { assignMany, type AssignAttempt, type AssignParams, type Assigned } from '../store/process-assign.js';
import { processToWire } from '../store/process-wire.js';
import { checkMember } from './access.js';
import { Batcher } from './batch.js';
import { perServer, type ServerContext } from './context.js';
import type { Parked } from './waiters.js';

const NOTHING = 'No process available for assignment';
const PAUSED_NOW = 'No processes available: colony assignments are paused';
const PAUSED_TIMEOUT = 'Assignment timeout: colony assignments are paused';
/** Extra immediate attempts when a concurrent assign took the candidate we saw. */
const CONTENDED_RETRIES = 3;

// Concurrent attempts in one colony share one statement (see ../batch.ts and assignMany): under
// load, the executors that ask while an attempt is in the database ask together next, in one
// statement and one commit instead of one each. A lone attempt still goes at once, by the
// single-attempt statement.
const ASSIGNS_IN_FLIGHT = 1;
const assignBatchers = perServer(
  (srv) =>
    new Batcher<AssignParams, AssignAttempt>((as) => assignMany(srv.db, as[0].colonyname, as), 64, ASSIGNS_IN_FLIGHT, (err, size) =>
      srv.log.warn({ err, size }, 'grouped assign failed; its attempts are made one by one'),
    ),
);

async function attempt(srv: ServerContext, executorid: string, colonyname: string, cpu: bigint, mem: bigint, parked: Parked | null): Promise<AssignAttempt> {
  for (let i = 0; ; i++) {
    // `more` only matters to wake another executor parked here (one that parks later makes its
    // own attempt after parking), so the statement checks it only when there is one.
    const wantMore = srv.waiters.parkedIn(colonyname) > (parked?.active ? 1 : 0);
    const r = await assignBatchers(srv).run(colonyname, { executorid, colonyname, now: nowNs(), cpu, mem, wantMore });
    if (r.kind === 'assigned') {
      const p = r.process;
      srv.bus.publish({ kind: 'process', processid: p.processid, colonyname: p.colonyname, executortype: p.executortype, state: 1, processgraphid: p.processgraphid || undefined });
    }
    if (r.kind !== 'empty' || !r.contended || i >= CONTENDED_RETRIES) return r;
  }
}

/** The reply to an assignment made (by the executor's own attempt or handed by a submit). */
function answer(srv: ServerContext, colony: string, r: Assigned): Process {
  // Chain: when more was waiting, another parked executor takes the next one (bursts drain
  // even when fewer wake-ups than processes were published); when nothing else was, the
  // next submit's own event wakes someone, and no executor makes an empty attempt.
  if (r.more) srv.waiters.wake(colony, r.executortype, 1);
  // Go replies with the attributes as they were before the assignment (state 0).
  return processToWire(r.process, r.process.attrs, 0);
}

/** Serves one assignprocessmsg; resolves with the assigned process or throws its error. */
export async function assignProcess(srv: ServerContext, msg: Msg<'assignprocessmsg'>, executorid: string, signal: AbortSignal): Promise<Process> {
  const colony = msg.colonyname;
  let cpu: bigint;
  let mem: bigint;
  try {
    if (msg.timeout === 0) throw badRequest('Invalid timeout value, timeout cannot be zero');
    cpu = availableCpu(msg.availablecpu);
    mem = availableMemory(msg.availablemem);
  } catch (e) {
    await checkMember(srv.db, colony, executorid, true); // access errors come first
    throw e;
  }
  const deadline = Date.now() + msg.timeout * 1000;
  let executortype: string | null = null;
  while (true) {
    if (signal.aborted) throw notFound(NOTHING); // the client is gone; nobody reads this
    // The first attempt tells the executor type; from then on park before each attempt.
    const parked: Parked | null =
      executortype !== null && msg.timeout > 0 ? srv.waiters.park(colony, executortype, deadline, signal, { executorid, cpu, mem }) : null;
    let r: AssignAttempt;
    try {
      r = await attempt(srv, executorid, colony, cpu, mem, parked);
    } catch (e) {
      parked?.cancel();
      throw e;
    }
    if (r.kind === 'noexecutor' || r.kind === 'notapproved') {
      // The registry rule (approved member) is enforced here, in the assign statement itself:
      // let the rule's check name the reason; an approved member without an executor is a user.
      parked?.cancel();
      await checkMember(srv.db, colony, executorid, true);
      throw internal('Failed to assign process, executor not found');
    }
    if (r.kind === 'assigned') {
      parked?.cancel();
      return answer(srv, colony, r);
    }
    if (msg.timeout < 0) throw r.kind === 'paused' ? new ColoniesError(503, PAUSED_NOW) : notFound(NOTHING);
    if (executortype === null) {
      executortype = r.executortype;
      continue;
    }
    const w = await parked!.sleep();
    // A submit stored its process assigned to this executor (./handoff.ts): that is the answer,
    // even if the deadline passed or the client left meanwhile (the assignment is made).
    if (typeof w === 'object') return answer(srv, colony, w);
    if (!w || Date.now() >= deadline) {
      throw r.kind === 'paused' ? new ColoniesError(408, PAUSED_TIMEOUT) : notFound(NOTHING);
    }
  }
}
