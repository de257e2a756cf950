// Workflow (process graph) rules without I/O: validating a WorkflowSpec into a DAG, the graph
// state rule of SEMANTICS §8.3 and the UI layout of OBJECTS §10.
import { badRequest } from '../protocol/errors.js';
import type { Edge, GraphNode } from '../protocol/objects.js';

export const WAITING = 0;
export const RUNNING = 1;
export const SUCCESS = 2;
export const FAILED = 3;
export const CANCELLED = 4;

export const MSG_NODENAME_MISSING = 'Nodename is missing, check function spec for errors';
export const MSG_BAD_DEPENDENCY =
  'Failed to submit workflow, invalid dependencies, are you depending on a nodename that does not exits?';

export interface NodeInput {
  nodename: string;
  dependencies: readonly string[] | null;
}

/** The DAG of a validated spec, by index into the function specs. */
export interface Dag {
  /** parent indices per node, in the order of its `dependencies` */
  parents: number[][];
  /** child indices per node, in spec order */
  children: number[][];
  /** indices of the nodes without dependencies, in spec order */
  roots: number[];
}

/**
 * Validates the nodes of a workflow (400 on the first problem, in the original's order:
 * missing or duplicate nodename, then unknown dependency; then cycles, which the original
 * accepts and then never runs) and returns its DAG.
 */
export function buildDag(nodes: readonly NodeInput[]): Dag {
  const index = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (n.nodename === '') throw badRequest(MSG_NODENAME_MISSING);
    if (index.has(n.nodename)) throw badRequest(`Duplicate nodename: ${n.nodename}`);
    index.set(n.nodename, i);
  });
  const parents: number[][] = nodes.map(() => []);
  const children: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const dep of n.dependencies ?? []) {
      const p = index.get(dep);
      if (p === undefined) throw badRequest(MSG_BAD_DEPENDENCY);
      // A dependency named twice is one edge (it would otherwise feed the parent's output twice).
      if (parents[i].includes(p)) continue;
      parents[i].push(p);
      children[p].push(i);
    }
  });
  const cycle = findCycle(parents);
  if (cycle !== null) {
    throw badRequest(`Failed to submit workflow, dependency cycle detected at nodename: ${nodes[cycle].nodename}`);
  }
  const roots = nodes.map((_, i) => i).filter((i) => parents[i].length === 0);
  return { parents, children, roots };
}

/** Kahn's algorithm: returns a node on a cycle, or null for a DAG. */
function findCycle(parents: number[][]): number | null {
  const pending = parents.map((p) => p.length);
  const children: number[][] = parents.map(() => []);
  parents.forEach((ps, i) => ps.forEach((p) => children[p].push(i)));
  const ready = pending.flatMap((n, i) => (n === 0 ? [i] : []));
  let done = 0;
  while (ready.length) {
    const i = ready.pop()!;
    done++;
    for (const c of children[i]) if (--pending[c] === 0) ready.push(c);
  }
  if (done === parents.length) return null;
  return pending.findIndex((n) => n > 0);
}

export interface StateCounts {
  total: number;
  running: number;
  success: number;
  failed: number;
  cancelled: number;
}

/** Graph state from its members' states (SEMANTICS §8.3). */
export function graphState(c: StateCounts): number {
  if (c.failed > 0) return FAILED;
  if (c.cancelled > 0) return CANCELLED;
  if (c.success === c.total) return SUCCESS;
  if (c.success > 0 || c.running > 0) return RUNNING;
  return WAITING;
}

export const isFinalState = (s: number) => s === SUCCESS || s === FAILED || s === CANCELLED;

/** What the layout needs of a member process. */
export interface MemberInfo {
  processid: string;
  nodename: string;
  state: number;
  parents: readonly string[];
  children: readonly string[];
}

/**
 * Visits the members reachable from the roots depth first via `children`, each once, with
 * its depth at first visit (the original's Iterate/IterateWithDepth).
 */
export function walk(roots: readonly string[], members: ReadonlyMap<string, MemberInfo>, visit: (m: MemberInfo, depth: number) => void): void {
  const seen = new Set<string>();
  const go = (id: string, depth: number) => {
    const m = members.get(id);
    if (!m || seen.has(id)) return;
    seen.add(id);
    visit(m, depth);
    for (const c of m.children) go(c, depth + 1);
  };
  for (const r of roots) go(r, 0);
}

/** processids of a graph: the members reachable from the roots, in walk order. */
export function reachableIds(roots: readonly string[], members: ReadonlyMap<string, MemberInfo>): string[] {
  const ids: string[] = [];
  walk(roots, members, (m) => ids.push(m.processid));
  return ids;
}

const BACKGROUND: Record<number, string> = {
  [WAITING]: '#eee8d8',
  [RUNNING]: '#4689cd',
  [SUCCESS]: '#92d050',
  [FAILED]: '#cb4239',
  [CANCELLED]: '#f5a623',
};
const BOX_WIDTH = 150;
const PADDING = 50;
const ROW_HEIGHT = 80;

const levelWidth = (n: number) => n * BOX_WIDTH + PADDING * (n - 1);

/** GraphNode/Edge layout for the web UI (OBJECTS §10), as the original computes it. */
export function layout(roots: readonly string[], members: ReadonlyMap<string, MemberInfo>): { nodes: GraphNode[]; edges: Edge[] } {
  const nodes: GraphNode[] = [];
  const edges: Edge[] = [];
  const perDepth = new Map<number, GraphNode[]>();
  walk(roots, members, (m, depth) => {
    const level = perDepth.get(depth) ?? [];
    perDepth.set(depth, level);
    const node: GraphNode = {
      id: m.processid,
      data: { label: m.nodename },
      position: { x: level.length * (BOX_WIDTH + PADDING), y: depth * ROW_HEIGHT },
      type: m.parents.length === 0 ? 'input' : m.children.length === 0 ? 'output' : '',
      style: { color: '', background: BACKGROUND[m.state] ?? BACKGROUND[WAITING] },
    };
    level.push(node);
    nodes.push(node);
    for (const c of m.children) edges.push({ id: `${m.processid}-${c}`, source: m.processid, target: c, animated: m.state === RUNNING });
  });
  // Centre every level on the widest one.
  let maxWidth = 0;
  for (const level of perDepth.values()) maxWidth = Math.max(maxWidth, levelWidth(level.length));
  for (const level of perDepth.values()) {
    const width = levelWidth(level.length);
    if (width >= maxWidth) continue;
    const shift = Math.trunc(maxWidth / 2) - Math.trunc(width / 2);
    for (const n of level) n.position.x += shift;
  }
  return { nodes, edges };
}
