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

/**
 * utime+stime per pid of the processes named postgres (backends come and go). With `clientPid`,
 * only the backends serving that process's connections (matched by the client port in the
 * backend's title, "postgres: … 127.0.0.1(54321) …") and the shared auxiliary processes (WAL
 * writer, checkpointer, …) count: other clients of the same PostgreSQL are left out.
 */
export function postgresCpu(clientPid?: number): Map<number, number> {
  const ours = clientPid ? localPorts(clientPid) : undefined;
  const out = new Map<number, number>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  for (const pid of pids) {
    if (commOf(pid) !== 'postgres') continue;
    if (ours) {
      let title = '';
      try {
        title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      const port = /\((\d+)\)/.exec(title);
      if (port && !ours.has(Number(port[1]))) continue; // another client's backend
    }
    const s = procCpuSeconds(Number(pid));
    if (Number.isFinite(s)) out.set(Number(pid), s);
  }
  return out;
}

/**
 * CPU seconds PostgreSQL spent between two snapshots: per pid, so that a backend which exits
 * does not make the sum go down (its time since the first snapshot is lost, a small error).
 */
function postgresDelta(a: Map<number, number>, b: Map<number, number>): number {
  if (b.size === 0) return NaN;
  let sum = 0;
  for (const [pid, s] of b) sum += s - (a.get(pid) ?? 0);
  return sum;
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
  postgres: Map<number, number>;
}

export interface CpuShare {
  /** percent of one core over the window */
  client: number;
  server: number;
  postgres: number;
  wallS: number;
}

export function cpuSnapshot(serverPid: number | undefined): CpuSnapshot {
  const u = process.cpuUsage(); // whole process: includes the worker threads
  return {
    t: performance.now(),
    client: (u.user + u.system) / 1e6,
    server: serverPid ? procCpuSeconds(serverPid) : NaN,
    postgres: postgresCpu(serverPid),
  };
}

export function cpuShare(a: CpuSnapshot, b: CpuSnapshot): CpuShare {
  const wallS = (b.t - a.t) / 1000;
  const pct = (x: number, y: number) => (wallS > 0 ? ((y - x) / wallS) * 100 : NaN);
  const pg = postgresDelta(a.postgres, b.postgres);
  return { client: pct(a.client, b.client), server: pct(a.server, b.server), postgres: wallS > 0 ? (pg / wallS) * 100 : NaN, wallS };
}
