// Statements that take a batch as arrays (unnest($1::text[], ...)) name the batch size in their
// text (LIMIT n), so that PostgreSQL's plan cache can keep one generic plan per size. With the
// size unknown, the generic plan of unnest($1) assumes 10 rows and costs more than a custom
// plan for 1 row, so every execution was planned anew: that planning was a fifth of
// PostgreSQL's CPU under load (perf, bench/RESULTS.md). The size is rounded up to a power of
// two and the arrays are padded to it with values that match no row: each connection then
// prepares, and makes its 5 trial custom plans for, at most 7 texts per statement instead of 64.
// (A batch of 5 under LIMIT 8 without padding kept being planned anew: a custom plan counts the
// 5 elements and always looks cheaper than the generic one.)

/** Batches up to this size get a sized text (the Batcher's batch limit); larger ones share one unsized text. */
export const MAX_SIZED = 64;

/** The statement size for a batch of n: the next power of two, or 0 (unsized) beyond MAX_SIZED. */
export function batchStatementSize(n: number): number {
  if (n > MAX_SIZED) return 0;
  let size = 1;
  while (size < n) size *= 2;
  return size;
}

/** `a` padded with `v` up to `size` (unchanged when it is already that long, or size is 0). */
export function padTo<T>(a: T[], size: number, v: T): T[] {
  return size > a.length ? a.concat(Array<T>(size - a.length).fill(v)) : a;
}

/** `LIMIT n` for a sized statement, nothing for the unsized one. */
export const sizeLimit = (size: number): string => (size > 0 ? ` LIMIT ${size}` : '');
