// Process RPCs (PROTOCOL §6.7, SEMANTICS §4-§5): submit, assign (long poll, see ../assign.ts),
// get, list, history, close, set output, cancel, remove. Importing this module also starts the
// timeout loop (../timeouts.ts) and the vacuum loop (../vacuum.ts).
import { ALL_STATES, CANCELLED, FAILED, SUCCESS, cancelRefusal, closeFailedRefusal, closeSuccessfulRefusal, isProcessState } from '../../domain/process-state.js';
import { priorityInRange } from '../../domain/spec.js';
import { badRequest, ColoniesError, forbidden, internal, notFound } from '../../protocol/errors.js';
import { nowNs, SECOND_NS } from '../../protocol/time.js';
import type { Queryable } from '../../store/db.js';
import { recordFunctionRun } from '../../store/functions.js';
import {
  cancelProcess,
  closeFailed,
  closeFailedForCallers,
  closeSuccessful,
  closeSuccessfulForCallers,
  errorsJson,
  outputJson,
  setOutput,
  type CloseAttempt,
  type CloseRequest,
  type Closed,
  type ClosedSuccessful,
} from '../../store/process-close.js';
import {
  getProcess,
  getProcessBrief,
  getProcessesForCallers,
  listProcesses,
  newProcessRow,
  processHistory,
  processListToWire,
  processToWire,
  removeAllProcesses,
  removeProcess,
  type CallerAccess,
  type ListFilter,
  type ProcessRead,
  type NewProcess,
  type SubmitOutcome,
  type ProcessBrief,
  type ProcessRow,
} from '../../store/processes.js';
import { checkMember, checkResolvedMember, colonyOwner, member, type ResolvedColony } from '../access.js';
import { assignProcess } from '../assign.js';
import { Batcher } from '../batch.js';
import { storeSubmitted } from '../handoff.js';
import { perServer, type ServerContext } from '../context.js';
import type { ServerEvent } from '../events.js';
import { rpc } from '../registry.js';
import '../timeouts.js';
import '../vacuum.js';
import { graphHooks } from '../workflow-hooks.js';

const MAX_COUNT = 100;

// The access rule reads the process and the caller's membership of its colony in one query;
// the handler reuses that read (same message object) instead of reading it again.
const seen = new WeakMap<object, ProcessBrief | ProcessRow>();

type ReadBatcher<T> = Batcher<ProcessRead, (T & CallerAccess) | null>;
// Concurrent access reads share one statement (see ../batch.ts): under load, 32 getprocessmsg
// in flight cost a few statements instead of 32. One pair of batchers per database handle.
const readBatchers = new WeakMap<Queryable, { brief: ReadBatcher<ProcessBrief>; full: ReadBatcher<ProcessRow> }>();

function readBatcher(q: Queryable): { brief: ReadBatcher<ProcessBrief>; full: ReadBatcher<ProcessRow> } {
  let b = readBatchers.get(q);
  if (!b) {
    b = {
      brief: new Batcher((reads) => getProcessesForCallers(q, reads, false)),
      full: new Batcher((reads) => getProcessesForCallers(q, reads, true)),
    };
    readBatchers.set(q, b);
  }
  return b;
}

/** Colony of the process `m.processid`; a missing process is `missing` (Go's status and text). */
function processColony(missing: ColoniesError, full = false) {
  return async (m: { processid: string }, q: Queryable, callerId: string): Promise<ResolvedColony> => {
    const b = readBatcher(q);
    const read = { processid: m.processid, callerId };
    const p = full ? await b.full.run('', read) : await b.brief.run('', read);
    if (!p) throw missing;
    seen.set(m, p);
    return { colonyname: p.colonyname, colonyid: p.acc_colonyid, member: p.acc_member };
  };
}

/** The process the access rule read for this message (read again if the rule did not run). */
async function seenProcess<T extends ProcessBrief>(m: { processid: string }, srv: ServerContext, full = false): Promise<T> {
  const p = seen.get(m) ?? (full ? await getProcess(srv.db, m.processid) : await getProcessBrief(srv.db, m.processid));
  if (!p) throw internal('Failed to read process, process is nil');
  return p as T;
}

