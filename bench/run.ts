/**
 * The Colonies benchmark runner (`npm run bench -- <mode> [options]`, or node dist/bench/run.js).
 *
 * Modes: throughput | wakeup | reads | scale | soak (see bench/README.md).
 * By default it starts our server as a child process on PostgreSQL (a fresh schema, dropped
 * afterwards); `--target host:port --server-prvkey <key>` measures any server speaking the
 * protocol, `--compare A B` alternates two targets and prints ratios.
 */
import { Command, Option } from 'commander';
import { mkdirSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { MODES, resolveOptions, runMode, warmup, type Mode, type ModeOptions } from './modes/index.js';
import { repoRoot } from './lib/paths.js';
import { formatProfile } from './lib/profile.js';
import { machine, medians, table, type TargetRuns } from './lib/report.js';
import { openTarget, type Target, type TargetOptions } from './lib/target.js';

const ints = (v: string) => v.split(',').map((x) => parseInt(x.replace(/_/g, ''), 10));
const int = (v: string) => parseInt(v.replace(/_/g, ''), 10);
const log = (line: string) => process.stderr.write(`${line}\n`);

const program = new Command()
  .name('bench')
  .argument('<mode>', `one of ${MODES.join(', ')}`)
  .option('--target <host:port|self>', 'server to measure', 'self')
  .option('--compare <targets...>', 'two targets (self, self:pglite, self:postgres or host:port), alternated run by run')
  .addOption(new Option('--db <kind>', 'database of a self-started server').choices(['postgres', 'pglite']).default('postgres'))
  .option('--db-url <url>', 'PostgreSQL for a self-started server', process.env.COLONIES_DB_URL || 'postgres://postgres@127.0.0.1:5432/test')
  .option('--data-dir <dir>', 'PGlite folder of a self-started server (default: a temp folder; memory:// allowed)')
  .option('--server-prvkey <hex>', 'server owner private key of a host:port target')
  .option('--target-db-url <url>', 'database of a host:port target (scale pre-fill, verification)')
  .option('--target-db-schema <name>', 'schema in --target-db-url')
  .addOption(new Option('--server-entry <entry>', 'how to start our server').choices(['auto', 'cli', 'bench']).default('auto'))
  .option('--cpu-prof [dir]', 'run the server child with --cpu-prof, profiles into dir (default bench/profiles/<time>)')
  .option('--gc', "run the server child with --trace-gc and report its GC pauses per run (server_gc_*)")
  .option('--server-node-args <args>', 'more node arguments for a self-started server, space-separated (e.g. "--max-semi-space-size=32")')
  .option('-r, --runs <n>', 'measured runs (medians are reported)', int)
  .option('-w, --warmup <n>', 'processes of an unreported warm-up run per target', int, 500)
  .option('-n, --processes <n>', 'processes per run (throughput, wakeup, scale per level; reads: how many to read from)', int)
  .option('-k, --executors <list>', 'executors; a list (1,4,16) sweeps throughput', ints)
  .option('-c, --inflight <n>', 'requests in flight (submitters, readers)', int)
  .option('--submit-threads <n>', 'submitter threads', int)
  .option('--executor-threads <n>', 'threads the executors are spread over (default: one per core, at most one per executor)', int)
  .option('--threads <n>', 'reader threads', int)
  .option('--rate <n>', 'submits per second (wakeup; soak: 0 = unlimited)', int)
  .option('--seconds <n>', 'duration (reads: per operation; soak: total)', int)
  .option('--interval <n>', 'soak reporting interval, seconds', int)
  .option('--levels <list>', 'scale: table sizes', ints)
  .option('--list-count <n>', 'reads: count of getprocessesmsg', int)
  .option('--assign-timeout <n>', 'long-poll seconds of assign', int)
  .option('--max-backlog <n>', 'soak: submitting pauses while more processes than this wait (default 1000)', int)
  .option('--workflows <n>', 'scale: two-step workflows run through per level (default 20)', int)
  .option('--json', 'print only the JSON line on stdout');

program.parse();
const [modeArg] = program.args;
const opts = program.opts();
if (!(MODES as readonly string[]).includes(modeArg)) {
  console.error(`unknown mode "${modeArg}"; modes: ${MODES.join(', ')}`);
  process.exit(2);
}
const mode = modeArg as Mode;
const runs: number = opts.runs ?? (mode === 'scale' || mode === 'soak' ? 1 : 3);
const modeOpts: ModeOptions = {
  processes: opts.processes,
  executors: opts.executors,
  inflight: opts.inflight,
  submitThreads: opts.submitThreads,
  executorThreads: opts.executorThreads,
  threads: opts.threads,
  rate: opts.rate,
  seconds: opts.seconds,
  interval: opts.interval,
  levels: opts.levels,
  listCount: opts.listCount,
  assignTimeout: opts.assignTimeout,
  maxBacklog: opts.maxBacklog,
  workflows: opts.workflows,
  log,
};
const resolved = resolveOptions(mode, modeOpts);

let profDir: string | undefined;
if (opts.cpuProf) {
  profDir = resolve(typeof opts.cpuProf === 'string' ? opts.cpuProf : join(repoRoot, 'bench', 'profiles', new Date().toISOString().replace(/[:.]/g, '-')));
  mkdirSync(profDir, { recursive: true });
}

function targetOptions(spec: string): TargetOptions {
  const self = /^self(?::(postgres|pglite))?$/.exec(spec);
  return {
    spec: self ? 'self' : spec,
    db: (self?.[1] as 'postgres' | 'pglite' | undefined) ?? opts.db,
    dbUrl: opts.dbUrl,
    dataDir: opts.dataDir,
    serverPrvkey: opts.serverPrvkey,
    targetDbUrl: opts.targetDbUrl,
    targetDbSchema: opts.targetDbSchema,
    cpuProfDir: profDir,
    serverGc: Boolean(opts.gc),
    serverNodeArgs: typeof opts.serverNodeArgs === 'string' ? opts.serverNodeArgs.split(/\s+/).filter(Boolean) : undefined,
    serverEntry: opts.serverEntry,
    log,
  };
}

const specs: string[] = opts.compare ?? [opts.target];
if (specs.length < 1 || specs.length > 2) {
  console.error('--compare takes exactly two targets');
  process.exit(2);
}

const targets: Target[] = [];
const results: TargetRuns[] = [];
let failed = false;
try {
  for (const s of specs) {
    const t = await openTarget(targetOptions(s));
    targets.push(t);
    results.push({ label: specs.length === 2 && specs[0] === specs[1] ? `${t.label}#${targets.length}` : t.label, dbKind: t.dbKind, runs: [] });
    log(`target ${t.label}: ${t.address}${t.serverPid ? ` (server pid ${t.serverPid}, started by ${t.entry === 'cli' ? 'the CLI' : 'bench/server-main'})` : ''}`);
  }
  log(`${mode}: ${JSON.stringify(resolved)}, runs ${runs}`);
  for (const t of targets) {
    if (opts.warmup > 0 && mode !== 'soak') {
      log(`warm-up on ${t.label} (${opts.warmup} processes)`);
      await warmup(mode, t, opts.warmup, modeOpts);
    }
  }
  for (let r = 0; r < runs; r++) {
    // ABBA order when comparing, so that drift (caches, table growth) hits both sides alike
    const order = targets.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) {
      const gcMark = targets[i].gc?.mark();
      const res = await runMode(mode, targets[i], modeOpts);
      // the pauses of this run (its setup included), read from the child's --trace-gc lines
      if (targets[i].gc) Object.assign(res.metrics, targets[i].gc!.summary(gcMark));
      // other work on the machine skews every figure: keep the load next to them
      res.metrics.loadavg_1m = Math.round(loadavg()[0] * 100) / 100;
      results[i].runs.push(res);
      const headline = Object.entries(res.metrics).slice(0, 4).map(([k, v]) => `${k}=${v}`).join(' ');
      log(`run ${r + 1}/${runs} ${results[i].label}: ${headline} | check ${res.check?.ok ? 'ok' : 'FAILED'}`);
      for (const p of res.check?.problems ?? []) log(`  problem: ${p}`);
      for (const n of res.check?.notes ?? []) log(`  note: ${n}`);
      if (res.check && !res.check.ok) failed = true;
    }
  }
} finally {
  for (const t of targets) await t.stop().catch((e) => log(`stopping ${t.label}: ${(e as Error).message}`));
}

