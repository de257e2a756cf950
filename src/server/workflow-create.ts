// Creating a workflow (SEMANTICS §8.1), shared by submitworkflowspecmsg, crons and generators:
// everything is validated and built in memory first (400 and nothing written on any problem),
// then the graph and all its processes are written with the caller's transaction.
import { buildDag } from '../domain/workflow.js';
import { withRootArgs } from '../domain/generator.js';
import { parseJson } from '../protocol/json.js';
import { WorkflowSpecSchema, type FunctionSpec, type ProcessGraph, type WorkflowSpec } from '../protocol/objects.js';
import { badRequest } from '../protocol/errors.js';
import { ZERO_TIME } from '../protocol/time.js';
import type { Queryable } from '../store/db.js';
import { getExecutorById, getExecutorInColonyById } from '../store/executors.js';
import { insertProcesses, newProcessRow, randomId, type NewProcess } from '../store/processes.js';
import { getUserById } from '../store/users.js';
import { insertGraph } from '../store/workflows.js';
import type { ProcessEvent } from './events.js';

export interface WorkflowOptions {
  initiatorid: string;
  initiatorname: string;
  now: bigint;
  /** generators: the consumed args become every root's `args` (and `kwargs` := {}) */
  rootArgs?: string[];
  /** crons: the previous run's leaf outputs become every root's `in` */
  rootInput?: unknown[];
}

export interface BuiltWorkflow {
  graph: ProcessGraph;
  rows: NewProcess[];
  /** "became WAITING" for each root, to publish after commit */
  events: ProcessEvent[];
  write(q: Queryable): Promise<void>;
}

/** Validates and builds a workflow without touching the database (throws 400 on bad input). */
export function buildWorkflow(spec: WorkflowSpec, o: WorkflowOptions): BuiltWorkflow {
  const colonyname = spec.colonyname;
  const specs: FunctionSpec[] = withRootArgs(spec.functionspecs ?? [], o.rootArgs ?? []);
  const dag = buildDag(specs.map((s) => ({ nodename: s.nodename, dependencies: s.conditions.dependencies })));
  const processgraphid = randomId();
  const rootInput = o.rootInput ?? [];
  const rows = specs.map((s, i) => {
    const isRoot = dag.parents[i].length === 0;
    const fixed: FunctionSpec = {
      ...s,
      // Workflows never time out by default (the original turns 0 into -1 here).
      maxexectime: s.maxexectime === 0 ? -1 : s.maxexectime,
      conditions: { ...s.conditions, colonyname },
    };
    return newProcessRow(fixed, {
      initiatorid: o.initiatorid,
      initiatorname: o.initiatorname,
      now: o.now,
      processgraphid,
      waitforparents: !isRoot,
      input: isRoot && rootInput.length > 0 ? [...rootInput] : undefined,
    });
  });
  rows.forEach((r, i) => {
    r.parents = dag.parents[i].map((j) => rows[j].processid);
    r.children = dag.children[i].map((j) => rows[j].processid);
  });
  const roots = dag.roots.map((i) => rows[i]);
  const rootIds = roots.map((r) => r.processid);
  // An empty workflow is accepted, as by the original, which then sends null lists.
  const graph: ProcessGraph = {
    processgraphid,
    initiatorid: o.initiatorid,
    initiatorname: o.initiatorname,
    colonyname,
    rootprocessids: rows.length ? rootIds : null,
    state: 0,
    // The original replies with the in-memory graph: zero times, no layout (observed).
    submissiontime: ZERO_TIME,
    starttime: ZERO_TIME,
    endtime: ZERO_TIME,
    processids: rows.length ? rows.map((r) => r.processid) : null,
    nodes: [],
    edges: [],
  };
  const events: ProcessEvent[] = roots.map((r) => ({
    kind: 'process',
    processid: r.processid,
    colonyname: r.colonyname,
    executortype: r.executortype,
    state: 0,
    targeted: r.executornames !== null || r.locationname !== '' || undefined,
    processgraphid,
  }));
  return {
    graph,
    rows,
    events,
    async write(q) {
      await insertGraph(q, {
        processgraphid,
        colonyname,
        initiatorid: o.initiatorid,
        initiatorname: o.initiatorname,
        rootprocessids: rootIds,
        state: 0,
        submissiontime: o.now,
        starttime: 0n,
        endtime: 0n,
      });
      await insertProcesses(q, rows);
    },
  };
}

/** The initiator's name: its executor name (this colony's first), else its user name in the colony (as the original). */
export async function initiatorName(q: Queryable, colonyname: string, callerId: string): Promise<string> {
  const executor = (await getExecutorInColonyById(q, colonyname, callerId)) ?? (await getExecutorById(q, callerId));
  if (executor) return executor.executorname;
  const user = await getUserById(q, colonyname, callerId);
  if (user) return user.name;
  throw badRequest('Could not derive InitiatorName');
}

/**
 * The WorkflowSpec JSON text of a cron or generator (400 when it is not one). Its workflows
 * always run in the owner's colony, whatever colony the text names.
 */
export function parseWorkflowSpecText(text: string, colonyname: string, action: string): WorkflowSpec {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (e) {
    throw badRequest(`Failed to ${action}, invalid workflow spec: ${(e as Error).message}`);
  }
  const parsed = WorkflowSpecSchema.safeParse(value);
  if (!parsed.success || parsed.data === null) throw badRequest(`Failed to ${action}, invalid workflow spec`);
  return { ...parsed.data, colonyname };
}
