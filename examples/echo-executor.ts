// An executor that echoes its arguments back.
//
//   npm run dev                                   (terminal 1)
//   source ~/.colonies/data/dev.env               (terminal 2)
//   npx tsx examples/echo-executor.ts
//   colonies function exec --func echo --args hello,world --targettype echo --wait   (terminal 3)
import { runExecutor, type ExecutorHandle } from '../src/index.js';
import { clientFor, envFromProcess, exampleKey, isMain, type ExampleEnv } from './env.js';

export const ECHO_TYPE = 'echo';

export function startEchoExecutor(env: ExampleEnv, opts: { quiet?: boolean; handleSignals?: boolean } = {}): ExecutorHandle {
  const name = 'echo-executor';
  return runExecutor({
    client: clientFor(env),
    colonyName: env.colonyName,
    prvKey: exampleKey(env, name),
    type: ECHO_TYPE,
    name,
    register: { colonyPrvKey: env.colonyPrvKey },
    handleSignals: opts.handleSignals,
    logger: opts.quiet ? { info: () => undefined, warn: () => undefined, error: () => undefined } : console,
    functions: {
      // The returned array becomes the process output.
      echo: async (process, ctx) => {
        await ctx.log(`echo ${JSON.stringify(ctx.args)}`);
        return ctx.args;
      },
    },
  });
}

if (isMain(import.meta.url)) {
  const handle = startEchoExecutor(envFromProcess());
  await handle.ready;
  console.log(`Echo executor ready (type "${ECHO_TYPE}"). Try:\n  colonies function exec --func echo --args hello --targettype ${ECHO_TYPE} --wait\nCtrl+C stops it.`);
  await handle.done;
}
