// bench/builds.ts alternates one benchmark between two builds; its summary takes the runs of
// each build from the runner's JSON lines, and the table puts the medians side by side.
import { describe, expect, it } from 'vitest';
import { collectRuns } from '../../bench/lib/builds.js';
import { medians, pairsAgreeing, table } from '../../bench/lib/report.js';

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

  it('counts the side-by-side runs that differ the way the medians do', () => {
    const runs = (...v: number[]) => v.map((x) => ({ metrics: { m: x } }));
    // medians 20 -> 30: up; pairs (10,30) up, (20,15) down, (30,40) up
    expect(pairsAgreeing(runs(10, 20, 30), runs(30, 15, 40), 'm', 20, 30)).toBe('2/3');
    // down: every pair lower
    expect(pairsAgreeing(runs(10, 20, 30), runs(5, 15, 25), 'm', 20, 15)).toBe('3/3');
    // equal medians or a missing metric: no direction to agree with
    expect(pairsAgreeing(runs(1, 2), runs(2, 1), 'm', 1.5, 1.5)).toBe('-');
    expect(pairsAgreeing(runs(1), runs(2), 'other', undefined, undefined)).toBe('-');
    // uneven run counts: only the pairs that exist
    expect(pairsAgreeing(runs(1, 2, 3), runs(2, 3), 'm', 2, 2.5)).toBe('2/2');
    const old = collectRuns('old', [line(true, { processes_per_s: 100 }), line(true, { processes_per_s: 300 }), line(true, { processes_per_s: 200 })]);
    const cur = collectRuns('new', [line(true, { processes_per_s: 150 }), line(true, { processes_per_s: 250 }), line(true, { processes_per_s: 240 })]);
    expect(table([old, cur])).toMatch(/processes_per_s.*1\.2x\s+2\/3$/m);
  });

  it('is not ok when one run failed its correctness check', () => {
    expect(collectRuns('x', [line(true, { a: 1 }), line(false, { a: 2 })]).ok).toBe(false);
  });
});
