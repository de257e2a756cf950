// The runner's PostgreSQL CPU total (bench/lib/resources.ts): backends come and go during a run,
// and one that exits must keep the time it was last seen with. Fed readings by hand.
import { describe, expect, it } from 'vitest';
import { CpuTotal } from '../../bench/lib/resources.js';

function fed(...readings: [number, number][][]): { total: CpuTotal; next: () => number } {
  let i = 0;
  const total = new CpuTotal(() => new Map(readings[Math.min(i, readings.length - 1)]), 60_000);
  return {
    total,
    next: () => {
      const s = total.sample();
      i++;
      return s;
    },
  };
}

describe('CpuTotal', () => {
  it('keeps the time of a process that exited, counts a new one from its start, and a reused pid as new', () => {
    const { total, next } = fed(
      [[1, 10], [2, 5]], // start
      [[1, 12], [2, 6]],
      [[2, 7], [3, 1]], // 1 exited (after 12 s), 3 started
      [[2, 8], [3, 0.5]], // pid 3 reused by a process with 0.5 s so far
    );
    const start = next();
    expect(start).toBe(15);
    expect(next() - start).toBe(3);
    // before: a delta between the first and last snapshots alone lost pid 1's 2 s
    expect(next() - start).toBe(2 + 2 + 1);
    expect(next() - start).toBe(2 + 3 + 1 + 0.5);
    total.stop();
  });

  it('is NaN until a process was seen', () => {
    const { total, next } = fed([], [[7, 1]], []);
    expect(next()).toBeNaN();
    expect(next()).toBe(1);
    expect(next()).toBe(1); // exited, its time kept
    total.stop();
  });
});
