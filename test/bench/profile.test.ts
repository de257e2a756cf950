// The profile summary of `bench/profile.js`: self time per function and area from a V8
// .cpuprofile, idle time apart, and the warning when system-call bindings hold many samples.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../bench/lib/paths.js';
import { formatProfile, summarizeProfile } from '../../bench/lib/profile.js';

const dir = mkdtempSync(join(tmpdir(), 'colonies-prof-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const frame = (functionName: string, url = '') => ({ functionName, url, scriptId: '0', lineNumber: 0, columnNumber: 0 });

/** A profile whose samples (1 ms each) land on `counts` nodes: name -> samples. */
function profile(counts: Record<string, number>): string {
  const names = Object.keys(counts);
  const url = (n: string) => (n === 'handler' ? pathToFileURL(join(repoRoot, 'dist/src/server/handler.js')).href : '');
  const nodes = [{ id: 1, callFrame: frame('(root)'), children: names.map((_, i) => i + 2) }, ...names.map((n, i) => ({ id: i + 2, callFrame: frame(n, url(n)) }))];
  const samples = names.flatMap((n, i) => Array<number>(counts[n]).fill(i + 2));
  const file = join(dir, `p${Math.random().toString(36).slice(2)}.cpuprofile`);
  writeFileSync(file, JSON.stringify({ nodes, samples, timeDeltas: samples.map(() => 1000), startTime: 0, endTime: samples.length * 1000 }));
  return file;
}

describe('bench profile summary', () => {
  it('ranks self time, keeps idle apart and counts the system-call bindings', () => {
    const s = summarizeProfile(profile({ handler: 60, writev: 30, '(idle)': 50, '(garbage collector)': 10 }));
    expect(s.totalMs).toBe(150);
    expect(s.idleMs).toBe(50);
    expect(s.syscallMs).toBe(30);
    expect(s.functions.map((f) => [f.name, f.pct])).toEqual([
      ['handler', 60],
      ['writev', 30],
      ['(garbage collector)', 10],
    ]);
    expect(s.areas.find((a) => a.name === 'src/server')?.selfMs).toBe(60);
  });

  it('warns when system-call bindings hold a tenth of the busy samples or more, and not below', () => {
    expect(formatProfile(profile({ handler: 70, writev: 20, read: 10 }))).toContain('note: 30 % of the busy samples are in system-call bindings');
    expect(formatProfile(profile({ handler: 95, writev: 5 }))).not.toContain('system-call bindings');
  });
});
