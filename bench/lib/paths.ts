// Where the bench code runs from: compiled (dist/bench/...) or TypeScript source via tsx (tests).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url)); // <root>/bench/lib or <root>/dist/bench/lib

/** True when this module is the TypeScript source (run through tsx / vitest). */
export const isTs = import.meta.url.endsWith('.ts');
export const benchDir = dirname(here);
export const repoRoot = isTs ? dirname(benchDir) : dirname(dirname(benchDir));
/** File extension of sibling modules (".ts" from source, ".js" when compiled). */
export const ext = isTs ? '.ts' : '.js';

/** node arguments needed to run a bench module in a child process or worker thread. */
export const tsExecArgv: string[] = isTs ? ['--import', 'tsx'] : [];

/** Absolute path of a module inside bench/ (e.g. "worker" → bench/worker.ts or dist/bench/worker.js). */
export function benchModule(name: string): string {
  return join(benchDir, `${name}${ext}`);
}

/** The compiled CLI entry, if it has been built. */
export function cliMain(): string | undefined {
  const p = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
  return existsSync(p) ? p : undefined;
}
