// Workflow (process graph) RPCs (PROTOCOL §6.9, SEMANTICS §8).
import { CANCELLED, layout, RUNNING } from '../../domain/workflow.js';
import { ALL_STATES } from '../../domain/process-state.js';
import { badRequest, internal } from '../../protocol/errors.js';
import { nowNs } from '../../protocol/time.js';
import type { Queryable } from '../../store/db.js';
import { getProcess, insertProcesses, newProcessRow, processToWire } from '../../store/processes.js';
import {
  cancelMembers,
  deleteGraphs,
  deleteGraphsInState,
  getGraph,
  graphMembers,
  graphToWire,
  listGraphs,
  lockGraph,
  processHead,
  processHeads,
  setChildren,
  setParents,
  type GraphRow,
} from '../../store/workflows.js';
import { colonyOwner, member } from '../access.js';
import { rpc } from '../registry.js';
import { buildWorkflow, initiatorName } from '../workflow-create.js';
import { memberEvent, storeGraphState } from '../workflow-resolve.js';

const MAX_COUNT = 100;

/** The colony of a graph, for access checks; unknown graph → 500 as the original. */
const graphColony = (action: string) => async (m: { processgraphid: string }, q: Queryable) => {
  const g = await getGraph(q, m.processgraphid);
  if (!g) throw internal(`Failed to ${action}, processgraph with Id <${m.processgraphid}> not found`);
  return g.colonyname;
};

async function requireGraph(q: Queryable, id: string, action: string, lock = false): Promise<GraphRow> {
  const g = lock ? await lockGraph(q, id) : await getGraph(q, id);
  if (!g) throw internal(`Failed to ${action}, processgraph with Id <${id}> not found`);
  return g;
}

rpc('submitworkflowspecmsg', {
  access: member((m) => {
    if (!m.spec) throw badRequest('Failed to submit workflow, msg.WorkflowSpec is nil');
    return m.spec.colonyname;
  }),
  handle: async ({ msg, callerId, srv }) => {
    const spec = msg.spec!;
    const name = await initiatorName(srv.db, spec.colonyname, callerId);
    const wf = buildWorkflow(spec, { initiatorid: callerId, initiatorname: name, now: nowNs() });
    await srv.db.tx((q) => wf.write(q));
    srv.bus.publish(...wf.events);
    return wf.graph;
  },
});

rpc('getprocessgraphmsg', {
  access: member(graphColony('get processgraph')),
  handle: async ({ msg, srv }) => {
    const g = await requireGraph(srv.db, msg.processgraphid, 'get processgraph');
    const members = (await graphMembers(srv.db, [g.processgraphid])).get(g.processgraphid)!;
    return { ...graphToWire(g, members), ...layout(g.rootprocessids, members) };
  },
});

rpc('getprocessgraphsmsg', {
  access: member((m) => m.colonyname),
  handle: async ({ msg, srv }) => {
    if (msg.state < 0 || msg.state > CANCELLED) throw badRequest('invalid msg.State');
    if (msg.count > MAX_COUNT) throw badRequest(`Count is larger than MaxCount limit <${MAX_COUNT}>`);
    const graphs = await listGraphs(srv.db, msg.colonyname, msg.state, Math.max(0, msg.count));
    if (graphs.length === 0) return null;
    const members = await graphMembers(
      srv.db,
      graphs.map((g) => g.processgraphid),
    );
    return graphs.map((g) => graphToWire(g, members.get(g.processgraphid)!));
  },
});

rpc('removeprocessgraphmsg', {
  access: member(graphColony('remove processgraph')),
  handle: async ({ msg, srv }) => {
    await srv.db.tx(async (q) => {
      const g = await requireGraph(q, msg.processgraphid, 'remove processgraph', true);
      if (g.state === RUNNING) throw badRequest('Failed to remove processgraph, cannot remove a running processgraph');
      await deleteGraphs(q, [g.processgraphid]);
    });
  },
});

