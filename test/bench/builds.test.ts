// bench/builds.ts alternates one benchmark between two builds; its summary takes the runs of
// each build from the runner's JSON lines, and the table puts the medians side by side.
import { describe, expect, it } from 'vitest';
import { collectRuns } from '../../bench/lib/builds.js';
import { medians, table } from '../../bench/lib/report.js';

const line = (ok: boolean, ...runs: Record<string, number>[]) => JSON.stringify({ bench: 'colonies', ok, targets: [{ label: 'self:postgres', runs }] });

describe('bench builds summary', () => {
  it('collects every run of every invocation, and medians per metric', () => {
    const old = collectRuns('old', [line(true, { processes_per_s: 100 }), line(true, { processes_per_s: 300 }), line(true, { processes_per_s: 200 })]);
    const cur = collectRuns('new', [line(true, { processes_per_s: 150, extra: 1 }), line(true, { processes_per_s: 450 })]);
    expect(old.runs).toHaveLength(3);
    expect(old.ok && cur.ok).toBe(true);
    expect(medians(old.runs).processes_per_s).toBe(200);
    expect(medians(cur.runs)).toEqual({ processes_per_s: 300, extra: 1 });
    const text = table([old, cur]);
    expect(text).toMatch(/processes_per_s\s+200\s+100 300 200\s+300\s+150 450\s+1\.5/);
  });

  it('is not ok when one run failed its correctness check', () => {
    expect(collectRuns('x', [line(true, { a: 1 }), line(false, { a: 2 })]).ok).toBe(false);
  });
});