function closedEvent(c: Closed, state: number): ServerEvent {
  return {
    kind: 'process',
    processid: c.processid,
    colonyname: c.colonyname,
    executortype: c.executortype,
    state,
    processgraphid: c.processgraphid || undefined,
  };
}

/** Workflow members re-resolve their graph in the same transaction as the change. */
async function graphEvents(q: Queryable, c: Closed): Promise<ServerEvent[]> {
  return c.processgraphid === '' ? [] : graphHooks().memberChanged(q, c.processgraphid);
}

/** Why a conditional close did not apply, read again inside the transaction. */
async function refusal(q: Queryable, processid: string, executorid: string, action: string, state: (s: number) => string | null): Promise<never> {
  const p = await getProcessBrief(q, processid);
  if (!p) throw internal(`Failed to ${action}, process is nil`);
  if (p.assignedexecutorid === '') throw forbidden(`Failed to ${action}, process is not assigned`);
  if (p.assignedexecutorid !== executorid) throw forbidden(`Failed to ${action}, not allowed to ${action}`);
  throw badRequest(state(p.state) ?? `Failed to ${action}, process changed meanwhile`);
}

/** AE rule of the close calls (403), then the state machine (400), on the row the access check read. */
function checkCloser(p: ProcessBrief, executorid: string, action: string, state: (s: number) => string | null): void {
  if (p.assignedexecutorid === '') throw forbidden(`Failed to ${action}, process is not assigned`);
  if (p.assignedexecutorid !== executorid) throw forbidden(`Failed to ${action}, not allowed to ${action}`);
  const refused = state(p.state);
  if (refused) throw badRequest(refused);
}

/**
 * Runs a close. A workflow member's close and its graph resolution share one transaction; any
 * other close is a single conditional UPDATE (plus, rarely, the function statistics, which Go
 * does not update atomically either), so it needs no BEGIN/COMMIT round trips.
 */
function inTxIfGraph<T>(srv: ServerContext, p: ProcessBrief, fn: (q: Queryable) => Promise<T>): Promise<T> {
  return p.processgraphid === '' ? fn(srv.db) : srv.db.tx(fn);
}

// Concurrent submits of one caller to one colony are stored together (see ../batch.ts), and
// handed to executors asleep on this replica where possible (../handoff.ts).
const submitBatcher = perServer(
  (srv) =>
    new Batcher<NewProcess, SubmitOutcome>(
      async (rows) => {
        const outcome = await storeSubmitted(srv, rows);
        return rows.map(() => outcome);
      },
      64,
      2,
      (err, size) => srv.log.warn({ err, size }, 'grouped submit failed; its processes are stored one by one'),
    ),
);

const nilSpec = () => badRequest('Failed to submit process spec, msg.FunctionSpec is nil');

rpc('submitfuncspecmsg', {
  enforcedByHandler: true,
  access: member((m) => {
    if (!m.spec) throw nilSpec();
    return m.spec.conditions.colonyname;
  }),
  handle: async ({ msg, callerId, srv }) => {
    const spec = msg.spec;
    if (!spec) throw nilSpec();
    let row: ReturnType<typeof newProcessRow>;
    try {
      if (!priorityInRange(spec.priority)) throw badRequest('Failed to submit function spec, priority outside range [-50000, 50000]');
      row = newProcessRow(spec, { initiatorid: callerId, initiatorname: '', now: nowNs() });
    } catch (e) {
      await checkMember(srv.db, spec.conditions.colonyname, callerId, true); // access errors come first
      throw e;
    }
    const stored = await submitBatcher(srv).run(`${callerId}\u0000${row.colonyname}`, row);
    // not a member: the rule's own check names the reason (unknown colony / not a member)
    if (stored === 'notmember') await checkMember(srv.db, spec.conditions.colonyname, callerId, true);
    if (stored !== 'stored') throw badRequest('Could not derive InitiatorName');
    return processToWire(row);
  },
});

rpc('assignprocessmsg', {
  enforcedByHandler: true,
  access: member((m) => m.colonyname),
  handle: ({ msg, callerId, srv, signal }) => assignProcess(srv, msg, callerId, signal),
});

rpc('getprocessmsg', {
  access: member(processColony(notFound('Failed to get process, process not found'), true)),
  handle: async ({ msg, srv }) => processToWire(await seenProcess<ProcessRow>(msg, srv, true)),
});

