// The seam between the process lifecycle (processes.ts) and workflow resolution
// (workflow-resolve.ts): the process handlers call these inside the same transaction as the
// close, timeout or requeue that changed a member of a process graph (an assignment resolves
// its graph inside the assign statement itself, see store/process-assign.ts).
// workflow-resolve.ts installs them.
import type { Queryable } from '../store/db.js';
import type { ServerEvent } from './events.js';

export interface GraphHooks {
  /**
   * A member of graph `processgraphid` changed state (closed, failed by a timeout,
   * requeued). Re-resolves the graph in transaction q and returns the events to publish after
   * commit (children released to WAITING, etc.).
   */
  memberChanged(q: Queryable, processgraphid: string): Promise<ServerEvent[]>;
}

let hooks: GraphHooks | null = null;

export function installGraphHooks(h: GraphHooks): void {
  hooks = h;
}

export function graphHooks(): GraphHooks {
  if (!hooks) throw new Error('workflow resolution is not installed');
  return hooks;
}
