// Executor RPCs (PROTOCOL §6.3, SEMANTICS §3) and the stale-executor sweep.
import { isKeyIdLength } from '../../domain/ids.js';
import { badRequest, internal, notFound } from '../../protocol/errors.js';
import { nowNs, parseTime } from '../../protocol/time.js';
import type { Queryable } from '../../store/db.js';
import {
  APPROVED,
  REJECTED,
  changeExecutorId,
  getExecutorById,
  getExecutorByName,
  getExecutorInColonyById,
  liveExecutorIdTaken,
  lockExecutorId,
  insertExecutor,
  listExecutors,
  reactivateExecutor,
  setAllocations,
  setCapabilities,
  setExecutorState,
  staleExecutors,
  unregisterExecutor,
  type NewExecutor,
  type RequeuedProcess,
} from '../../store/executors.js';
import { colonyOwner, member, memberAnyState } from '../access.js';
import type { ServerContext } from '../context.js';
import { loop } from '../loops.js';
import { rpc } from '../registry.js';

/** Requeued processes are WAITING again: wake assigners and subscribers (after commit). */
export function publishRequeued(srv: ServerContext, requeued: RequeuedProcess[]): void {
  srv.bus.publish(
    ...requeued.map((p) => ({
      kind: 'process' as const,
      processid: p.processid,
      colonyname: p.colonyname,
      executortype: p.executortype,
      state: 0,
      targeted: p.targeted,
      processgraphid: p.processgraphid || undefined,
    })),
  );
}

/** Go looks the executor up first and reports a missing one as 500, before checking ownership. */
function namedExecutorColony(action: string) {
  return async (m: { colonyname: string; executorname: string }, q: Queryable) => {
    const ex = await getExecutorByName(q, m.colonyname, m.executorname);
    if (!ex) throw internal(`Failed to ${action} executor, executor is nil`);
    return ex.colonyname;
  };
}

const executorIdTaken = (id: string, colonyname: string) => badRequest(`An executor with Id <${id}> already exists in Colony with name <${colonyname}>`);

rpc('addexecutormsg', {
  access: colonyOwner((m) => {
    if (!m.executor) throw badRequest('Failed to add executor, executor is nil');
    return m.executor.colonyname;
  }),
  handle: async ({ msg, srv }) => {
    const e = msg.executor!;
    const lastheard = parseTime(e.lastheardfromtime);
    if (lastheard === null) throw badRequest('Failed to add executor, invalid JSON');
    const rec: NewExecutor = {
      colonyname: e.colonyname,
      executorname: e.executorname,
      executorid: e.executorid,
      executortype: e.executortype,
      requirefuncreg: e.requirefuncreg,
      lastheardfromtime: lastheard,
      locationname: e.locationname ?? '',
      capabilities: e.capabilities,
      allocations: e.allocations,
      blueprintid: e.blueprintid ?? '',
      blueprintgen: e.blueprintgen ?? 0n,
      commissiontime: nowNs(),
    };
    const taken = () => badRequest(`Executor with name <${e.executorname}> in Colony <${e.colonyname}> already exists`);
    const { executor, requeued } = await srv.db.tx(async (q) => {
      // Differs from Go (as for user ids): one key is one live executor per colony. A removed
      // executor's id is free again, and re-registering a name may keep its own id.
      await lockExecutorId(q, e.colonyname, e.executorid);
      if (await liveExecutorIdTaken(q, e.colonyname, e.executorid, e.executorname)) throw executorIdTaken(e.executorid, e.colonyname);
      let requeued: RequeuedProcess[] = [];
      if (!(await insertExecutor(q, rec))) {
        // The name is taken, also by a removed executor (rows are kept for traceability).
        if (!srv.config.allowExecutorReregister) throw taken();
        requeued = (await unregisterExecutor(q, rec.colonyname, rec.executorname)) ?? [];
        await reactivateExecutor(q, rec);
      }
      return { executor: await getExecutorByName(q, rec.colonyname, rec.executorname), requeued };
    });
    publishRequeued(srv, requeued);
    return executor;
  },
});

rpc('getexecutorsmsg', {
  access: memberAnyState((m) => m.colonyname),
  handle: async ({ msg, srv }) => {
    const list = await listExecutors(srv.db, msg.colonyname);
    return list.length > 0 ? list : null;
  },
});

rpc('getexecutormsg', {
  access: member(namedExecutorColony('get')),
  handle: async ({ msg, srv }) => {
    const ex = await getExecutorByName(srv.db, msg.colonyname, msg.executorname);
    if (!ex) throw internal('Failed to get executor, executor is nil');
    return ex;
  },
});

