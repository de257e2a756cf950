// FunctionSpec normalisation (OBJECTS.md §7, SEMANTICS.md §4.1): what the Go server stores
// and replies after a submit, plus the matching columns the assignment statement uses.
import type { FunctionSpec } from '../protocol/objects.js';
import { formatCpu, formatMemory, parseCpu, parseMemory } from './resources.js';

export const MIN_PRIORITY = -50_000;
export const MAX_PRIORITY = 50_000;
/** One priority step moves a process one day earlier in the queue. */
export const PRIORITY_STEP_NS = 86_400n * 1_000_000_000n;
/** nodes / processes / processespernode above this are never assigned (Go quirk). */
export const MAX_NODES = 127;

/** The spec as stored and replied (Go order), without `env`: that is rebuilt from ENV attributes. */
export interface StoredSpec {
  nodename: string;
  funcname: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  priority: number;
  maxwaittime: number;
  maxexectime: number;
  maxretries: number;
  conditions: StoredConditions;
  label: string;
  fs: FunctionSpec['fs'];
  channels?: string[];
}

export interface StoredConditions {
  colonyname: string;
  executornames: string[] | null;
  executortype: string;
  locationname?: string;
  dependencies: string[];
  nodes: number;
  cpu: string;
  processes: number;
  processespernode: number;
  mem: string;
  storage: string;
  gpu: { name: string; mem: string; count: number; nodecount: number };
  walltime: bigint | number;
}

/** Copies of spec fields the queue needs as plain columns. */
export interface MatchColumns {
  colonyname: string;
  executortype: string;
  /** null = any executor of the type (absent, [] or containing "*") */
  executornames: string[] | null;
  /** lower-cased; '' = any location */
  locationname: string;
  /** millicores */
  cpu: bigint;
  /** bytes */
  mem: bigint;
  oversized: boolean;
}

export interface NormalisedSpec {
  spec: StoredSpec;
  match: MatchColumns;
  env: Record<string, string>;
}

export function priorityInRange(priority: number): boolean {
  return priority >= MIN_PRIORITY && priority <= MAX_PRIORITY;
}

/** prioritytime = submission ns − priority × one day (smaller = handed out first). */
export function priorityTime(nowNs: bigint, priority: number): bigint {
  return nowNs - BigInt(priority) * PRIORITY_STEP_NS;
}

/** Normalises a submitted spec; throws 400 for unparsable cpu/mem/storage/gpu.mem. */
export function normaliseSpec(s: FunctionSpec): NormalisedSpec {
  const c = s.conditions;
  const cpu = parseCpu(c.cpu);
  const mem = parseMemory(c.mem);
  const storage = parseMemory(c.storage);
  const gpuMem = parseMemory(c.gpu.mem);
  // Go returns ["*"] as [] and keeps null for an absent list.
  const names = c.executornames === null ? null : c.executornames.length === 1 && c.executornames[0] === '*' ? [] : c.executornames;
  const conditions: StoredConditions = {
    colonyname: c.colonyname,
    executornames: names,
    executortype: c.executortype,
    ...(c.locationname ? { locationname: c.locationname } : {}),
    dependencies: c.dependencies ?? [],
    nodes: c.nodes,
    cpu: formatCpu(cpu),
    processes: c.processes,
    processespernode: c.processespernode,
    mem: formatMemory(mem),
    storage: formatMemory(storage),
    gpu: { name: c.gpu.name, mem: formatMemory(gpuMem), count: c.gpu.count, nodecount: c.gpu.nodecount },
    walltime: c.walltime,
  };
  const spec: StoredSpec = {
    nodename: s.nodename,
    funcname: s.funcname,
    args: s.args ?? [],
    kwargs: s.kwargs ?? {},
    priority: s.priority,
    maxwaittime: s.maxwaittime,
    maxexectime: s.maxexectime,
    maxretries: s.maxretries,
    conditions,
    label: s.label,
    fs: s.fs,
    ...(s.channels && s.channels.length ? { channels: s.channels } : {}),
  };
  const anyName = names === null || names.length === 0 || names.includes('*');
  return {
    spec,
    match: {
      colonyname: c.colonyname,
      executortype: c.executortype,
      executornames: anyName ? null : names,
      locationname: (c.locationname ?? '').toLowerCase(),
      cpu,
      mem,
      oversized: c.nodes > MAX_NODES || c.processes > MAX_NODES || c.processespernode > MAX_NODES,
    },
    env: s.env ?? {},
  };
}

/**
 * Whether a WAITING event for this process must wake every parked executor of the type
 * rather than one: only some executors can take it (names, location, cpu/mem limits), so the
 * one woken might not be able to.
 */
export function isTargeted(m: Pick<MatchColumns, 'executornames' | 'locationname' | 'cpu' | 'mem'>): boolean {
  return m.executornames !== null || m.locationname !== '' || m.cpu > 0n || m.mem > 0n;
}
