// A process row as read from SQL, and its rendering as the Process JSON of OBJECTS.md §8 in
// Go's field order (jsonb does not keep key order, so every nested object is rebuilt).
import type { FunctionSpec, Process } from '../protocol/objects.js';
import { formatTime } from '../protocol/time.js';
import type { StoredSpec } from '../domain/spec.js';
import { ATTRIBUTE_ENV, ATTRS_SUBQUERY, attributeToWire, type AttributeRow } from './attributes.js';

/** What the process SELECTs return (PROCESS_COLUMNS). int8 columns come back as BigInt. */
export interface ProcessRow {
  processid: string;
  colonyname: string;
  executortype: string;
  state: number;
  isassigned: boolean;
  waitforparents: boolean;
  prioritytime: bigint;
  initiatorid: string;
  initiatorname: string;
  assignedexecutorid: string;
  submissiontime: bigint;
  starttime: bigint;
  endtime: bigint;
  waitdeadline: bigint;
  execdeadline: bigint;
  retries: number;
  processgraphid: string;
  spec: StoredSpec;
  parents: string[];
  children: string[];
  input: unknown[] | null;
  output: unknown[] | null;
  errors: string[] | null;
  /** attributes in insertion order (null/absent = none) */
  attrs?: AttributeRow[] | null;
}

/** Columns of ProcessRow for a query over `processes p`, attributes included. */
export const PROCESS_COLUMNS = `p.processid, p.colonyname, p.executortype, p.state, p.isassigned, p.waitforparents,
  p.prioritytime, p.initiatorid, p.initiatorname, p.assignedexecutorid, p.submissiontime, p.starttime, p.endtime,
  p.waitdeadline, p.execdeadline, p.retries, p.processgraphid, p.spec, p.parents, p.children, p.input, p.output,
  p.errors, ${ATTRS_SUBQUERY} AS attrs`;

type Fs = FunctionSpec['fs'];
type Values = NonNullable<Process['in']>;

function fsToWire(fs: Partial<Fs> | null | undefined): Fs {
  const f = fs ?? {};
  return {
    mount: f.mount ?? '',
    snapshots:
      f.snapshots?.map((s) => ({
        snapshotid: s.snapshotid ?? '',
        label: s.label ?? '',
        dir: s.dir ?? '',
        keepfiles: s.keepfiles ?? false,
        keepsnapshot: s.keepsnapshot ?? false,
      })) ?? null,
    dirs:
      f.dirs?.map((d) => ({
        label: d.label ?? '',
        dir: d.dir ?? '',
        keepfiles: d.keepfiles ?? false,
        onconflicts: {
          onstart: { keeplocal: d.onconflicts?.onstart?.keeplocal ?? false },
          onclose: { keeplocal: d.onconflicts?.onclose?.keeplocal ?? false },
        },
      })) ?? null,
  };
}

/** The stored spec in Go order; `env` is rebuilt from the ENV attributes (keys sorted, as Go marshals maps). */
export function specToWire(s: StoredSpec, attrs: AttributeRow[] | null | undefined): FunctionSpec {
  const c = s.conditions;
  const env: Record<string, string> = {};
  if (attrs) {
    const envAttrs = attrs.filter((a) => a.attributetype === ATTRIBUTE_ENV).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const a of envAttrs) env[a.key] = a.value;
  }
  return {
    nodename: s.nodename,
    funcname: s.funcname,
    args: (s.args ?? []) as NonNullable<FunctionSpec['args']>,
    kwargs: (s.kwargs ?? {}) as NonNullable<FunctionSpec['kwargs']>,
    priority: s.priority,
    maxwaittime: s.maxwaittime,
    maxexectime: s.maxexectime,
    maxretries: s.maxretries,
    conditions: {
      colonyname: c.colonyname,
      executornames: c.executornames ?? null,
      executortype: c.executortype,
      locationname: c.locationname || undefined,
      dependencies: c.dependencies ?? [],
      nodes: c.nodes,
      cpu: c.cpu,
      processes: c.processes,
      processespernode: c.processespernode,
      mem: c.mem,
      storage: c.storage,
      gpu: { name: c.gpu.name, mem: c.gpu.mem, count: c.gpu.count, nodecount: c.gpu.nodecount },
      walltime: c.walltime as bigint,
    },
    label: s.label,
    fs: fsToWire(s.fs),
    env,
    channels: s.channels && s.channels.length ? s.channels : undefined,
  };
}

/**
 * The Process JSON object (Go field order; prioritytime stays BigInt, times RFC 3339 UTC).
 * `attributes` defaults to row.attrs; attribute states mirror `attributeState` (default: the
 * process state).
 */
export function processToWire(
  row: ProcessRow,
  attributes: AttributeRow[] | null | undefined = row.attrs,
  attributeState: number = row.state,
): Process {
  const attrs = attributes ?? [];
  return {
    processid: row.processid,
    initiatorid: row.initiatorid,
    initiatorname: row.initiatorname,
    assignedexecutorid: row.assignedexecutorid,
    isassigned: row.isassigned,
    state: row.state,
    prioritytime: BigInt(row.prioritytime),
    submissiontime: formatTime(row.submissiontime),
    starttime: formatTime(row.starttime),
    endtime: formatTime(row.endtime),
    waitdeadline: formatTime(row.waitdeadline),
    execdeadline: formatTime(row.execdeadline),
    retries: row.retries,
    attributes: attrs.map((a) => attributeToWire(row.processid, a, attributeState)),
    spec: specToWire(row.spec, attrs),
    waitforparents: row.waitforparents,
    parents: row.parents ?? [],
    children: row.children ?? [],
    processgraphid: row.processgraphid,
    in: (row.input ?? []) as Values,
    out: (row.output ?? []) as Values,
    errors: row.errors,
  };
}

/** A list reply: Go sends JSON null for an empty list. */
export function processListToWire(rows: ProcessRow[]): Process[] | null {
  return rows.length === 0 ? null : rows.map((r) => processToWire(r));
}
