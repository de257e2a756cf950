// CPU and memory accounting next to every figure: the client (this process, all its threads),
// the server child (by pid) and PostgreSQL (the backends of the server child's connections plus
// the shared WAL writer/checkpointer; every local postgres process for a remote target).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const TICK = 100; // USER_HZ: clock ticks per second in /proc/<pid>/stat (100 on Linux)

/** utime+stime of a pid in seconds, or NaN when it is not readable. */
export function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields after "(comm)": state(0) ... utime(11) stime(12)
    return (Number(f[11]) + Number(f[12])) / TICK;
  } catch {
    return NaN;
  }
}

function commOf(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Local TCP ports of a process's sockets (from /proc/<pid>/fd and /proc/net/tcp{,6}). */
function localPorts(pid: number): Set<number> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]);
      } catch {
        /* fd closed meanwhile */
      }
    }
  } catch {
    return new Set();
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && inodes.has(f[9])) ports.add(parseInt(f[1].split(':')[1], 16));
    }
  }
  return ports;
}

/** utime+stime per pid of PostgreSQL's processes: the backends, and the others (auxiliary). */
export interface PostgresCpu {
  /** backends serving connections (a client port in their title) */
  backends: Map<number, number>;
  /** WAL writer, checkpointer, autovacuum workers, postmaster, ...: shared work, not one client's */
  others: Map<number, number>;
}

/**
 * utime+stime per pid of the processes named postgres (backends come and go). With `clientPid`,
 * only the backends serving that process's connections (matched by the client port in the
 * backend's title, "postgres: … 127.0.0.1(54321) …") and the shared auxiliary processes (WAL
 * writer, checkpointer, autovacuum, …) count: other clients of the same PostgreSQL are left out.
 */
export function postgresCpu(clientPid?: number): PostgresCpu {
  const ours = clientPid ? localPorts(clientPid) : undefined;
  const out: PostgresCpu = { backends: new Map(), others: new Map() };
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  for (const pid of pids) {
    if (commOf(pid) !== 'postgres') continue;
    let title = '';
    try {
      title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const port = /\((\d+)\)/.exec(title);
    if (port && ours && !ours.has(Number(port[1]))) continue; // another client's backend
    const s = procCpuSeconds(Number(pid));
    if (Number.isFinite(s)) (port ? out.backends : out.others).set(Number(pid), s);
  }
  return out;
}

/**
 * CPU seconds of a changing set of processes (PostgreSQL backends come and go), read every
 * `everyMs`: the sum of each one's last reading. A process that exits keeps the time it was last
 * read with, so at most `everyMs` of its work is lost, where one delta between two snapshots
 * lost all of its time since the first: over a 10-minute soak, most of PostgreSQL's (6.9 %
 * against 43-57 % per 30 s interval), as the server's pool closes idle connections and opens
 * new ones. A pid whose time goes down is a new process under a reused pid.
 */
export class CpuTotal {
  private readonly last = new Map<number, number>();
  private past = 0;
  private seen = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly read: () => Map<number, number>,
    everyMs = 1000,
  ) {
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  /** Seconds so far; NaN while no process was ever seen. */
  sample(): number {
    const now = this.read();
    for (const [pid, s] of this.last) {
      const cur = now.get(pid);
      if (cur === undefined || cur < s) {
        this.past += s;
        this.last.delete(pid);
      }
    }
    for (const [pid, s] of now) this.last.set(pid, s);
    if (now.size > 0) this.seen = true;
    if (!this.seen) return NaN;
    let sum = this.past;
    for (const s of this.last.values()) sum += s;
    return sum;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

// Running totals per server child (per target for a remote one), kept while the child lives:
// its backends' and PostgreSQL's other processes', both from one scan of /proc per second.
const postgresTotals = new Map<number | undefined, { backends: CpuTotal; others: CpuTotal }>();

function postgresTotal(serverPid: number | undefined): { backends: number; others: number } {
  let totals = postgresTotals.get(serverPid);
  if (!totals) {
    let scan: PostgresCpu | undefined;
    let scannedAt = 0;
    const read = (): PostgresCpu => {
      if (!scan || performance.now() - scannedAt > 100) {
        if (serverPid !== undefined && !Number.isFinite(procCpuSeconds(serverPid))) {
          // the child is gone: nothing of it left to follow
          t.backends.stop();
          t.others.stop();
          postgresTotals.delete(serverPid);
        }
        scan = postgresCpu(serverPid);
        scannedAt = performance.now();
      }
      return scan;
    };
    const t = { backends: new CpuTotal(() => read().backends), others: new CpuTotal(() => read().others) };
    postgresTotals.set(serverPid, (totals = t));
  }
  // the backends' total reads first, so both use the same scan
  const backends = totals.backends.sample();
  const others = totals.others.sample();
  return { backends, others };
}

/** Resident set size of a pid in MB (NaN when unknown). */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export interface CpuSnapshot {
  t: number;
  client: number;
  server: number;
  /** PostgreSQL's CPU seconds so far (see CpuTotal): all of it, and its processes other than backends */
  postgres: number;
  postgresOthers: number;
}

export interface CpuShare {
  /** percent of one core over the window */
  client: number;
  server: number;
  postgres: number;
  /** of which PostgreSQL's processes other than backends (WAL writer, checkpointer, autovacuum, ...) */
  postgresOthers: number;
  wallS: number;
}

function postgresSnapshot(serverPid: number | undefined): { postgres: number; postgresOthers: number } {
  const { backends, others } = postgresTotal(serverPid);
  // no process seen at all: unknown; only one kind seen: the other one did no work
  if (Number.isNaN(backends) && Number.isNaN(others)) return { postgres: NaN, postgresOthers: NaN };
  return { postgres: (Number.isNaN(backends) ? 0 : backends) + (Number.isNaN(others) ? 0 : others), postgresOthers: Number.isNaN(others) ? 0 : others };
}

export function cpuSnapshot(serverPid: number | undefined): CpuSnapshot {
  const u = process.cpuUsage(); // whole process: includes the worker threads
  return {
    t: performance.now(),
    client: (u.user + u.system) / 1e6,
    server: serverPid ? procCpuSeconds(serverPid) : NaN,
    ...postgresSnapshot(serverPid),
  };
}

export function cpuShare(a: CpuSnapshot, b: CpuSnapshot): CpuShare {
  const wallS = (b.t - a.t) / 1000;
  const pct = (x: number, y: number) => (wallS > 0 ? ((y - x) / wallS) * 100 : NaN);
  return { client: pct(a.client, b.client), server: pct(a.server, b.server), postgres: pct(a.postgres, b.postgres), postgresOthers: pct(a.postgresOthers, b.postgresOthers), wallS };
}
