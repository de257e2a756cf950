// Reads a V8 .cpuprofile (node --cpu-prof) and ranks where the time went: self time per
// function and per package/area, which is what a flame graph's widest bars show.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './paths.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileRow {
  name: string;
  where: string;
  selfMs: number;
  pct: number;
}

function shortUrl(url: string): string {
  if (!url) return '';
  let p = url;
  if (url.startsWith('file://')) {
    try {
      p = relative(repoRoot, fileURLToPath(url));
    } catch {
      p = url;
    }
  }
  return p;
}

/** The package or project area a frame belongs to (node_modules/<pkg>, src/<area>, node:internal, V8). */
export function areaOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native/V8)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const p = shortUrl(url);
  const m = /^(?:dist\/)?(src\/[^/]+|bench)/.exec(p);
  return m ? m[1] : p;
}

/**
 * Node's bindings that make a system call (socket and file writes and reads). On some virtual
 * machines a profiling signal reaches a running thread only when it next enters the kernel, so
 * samples pile up on these: on the PVM guest of the ninth round, a loop that spent 12 % of its
 * time (by the clock around each call) in a write to /dev/null had 35 % of the samples there.
 */
const SYSCALL_BINDINGS = new Set(['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString', 'writeUcs2String', 'read', 'fsync', 'fdatasync']);

export interface ProfileSummary {
  /** sampled wall time of the main thread */
  totalMs: number;
  /** of which the event loop was idle */
  idleMs: number;
  /** rows are ranked by self time; pct is of the busy (non-idle) time */
  functions: ProfileRow[];
  areas: ProfileRow[];
  /** busy time sampled in system-call bindings (see SYSCALL_BINDINGS) */
  syscallMs: number;
}

export function summarizeProfile(file: string, top = 25): ProfileSummary {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i + 1] ?? prof.timeDeltas[i] ?? 0;
    self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + dt);
  }
  let total = 0;
  let idle = 0;
  let syscall = 0;
  const fn = new Map<string, ProfileRow>();
  const area = new Map<string, ProfileRow>();
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const name = functionName || '(anonymous)';
    total += us;
    if (name === '(idle)') {
      idle += us;
      continue;
    }
    if (!url && SYSCALL_BINDINGS.has(name)) syscall += us;
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${name}\u0000${where}`;
    const r = fn.get(key) ?? { name, where, selfMs: 0, pct: 0 };
    r.selfMs += us / 1000;
    fn.set(key, r);
    const a = areaOf(url, name);
    const ar = area.get(a) ?? { name: a, where: '', selfMs: 0, pct: 0 };
    ar.selfMs += us / 1000;
    area.set(a, ar);
  }
  const busyMs = (total - idle) / 1000;
  const rank = (m: Map<string, ProfileRow>) =>
    [...m.values()]
      .map((r) => ({ ...r, selfMs: Math.round(r.selfMs), pct: Math.round((r.selfMs / busyMs) * 1000) / 10 }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top);
  return { totalMs: Math.round(total / 1000), idleMs: Math.round(idle / 1000), functions: rank(fn), areas: rank(area), syscallMs: Math.round(syscall / 1000) };
}

export function formatProfile(file: string, top = 25): string {
  const s = summarizeProfile(file, top);
  const out = [
    `profile ${file}: ${s.totalMs} ms sampled, ${s.idleMs} ms idle; percentages are of the ${s.totalMs - s.idleMs} ms busy`,
    '',
    'self time by area:',
  ];
  for (const a of s.areas) out.push(`  ${String(a.pct).padStart(5)}%  ${String(a.selfMs).padStart(7)} ms  ${a.name}`);
  out.push('', `top ${top} functions by self time:`);
  for (const f of s.functions) out.push(`  ${String(f.pct).padStart(5)}%  ${String(f.selfMs).padStart(7)} ms  ${f.name}  ${f.where}`);
  const busy = s.totalMs - s.idleMs;
  if (busy > 0 && s.syscallMs / busy >= 0.1) {
    out.push(
      '',
      `note: ${Math.round((s.syscallMs / busy) * 100)} % of the busy samples are in system-call bindings (writev, read, ...). On some virtual`,
      'machines samples pile up there (a signal reaches a thread at its next system call); check the',
      "kernel's real share with `perf` or `vmstat` before optimising writes (bench/RESULTS.md, ninth round).",
    );
  }
  return out.join('\n');
}
