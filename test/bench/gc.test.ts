// The bench's reading of the server child's `--trace-gc` lines: checked against what this Node
// prints (a child made to collect), not only against copied lines, so a format change fails here.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { GcLog, parseGcLine } from '../../bench/lib/gc.js';

describe('bench GC pauses (--trace-gc)', () => {
  it('reads the collector, the main-thread pause and the heap before and after of a line, and nothing from other lines', () => {
    expect(parseGcLine('[9:0x3170ed20]     4304 ms: Scavenge 41.7 (73.6) -> 19.4 (62.4) MB, 8.68 / 0.04 ms  (average mu = 0.998) allocation failure;')).toEqual({
      kind: 'Scavenge',
      ms: 8.68,
      before: 41.7,
      after: 19.4,
    });
    expect(
      parseGcLine('[9:0x31]   12015 ms: Mark-Compact 55.9 (87.9) -> 21.6 (75.1) MB, 4.42 / 0.03 ms  (+ 8.4 ms in 23 steps since start of marking) finalize'),
    ).toEqual({ kind: 'Mark-Compact', ms: 4.42, before: 55.9, after: 21.6 });
    expect(parseGcLine('{"level":40,"msg":"grouped assign failed"}')).toBeNull();
    expect(parseGcLine('')).toBeNull();
  });

  it('joins lines split across chunks and sums the pauses of one run from its mark', () => {
    const log = new GcLog();
    log.feed('[1:0x1] 10 ms: Scavenge 4.4 (4.5) -> 3.8 (5.5) MB, 1.95 / 0.01 ms  (x) allocation failure;\n[1:0x1] 20 ms: Scav');
    const mark = log.mark();
    expect(mark).toBe(1);
    log.feed('enge 5.4 (6.5) -> 4.8 (7.0) MB, 12.5 / 0.01 ms  (x)\nserver listening\n');
    log.feed('[1:0x1] 30 ms: Mark-Compact 16.7 (28.4) -> 12.7 (29.4) MB, 5.48 / 0.03 ms  (x)\n');
    expect(log.summary(mark)).toEqual({
      server_gc_pauses: 2,
      server_gc_pause_total_ms: 18,
      server_gc_pause_max_ms: 12.5,
      server_gc_pauses_over_10ms: 1,
      server_gc_young_max_ms: 12.5,
      // from the mark's collection (after 3.8 MB) to 5.4, then from 4.8 to 16.7
      server_gc_allocated_mb: 13.5,
    });
    expect(log.summary().server_gc_pauses).toBe(3);
  });

  it("parses every collection this Node's --trace-gc reports", () => {
    const out = execFileSync(
      process.execPath,
      ['--trace-gc', '--expose-gc', '-e', "gc(); gc({ type: 'minor' }); const a = []; for (let i = 0; i < 2e5; i++) a.push({ i }); console.log(a.length)"],
      { encoding: 'utf8' },
    );
    const lines = out.split('\n').filter((l) => l.includes(' ms: '));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const log = new GcLog();
    log.feed(out);
    const s = log.summary();
    expect(s.server_gc_pauses).toBe(lines.length);
    expect(s.server_gc_pause_max_ms).toBeGreaterThan(0);
    // the child kept 200,000 small objects: at least a few MB went through its heap
    expect(s.server_gc_allocated_mb).toBeGreaterThan(2);
    expect(lines.map(parseGcLine).map((p) => p?.kind)).toEqual(expect.arrayContaining(['Mark-Compact', 'Scavenge']));
  });
});
