// Graph resolution (SEMANTICS §8.3), run inside the transaction of every close /
// timeout / requeue of a graph member (the processes code calls graphHooks().memberChanged).
// Set-based: one statement finds a failed parent, one cascades, one releases children, one
// counts states. The graph row is locked first, so two members of one graph changing at the
// same moment are resolved one after the other and the second sees the first's changes.
import { FAILED, graphState, isFinalState, RUNNING } from '../domain/workflow.js';
import { nowNs } from '../protocol/time.js';
import type { Queryable } from '../store/db.js';
import {
  cascadeFailed,
  hasFailedParent,
  lockGraph,
  memberCounts,
  releaseChildren,
  setGraphState,
  type GraphRow,
  type MemberEventRow,
} from '../store/workflows.js';
import type { ProcessEvent, ServerEvent } from './events.js';
import { installGraphHooks } from './workflow-hooks.js';

export function memberEvent(r: MemberEventRow, processgraphid: string): ProcessEvent {
  return {
    kind: 'process',
    processid: r.processid,
    colonyname: r.colonyname,
    executortype: r.executortype,
    state: r.state,
    targeted: r.targeted || undefined,
    processgraphid,
  };
}

/** Stores a new graph state with its start/end time on the transitions of §8.3. */
export async function storeGraphState(q: Queryable, g: GraphRow, state: number, now: bigint): Promise<void> {
  if (state === g.state) return;
  const starttime = state === RUNNING && g.starttime === 0n ? now : g.starttime;
  const endtime = isFinalState(state) ? now : g.endtime;
  await setGraphState(q, g.processgraphid, state, starttime, endtime);
}

/** Re-resolves a graph; returns the events to publish after commit. */
export async function resolveGraph(q: Queryable, processgraphid: string): Promise<ServerEvent[]> {
  const g = await lockGraph(q, processgraphid);
  if (!g) return []; // removed meanwhile
  const now = nowNs();
  if (await hasFailedParent(q, processgraphid)) {
    // The original emits no events here; we do (DECISIONS.md), so waiters see the FAILED state.
    const failed = await cascadeFailed(q, processgraphid);
    await storeGraphState(q, g, FAILED, now);
    return failed.map((r) => memberEvent(r, processgraphid));
  }
  const released = await releaseChildren(q, processgraphid);
  await storeGraphState(q, g, graphState(await memberCounts(q, processgraphid)), now);
  return released.map((r) => memberEvent(r, processgraphid));
}

installGraphHooks({ memberChanged: resolveGraph });