const m = machine();
if (!opts.json) {
  console.log(`\n${mode} — ${m.nproc} × ${m.cpu}, node ${m.node}, commit ${String(m.commit).slice(0, 12)}; medians of ${runs} run(s)`);
  console.log(`options: ${JSON.stringify(resolved)}`);
  for (const t of results) for (const [i, r] of t.runs.entries()) if (r.lines?.length) console.log(`\n${t.label} run ${i + 1}:\n${r.lines.join('\n')}`);
  console.log(`\n${table(results)}`);
  console.log(`\ncorrectness: ${failed ? 'FAILED' : 'every run passed'} (${results.flatMap((t) => t.runs).length} runs checked)`);
}
if (profDir) {
  const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
  for (const f of files) if (!opts.json) console.log(`\n${formatProfile(join(profDir, f), 25)}`);
  if (!files.length) log(`no profile was written to ${profDir}`);
}
console.log(
  JSON.stringify({
    bench: 'colonies',
    mode,
    options: resolved,
    runs,
    machine: m,
    targets: results.map((t) => ({
      label: t.label,
      db: t.dbKind,
      entry: targets[results.indexOf(t)]?.entry,
      median: medians(t.runs),
      runs: t.runs.map((r) => r.metrics),
      checks: t.runs.map((r) => ({ ok: r.check?.ok ?? true, problems: r.check?.problems ?? [] })),
    })),
    ...(results.length === 2 ? { ratio: ratio(medians(results[0].runs), medians(results[1].runs)) } : {}),
    ok: !failed,
    profile_dir: profDir,
  }),
);
process.exit(failed ? 1 : 0);

function ratio(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(a)) if (a[k] > 0 && b[k] !== undefined) out[k] = Math.round((b[k] / a[k]) * 1000) / 1000;
  return out;
}
