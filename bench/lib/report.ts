// Output: a table for people (medians over the runs, per target, ratio when comparing) and one
// JSON line for machines.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { RunResult } from './result.js';
import { median, round } from './stats.js';
import { repoRoot } from './paths.js';

export interface TargetRuns {
  label: string;
  dbKind: string;
  runs: RunResult[];
}

export function medians(runs: RunResult[]): Record<string, number> {
  const keys = metricKeys(runs);
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = round(median(runs.map((r) => r.metrics[k]).filter((v) => v !== undefined)), 3);
  return out;
}

function metricKeys(runs: RunResult[]): string[] {
  const keys: string[] = [];
  for (const r of runs) for (const k of Object.keys(r.metrics)) if (!keys.includes(k)) keys.push(k);
  return keys;
}

const fmt = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '-' : String(v));

/** "k/n": of the n runs taken side by side, k differ in the direction of the medians (b vs a). */
export function pairsAgreeing(aRuns: { metrics: Record<string, number> }[], bRuns: { metrics: Record<string, number> }[], k: string, a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || a === b) return '-';
  const up = b > a;
  let n = 0;
  let agree = 0;
  for (let i = 0; i < Math.min(aRuns.length, bRuns.length); i++) {
    const x = aRuns[i].metrics[k];
    const y = bRuns[i].metrics[k];
    if (x === undefined || y === undefined) continue;
    n++;
    if (up ? y > x : y < x) agree++;
  }
  return n > 0 ? `${agree}/${n}` : '-';
}

export function table(targets: TargetRuns[]): string {
  const allRuns = targets.flatMap((t) => t.runs);
  const keys = metricKeys(allRuns);
  const meds = targets.map((t) => medians(t.runs));
  const head = ['metric'];
  for (const t of targets) head.push(`${t.label} median`, `${t.label} runs`);
  // Runs i of two targets were taken next to each other (the runner alternates them): how many
  // of those pairs went the way the medians did. On a drifting machine a ratio of medians means
  // little unless (nearly) every pair agrees.
  if (targets.length === 2) head.push(`${targets[1].label} / ${targets[0].label}`, 'pairs agreeing');
  const rows: string[][] = [head];
  for (const k of keys) {
    const row = [k];
    targets.forEach((t, i) => {
      row.push(fmt(meds[i][k]));
      row.push(t.runs.map((r) => fmt(r.metrics[k])).join(' '));
    });
    if (targets.length === 2) {
      const a = meds[0][k];
      const b = meds[1][k];
      row.push(a > 0 && b !== undefined ? `${round(b / a, 2)}x` : '-');
      row.push(pairsAgreeing(targets[0].runs, targets[1].runs, k, a, b));
    }
    rows.push(row);
  }
  const widths = head.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r, i) => {
    const line = r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
    return i === 0 ? `${line}\n${'-'.repeat(line.length)}` : line;
  }).join('\n');
}

export function machine(): Record<string, string | number> {
  let cpuModel = cpus()[0]?.model ?? '';
  try {
    cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    /* not Linux */
  }
  let commit = '';
  let dirty = '';
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    commit = git('rev-parse', 'HEAD');
    // the build measured may include uncommitted work: say so
    dirty = git('status', '--porcelain', '--untracked-files=no', 'src') ? 'yes' : 'no';
  } catch {
    /* not a checkout */
  }
  return { nproc: cpus().length, cpu: cpuModel, node: process.version, commit, uncommitted_src_changes: dirty };
}