rpc('getexecutorbyidmsg', {
  // colonyname in the message is not used: the executor's own colony decides (as in Go)
  access: member(async (m, q) => {
    const ex = await getExecutorById(q, m.executorid);
    if (!ex) throw notFound('Failed to get executor by ID, executor is nil');
    return ex.colonyname;
  }),
  handle: async ({ msg, srv }) => {
    const ex = await getExecutorById(srv.db, msg.executorid);
    if (!ex) throw notFound('Failed to get executor by ID, executor is nil');
    return ex;
  },
});

rpc('approveexecutormsg', {
  access: colonyOwner(namedExecutorColony('approve')),
  // whatever the state was: approving an unregistered executor re-activates it (Go quirk)
  handle: async ({ msg, srv }) => setExecutorState(srv.db, msg.colonyname, msg.executorname, APPROVED),
});

rpc('rejectexecutormsg', {
  access: colonyOwner(namedExecutorColony('reject')),
  handle: async ({ msg, srv }) => setExecutorState(srv.db, msg.colonyname, msg.executorname, REJECTED),
});

rpc('removeexecutormsg', {
  access: colonyOwner(namedExecutorColony('remove')),
  handle: async ({ msg, srv }) => {
    const requeued = await srv.db.tx((q) => unregisterExecutor(q, msg.colonyname, msg.executorname));
    publishRequeued(srv, requeued ?? []);
  },
});

/** reportallocation / updateexecutor: only the executor itself (by id) may change its record. */
async function selfExecutor(q: Queryable, colonyname: string, executorname: string, callerId: string, refusal: string) {
  const ex = await getExecutorByName(q, colonyname, executorname);
  if (!ex) throw badRequest(`Executor with name <${executorname}> does not exist`);
  if (ex.executorid !== callerId) throw badRequest(refusal);
  return ex;
}

rpc('reportallocationmsg', {
  access: memberAnyState((m) => m.colonyname),
  handle: async ({ msg, srv, callerId }) => {
    await selfExecutor(srv.db, msg.colonyname, msg.executorname, callerId, 'Only an executor can report allocations to itself');
    await setAllocations(srv.db, msg.colonyname, msg.executorname, msg.allocations);
  },
});

rpc('updateexecutormsg', {
  access: memberAnyState((m) => m.colonyname),
  handle: async ({ msg, srv, callerId }) => {
    await selfExecutor(srv.db, msg.colonyname, msg.executorname, callerId, 'Only an executor can update its own capabilities');
    await setCapabilities(srv.db, msg.colonyname, msg.executorname, msg.capabilities);
  },
});

rpc('changeexecutoridmsg', {
  access: memberAnyState((m) => {
    if (m.executorid === '') throw badRequest('Failed to change executor Id, executor Id is empty');
    return m.colonyname;
  }),
  handle: async ({ msg, srv, callerId }) => {
    const ex = await getExecutorInColonyById(srv.db, msg.colonyname, callerId);
    if (!ex) throw badRequest('Failed to change executor Id, executor not found');
    if (!isKeyIdLength(msg.executorid)) throw badRequest('Failed to change executor Id, new executor Id is not 64 characters');
    // Differs from Go, which does not check: an executor taking another live executor's id
    // would lock that executor out of whichever lookups found the wrong row.
    const changed = await srv.db.tx(async (q) => {
      await lockExecutorId(q, msg.colonyname, msg.executorid);
      return changeExecutorId(q, msg.colonyname, ex.executorname, msg.executorid);
    });
    if (!changed) throw executorIdTaken(msg.executorid, msg.colonyname);
    return { msgtype: msg.msgtype, colonyname: msg.colonyname, executorid: msg.executorid };
  },
});

/**
 * Unregisters executors that assigned at least once but not within `durationS` seconds
 * (SEMANTICS §3); their running processes go back to the queue. Returns how many were removed.
 */
export async function sweepStaleExecutors(srv: ServerContext, durationS = srv.config.staleExecutorDuration): Promise<number> {
  const cutoff = nowNs() - BigInt(Math.round(durationS * 1e9));
  let removed = 0;
  for (const s of await staleExecutors(srv.db, cutoff)) {
    // re-checked in the update: an assign that came in meanwhile keeps the executor
    const requeued = await srv.db.tx((q) => unregisterExecutor(q, s.colonyname, s.executorname, cutoff));
    if (!requeued) continue;
    removed++;
    srv.log.info({ colony: s.colonyname, executor: s.executorname, requeued: requeued.length }, 'unregistered stale executor');
    publishRequeued(srv, requeued);
  }
  return removed;
}

loop({
  name: 'stale-executors',
  periodMs: (srv) => srv.config.cleanupInterval * 1000,
  leaderOnly: true,
  run: async (srv) => {
    await sweepStaleExecutors(srv);
  },
});
