// A workflow that computes Fibonacci numbers: node fib<k> depends on fib<k-1> and fib<k-2>
// and adds up their outputs (a workflow child's `in` is its parents' outputs, in order).
//
//   npm run dev ; source ~/.colonies/data/dev.env ; npx tsx examples/fibonacci-workflow.ts 10
import { ProcessState, runExecutor, type WorkflowSpecInput } from '../src/index.js';
import { clientFor, envFromProcess, exampleKey, isMain, type ExampleEnv } from './env.js';

export const FIB_TYPE = 'fibonacci';

/** The DAG fib0 … fib<n>. */
export function fibonacciWorkflow(colonyName: string, n: number): WorkflowSpecInput {
  const functionspecs = [];
  for (let k = 0; k <= n; k++) {
    functionspecs.push({
      nodename: `fib${k}`,
      funcname: 'fibonacci',
      args: k < 2 ? [k] : [],
      maxexectime: 30,
      conditions: { executortype: FIB_TYPE, dependencies: k < 2 ? [] : [`fib${k - 1}`, `fib${k - 2}`] },
    });
  }
  return { colonyname: colonyName, functionspecs };
}

/** Runs fib(n) as a workflow with an executor of its own; returns the result. */
export async function runFibonacci(env: ExampleEnv, n: number, opts: { quiet?: boolean } = {}): Promise<number> {
  const client = clientFor(env);
  const name = 'fibonacci-executor';
  const executor = runExecutor({
    client,
    colonyName: env.colonyName,
    prvKey: exampleKey(env, name),
    type: FIB_TYPE,
    name,
    concurrency: 2,
    register: { colonyPrvKey: env.colonyPrvKey },
    handleSignals: false,
    logger: opts.quiet ? { info: () => undefined, warn: () => undefined, error: () => undefined } : console,
    functions: {
      // roots get their value as an argument, the others add their parents' outputs
      fibonacci: (_p, ctx) => (ctx.input.length ? ctx.input.reduce((a: number, b) => a + Number(b), 0) : Number(ctx.args[0])),
    },
  });
  try {
    await executor.ready;
    const graph = await client.submitWorkflowSpec(fibonacciWorkflow(env.colonyName, n));
    // The last node is the one whose output we want.
    const processes = await Promise.all((graph.processids ?? []).map((id) => client.getProcess(id)));
    const last = processes.find((p) => p.spec.nodename === `fib${n}`)!;
    const done = await client.waitForProcessEnd(last.processid, 120);
    if (done.state !== ProcessState.SUCCESS) throw new Error(`fib${n} ended ${done.state}: ${(done.errors ?? []).join('; ')}`);
    return Number(done.out?.[0]);
  } finally {
    await executor.stop();
  }
}

if (isMain(import.meta.url)) {
  const n = Number(process.argv[2] ?? 10);
  const result = await runFibonacci(envFromProcess(), n);
  console.log(`fib(${n}) = ${result}`);
}
