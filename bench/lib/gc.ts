// The server's garbage-collection pauses, read from `node --trace-gc` on the server child's
// stdout. A pause stops the server's only JS thread: every request in flight waits for it, so a
// run's latency tail (wake-up p99, assign p99) is compared against the longest pauses of the
// same run. Each line V8 prints names the collector and its pause, e.g.
//   [123:0x5d2e] 4304 ms: Scavenge 41.7 (73.6) -> 19.4 (62.4) MB, 8.68 / 0.04 ms  (...) allocation failure;
// where 8.68 ms is the pause on the main thread (the second figure is external-callback time),
// and 41.7 -> 19.4 MB the heap's used size before and after. What the server allocated between two
// collections is the first one's "before" less the previous one's "after": summed over a run, the
// server's allocation, which unlike CPU time hardly depends on what else the machine is doing.
import { round } from './stats.js';

export interface GcPause {
  /** Scavenge, Mark-Compact, Minor Mark-Sweep, ... as V8 names it */
  kind: string;
  ms: number;
  /** heap used before and after, MB */
  before: number;
  after: number;
}

const LINE = /\d+ ms: ([A-Z][A-Za-z-]*(?: [A-Z][A-Za-z-]*)*) ([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB, ([\d.]+) \/ [\d.]+ ms/;

/** The pause a `--trace-gc` line reports, or null for any other line. */
export function parseGcLine(line: string): GcPause | null {
  const m = LINE.exec(line);
  return m ? { kind: m[1], ms: Number(m[4]), before: Number(m[2]), after: Number(m[3]) } : null;
}

/** Pauses seen so far; `mark()` and `summary(mark)` give the pauses of one run. */
export class GcLog {
  private readonly pauses: GcPause[] = [];
  private partial = '';

  /** Feeds raw stdout; lines may arrive split across chunks. */
  feed(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) {
      const p = parseGcLine(l);
      if (p) this.pauses.push(p);
    }
  }

  mark(): number {
    return this.pauses.length;
  }

  /**
   * Count, total and longest pause since `mark`, all collectors together and the young
   * generation's apart, and what was allocated from the last collection before `mark` to the
   * last one seen (none before: from an empty heap).
   */
  summary(mark = 0): Record<string, number> {
    const ps = this.pauses.slice(mark);
    let allocated = 0;
    let prevAfter = mark > 0 ? this.pauses[mark - 1].after : 0;
    for (const p of ps) {
      allocated += Math.max(0, p.before - prevAfter);
      prevAfter = p.after;
    }
    const young = ps.filter((p) => p.kind === 'Scavenge' || p.kind.startsWith('Minor'));
    const sum = (xs: GcPause[]) => round(xs.reduce((s, p) => s + p.ms, 0), 1);
    const max = (xs: GcPause[]) => round(xs.reduce((m, p) => Math.max(m, p.ms), 0), 2);
    return {
      server_gc_pauses: ps.length,
      server_gc_pause_total_ms: sum(ps),
      server_gc_pause_max_ms: max(ps),
      server_gc_pauses_over_10ms: ps.filter((p) => p.ms > 10).length,
      server_gc_young_max_ms: max(young),
      server_gc_allocated_mb: round(allocated, 1),
    };
  }
}
