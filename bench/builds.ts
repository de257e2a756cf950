// Alternates one benchmark between two builds of this project: an older checkout (built, with
// its own dist/) and this one. On a machine whose speed drifts, a figure is only worth
// comparing with the one taken right next to it, so the runs go old, new, old, new, ... (one
// run each per round) and the table shows both medians and new / old.
//
//   node dist/bench/builds.js <old-checkout> [--rounds N] -- <mode> [bench options]
//
// Exit code 1 when any run's correctness check failed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './lib/paths.js';
import { collectRuns } from './lib/builds.js';
import { table } from './lib/report.js';

function runOnce(dir: string, args: string[]): string {
  const r = spawnSync(process.execPath, [join(dir, 'dist', 'bench', 'run.js'), ...args, '-r', '1', '--json'], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (!line.startsWith('{')) throw new Error(`no JSON from the bench in ${dir} (exit ${r.status})`);
  return line;
}

function main(argv: string[]): number {
  const sep = argv.indexOf('--');
  const own = sep < 0 ? argv : argv.slice(0, sep);
  const benchArgs = sep < 0 ? [] : argv.slice(sep + 1);
  const oldDir = own[0];
  const ri = own.indexOf('--rounds');
  const rounds = ri >= 0 ? Number(own[ri + 1]) : 3;
  if (!oldDir || benchArgs.length === 0 || !Number.isInteger(rounds) || rounds < 1) {
    console.error('usage: node dist/bench/builds.js <old-checkout> [--rounds N] -- <mode> [bench options]');
    return 2;
  }
  if (!existsSync(join(oldDir, 'dist', 'bench', 'run.js'))) {
    console.error(`${oldDir} has no dist/bench/run.js: run npm ci && npm run build there first`);
    return 2;
  }
  const lines: Record<'old' | 'new', string[]> = { old: [], new: [] };
  for (let i = 1; i <= rounds; i++) {
    console.error(`round ${i}/${rounds}: old`);
    lines.old.push(runOnce(oldDir, benchArgs));
    console.error(`round ${i}/${rounds}: new`);
    lines.new.push(runOnce(repoRoot, benchArgs));
  }
  const old = collectRuns('old', lines.old);
  const cur = collectRuns('new', lines.new);
  console.log(table([old, cur]));
  console.log(JSON.stringify({ bench: 'colonies-builds', args: benchArgs, rounds, old: lines.old.map((l) => JSON.parse(l)), new: lines.new.map((l) => JSON.parse(l)) }));
  return old.ok && cur.ok ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