rpc('getprocessesmsg', {
  access: member((m) => m.colonyname),
  handle: async ({ msg, srv }) => {
    if (msg.count > MAX_COUNT) throw badRequest(`Count is larger than MaxCount limit <${MAX_COUNT}>`);
    if (msg.initiator !== '') {
      const users = await srv.db.query('SELECT 1 FROM users WHERE colonyname = $1 AND name = $2', [msg.colonyname, msg.initiator]);
      if (users.length === 0) throw badRequest(`User <${msg.initiator}> does not exist`);
    }
    if (!isProcessState(msg.state) && msg.state !== ALL_STATES) throw badRequest('Failed to get processes, invalid msg.State');
    // Only the first non-empty filter applies, in Go's order.
    const filter: ListFilter = msg.executortype
      ? { kind: 'executortype', value: msg.executortype }
      : msg.initiator
        ? { kind: 'initiatorname', value: msg.initiator }
        : msg.label
          ? { kind: 'label', value: msg.label }
          : { kind: 'none' };
    return processListToWire(await listProcesses(srv.db, msg.colonyname, msg.state, msg.count, filter));
  },
});

rpc('getprocesshistmsg', {
  access: member((m) => m.colonyname),
  handle: async ({ msg, srv }) => {
    // Nothing was submitted before 1970; the floor also keeps a huge `seconds` inside int8.
    const back = nowNs() - BigInt(msg.seconds) * SECOND_NS;
    const since = back > 0n ? back : 0n;
    return processListToWire(await processHistory(srv.db, msg.colonyname, msg.executorid, msg.state, since));
  },
});

rpc('removeprocessmsg', {
  access: member(processColony(internal('Failed to remove process, process is nil'))),
  handle: async ({ msg, srv }) => {
    const p = await seenProcess(msg, srv);
    if (p.processgraphid !== '') {
      throw badRequest('Failed to remove, cannot remove a process part of a workflow, delete the entire workflow instead');
    }
    if (p.state === 1 || !(await removeProcess(srv.db, msg.processid))) {
      throw badRequest('Failed to remove process, cannot remove a running process');
    }
  },
});

rpc('removeallprocessesmsg', {
  access: colonyOwner((m) => m.colonyname),
  handle: async ({ msg, srv }) => {
    if (msg.state === 1) throw badRequest('Not possible to remove running processes');
    if (!isProcessState(msg.state) && msg.state !== ALL_STATES) throw badRequest('Invalid state when deleting all processes');
    await removeAllProcesses(srv.db, msg.colonyname, msg.state);
  },
});

/**
 * The close RPCs enforce their declared rule themselves: the common close (outside workflows,
 * by the assigned executor) is one statement that reads the process and the caller's access and
 * applies the change. When it did not apply, the row it read decides, in the rule's order:
 * no process (500, Go's text), access (403), assignment (403), state (400); a workflow member
 * is then closed with its graph in one transaction.
 */
async function closeSlowPath<C extends Closed>(
  srv: ServerContext,
  tried: CloseAttempt<C>,
  callerId: string,
  action: string,
  endState: number,
  state: (s: number) => string | null,
  close: (q: Queryable) => Promise<C | null>,
  extra: (q: Queryable, c: C) => Promise<void>,
): Promise<ServerEvent[]> {
  const p = tried.brief;
  if (!p) throw internal(`Failed to ${action}, process is nil`);
  checkResolvedMember({ colonyname: p.colonyname, colonyid: p.acc_colonyid, member: p.acc_member });
  checkCloser(p, callerId, action, state);
  return inTxIfGraph(srv, p, async (q) => {
    const c = await close(q);
    if (!c) return refusal(q, p.processid, callerId, action, state);
    await extra(q, c);
    return [closedEvent(c, endState), ...(await graphEvents(q, c))];
  });
}

