// The runs of two builds of the bench, for bench/builds.ts (old vs new, alternated).
import type { TargetRuns } from './report.js';
import type { RunResult } from './result.js';

/** The runs of one build, from the JSON lines its runner printed (one per invocation). */
export function collectRuns(label: string, jsonLines: string[]): TargetRuns & { ok: boolean } {
  const runs: RunResult[] = [];
  let ok = true;
  for (const line of jsonLines) {
    const j = JSON.parse(line) as { ok: boolean; targets: { runs: Record<string, number>[] }[] };
    ok &&= j.ok;
    for (const r of j.targets[0]?.runs ?? []) runs.push({ metrics: r });
  }
  return { label, dbKind: '', runs, ok };
}
