// A cron-driven job: a cron starts a one-node workflow every few seconds; an executor runs it.
//
//   npm run dev ; source ~/.colonies/data/dev.env ; npx tsx examples/cron-job.ts 3
import { runExecutor } from '../src/index.js';
import { clientFor, envFromProcess, exampleKey, isMain, type ExampleEnv } from './env.js';

export const REPORT_TYPE = 'reporter';

/** Adds a cron running `report` every `intervalS` seconds, waits for `runs` runs, removes it. */
export async function runCronJob(env: ExampleEnv, runs: number, opts: { intervalS?: number; quiet?: boolean } = {}): Promise<string[]> {
  const client = clientFor(env);
  const name = 'reporter-executor';
  const reports: string[] = [];
  const executor = runExecutor({
    client,
    colonyName: env.colonyName,
    prvKey: exampleKey(env, name),
    type: REPORT_TYPE,
    name,
    register: { colonyPrvKey: env.colonyPrvKey },
    handleSignals: false,
    logger: opts.quiet ? { info: () => undefined, warn: () => undefined, error: () => undefined } : console,
    functions: {
      report: () => {
        const line = `report #${reports.length + 1} at ${new Date().toISOString()}`;
        reports.push(line);
        if (!opts.quiet) console.log(line);
        return line;
      },
    },
  });
  await executor.ready;
  const cron = await client.addCron({
    colonyname: env.colonyName,
    name: `report-every-${opts.intervalS ?? 2}s-${Date.now()}`,
    interval: opts.intervalS ?? 2,
    workflowspec: {
      colonyname: env.colonyName,
      functionspecs: [{ nodename: 'report', funcname: 'report', maxexectime: 30, conditions: { executortype: REPORT_TYPE } }],
    },
  });
  try {
    // Each run is a new workflow; wait until the executor has served enough of them.
    while (reports.length < runs) await new Promise((r) => setTimeout(r, 200));
  } finally {
    await client.removeCron(cron.cronid);
    await executor.stop(); // lets the last run finish and close
  }
  return reports;
}

if (isMain(import.meta.url)) {
  const runs = Number(process.argv[2] ?? 3);
  await runCronJob(envFromProcess(), runs);
  console.log(`${runs} cron runs done; cron removed.`);
}