// Concurrent closes share one statement (see ../batch.ts); each gets its own attempt back. One
// close statement of a kind at a time: the closes that arrive meanwhile wait for it and go
// together, in fewer, larger statements. Against two at a time (the Batcher's default), 16
// executors did 7-12 % more processes/s with 8 % less server and PostgreSQL CPU per process
// (bench/RESULTS.md, seventh round); a lone close still goes at once.
const CLOSES_IN_FLIGHT = 1;
const closeBatchers = perServer((srv) => {
  const failed = (err: unknown, size: number) => srv.log.warn({ err, size }, 'grouped close failed; its closes are made one by one');
  return {
    successful: new Batcher<CloseRequest, CloseAttempt<ClosedSuccessful>>((reqs) => closeSuccessfulForCallers(srv.db, reqs), 64, CLOSES_IN_FLIGHT, failed),
    failed: new Batcher<CloseRequest, CloseAttempt<Closed>>((reqs) => closeFailedForCallers(srv.db, reqs), 64, CLOSES_IN_FLIGHT, failed),
  };
});

async function recordRun(q: Queryable, c: ClosedSuccessful): Promise<void> {
  if (c.functionowner === null) return;
  await recordFunctionRun(q, {
    colonyname: c.colonyname,
    executorname: c.functionowner,
    funcname: c.funcname,
    waitS: Number(c.starttime - c.submissiontime) / 1e9,
    execS: Number(c.endtime - c.starttime) / 1e9,
  });
}

rpc('closesuccessfulmsg', {
  enforcedByHandler: true,
  access: member(processColony(internal('Failed to close process as successful, process is nil'))),
  handle: async ({ msg, callerId, srv }) => {
    const action = 'close process as successful';
    const now = nowNs();
    const tried = await closeBatchers(srv).successful.run('', { processid: msg.processid, executorid: callerId, now, json: outputJson(msg.out) });
    if (tried.closed) {
      await recordRun(srv.db, tried.closed);
      srv.bus.publish(closedEvent(tried.closed, SUCCESS));
      return;
    }
    const events = await closeSlowPath(srv, tried, callerId, action, SUCCESS, closeSuccessfulRefusal, (q) => closeSuccessful(q, msg.processid, callerId, msg.out, now), recordRun);
    srv.bus.publish(...events);
  },
});

rpc('closefailedmsg', {
  enforcedByHandler: true,
  access: member(processColony(internal('Failed to close process as failed, process is nil'))),
  handle: async ({ msg, callerId, srv }) => {
    const action = 'close process as failed';
    const now = nowNs();
    const tried = await closeBatchers(srv).failed.run('', { processid: msg.processid, executorid: callerId, now, json: errorsJson(msg.errors) });
    if (tried.closed) {
      srv.bus.publish(closedEvent(tried.closed, FAILED));
      return;
    }
    const events = await closeSlowPath(srv, tried, callerId, action, FAILED, closeFailedRefusal, (q) => closeFailed(q, msg.processid, callerId, msg.errors, now), async () => undefined);
    srv.bus.publish(...events);
  },
});

rpc('setoutputmsg', {
  access: member(processColony(internal('Failed to set output, process is nil'))),
  handle: async ({ msg, callerId, srv }) => {
    const p = await seenProcess(msg, srv);
    // Go's texts (the first one is copied from the close handler).
    if (p.assignedexecutorid !== callerId) throw forbidden('Failed to close process as successful, not allowed to close process as successful');
    if (p.state !== 1) throw forbidden('Failed to set output, process is not running');
    if (msg.out && msg.out.length > 0 && !(await setOutput(srv.db, msg.processid, callerId, msg.out))) {
      throw forbidden('Failed to set output, process is not running');
    }
  },
});

rpc('cancelprocessmsg', {
  access: member(processColony(internal('Failed to cancel process, process is nil'))),
  handle: async ({ msg, srv }) => {
    const p = await seenProcess(msg, srv);
    if (p.processgraphid !== '') {
      throw badRequest('Failed to cancel, cannot cancel a process part of a workflow, cancel the entire workflow instead');
    }
    const refused = cancelRefusal(p.state);
    if (refused) throw badRequest(refused);
    const c = await cancelProcess(srv.db, msg.processid, nowNs());
    if (!c) {
      const now = await getProcessBrief(srv.db, msg.processid);
      throw badRequest((now && cancelRefusal(now.state)) ?? 'Failed to cancel process, process changed meanwhile');
    }
    srv.bus.publish(closedEvent(c, CANCELLED));
  },
});