rpc('removeallprocessgraphsmsg', {
  access: colonyOwner((m) => m.colonyname),
  handle: async ({ msg, srv }) => {
    // A missing state is 0: only waiting graphs (colonies-ts and pycolonies omit it).
    if (msg.state === RUNNING) throw badRequest('not possible to remove running processgraphs');
    if (msg.state !== ALL_STATES && (msg.state < 0 || msg.state > CANCELLED)) throw badRequest('invalid state when deleting all processgraphs');
    await srv.db.tx((q) => deleteGraphsInState(q, msg.colonyname, msg.state));
  },
});

rpc('cancelprocessgraphmsg', {
  access: member(graphColony('cancel processgraph')),
  handle: async ({ msg, srv }) => {
    const events = await srv.db.tx(async (q) => {
      const g = await requireGraph(q, msg.processgraphid, 'cancel processgraph', true);
      const now = nowNs();
      const cancelled = await cancelMembers(q, g.processgraphid, now);
      await storeGraphState(q, g, CANCELLED, now);
      return cancelled.map((r) => memberEvent(r, g.processgraphid));
    });
    // The original emits nothing here; subscribers waiting for CANCELLED deserve to hear it.
    srv.bus.publish(...events);
  },
});

rpc('addchildmsg', {
  access: member((m) => {
    if (!m.spec) throw badRequest('Failed to add child to processgraph, msg.FunctionSpec is nil');
    return m.spec.conditions.colonyname;
  }),
  handle: async ({ msg, callerId, srv }) => {
    const spec = msg.spec!;
    const childId = await srv.db.tx(async (q) => {
      const parentHead = await processHead(q, msg.parentprocessid);
      if (!parentHead) throw badRequest(`Process with Id ${msg.parentprocessid} not found`);
      const graphId = parentHead.processgraphid;
      if (graphId === '') throw badRequest(`Process with Id ${msg.parentprocessid} does not belong to a processgraph`);
      if (msg.processgraphid !== '' && msg.processgraphid !== graphId) {
        throw badRequest(`Process with Id ${msg.parentprocessid} does not belong to processgraph with Id ${msg.processgraphid}`);
      }
      // Graph first, then members: the same lock order as graph resolution.
      await lockGraph(q, graphId);
      const parent = (await processHead(q, msg.parentprocessid, true))!;
      if (parent.state !== RUNNING) throw badRequest(`Process with Id ${parent.processid} is not running`);
      if (parent.assignedexecutorid !== callerId) {
        throw badRequest(`Process with Id ${parent.processid} is not assigned to executor with Id ${callerId}`);
      }
      if (spec.conditions.colonyname !== parent.colonyname) {
        throw badRequest(`Process with Id ${parent.processid} does not belong to Colony with name ${spec.conditions.colonyname}`);
      }
      const row = newProcessRow(spec, { initiatorid: '', initiatorname: '', now: nowNs(), processgraphid: graphId, waitforparents: true, parents: [parent.processid] });
      const id = row.processid;
      if (msg.insert) {
        // parent → new → the parent's old children
        const olds = await processHeads(q, parent.children, true);
        row.children = [...parent.children];
        await insertProcesses(q, [row]);
        await setChildren(q, parent.processid, [id]);
        for (const old of olds.values()) {
          await setParents(q, old.processid, [...old.parents.filter((p) => p !== parent.processid), id]);
        }
      } else {
        let child = null;
        if (msg.childprocessid !== '') {
          child = await processHead(q, msg.childprocessid, true);
          if (!child || child.processgraphid !== graphId) throw badRequest(`Process with Id ${msg.childprocessid} not found in processgraph`);
          row.children = [child.processid];
        }
        await insertProcesses(q, [row]);
        await setChildren(q, parent.processid, [...parent.children, id]);
        if (child) await setParents(q, child.processid, [...child.parents, id]);
      }
      return id;
    });
    const p = await getProcess(srv.db, childId);
    return processToWire(p!);
  },
});
