// Generator rules without I/O (SEMANTICS §9): when queued args spawn workflows, and how the
// consumed args become the root nodes' arguments.
import type { FunctionSpec } from '../protocol/objects.js';

const SECOND_NS = 1_000_000_000n;

export interface GeneratorTiming {
  trigger: number;
  /** seconds; > 0 flushes a partial batch this long after the last run (or the first pack) */
  timeout: number;
  /** ns, 0n = never */
  lastrun: bigint;
  /** ns, 0n = never packed */
  firstpack: bigint;
}

/**
 * Sizes of the workflows to spawn for `queued` pending args: ⌊queued/trigger⌋ full batches,
 * or else one batch of everything once the timeout has passed. Like the original, the
 * timeout compares whole Unix seconds. `trigger` is always > 0 (addgenerator refuses ≤ 0).
 */
export function batchSizes(g: GeneratorTiming, queued: number, nowNs: bigint): number[] {
  if (g.trigger <= 0 || queued <= 0) return [];
  if (queued >= g.trigger) return Array.from({ length: Math.floor(queued / g.trigger) }, () => g.trigger);
  if (g.timeout <= 0) return [];
  const from = g.lastrun > 0n ? g.lastrun : g.firstpack;
  if (from <= 0n) return [];
  const deadlineS = (from + BigInt(g.timeout) * SECOND_NS) / SECOND_NS;
  return nowNs / SECOND_NS > deadlineS ? [queued] : [];
}

/** Root nodes (no dependencies) get `args` := the consumed args and `kwargs` := {}; others are untouched. */
export function withRootArgs(specs: readonly FunctionSpec[], args: readonly string[]): FunctionSpec[] {
  if (args.length === 0) return [...specs];
  return specs.map((s) =>
    (s.conditions.dependencies ?? []).length === 0 ? { ...s, args: [...args], kwargs: {} } : s,
  );
}
