// colonies function submit|exec|ls|add|remove
import type { Command } from 'commander';
import type { FunctionSpecInput } from '../../client/types.js';
import { intArg, listArg, UsageError, type Cli } from '../context.js';
import { followProcess, reportProcess } from '../wait.js';

/** "k=v" strings → object (values stay strings, as the Go CLI sends them). */
export function keyValues(pairs: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of pairs) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`invalid ${flag} value "${kv}": expected key=value`);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

export function registerFunction(program: Command, cli: Cli): void {
  const g = program.command('function').description('Submit and manage functions').addHelpText(
    'after',
    `
Examples:
  $ colonies function exec --func echo --args hello --targettype cli --wait
  $ colonies function submit --spec ./echo.json --wait --json
  $ colonies function ls`,
  );

  const waitOptions = (c: Command) =>
    c
      .option('--wait', 'wait for the process to finish; exit code 0 = successful, 1 = failed')
      .option('--timeout <s>', 'with --wait: give up after this many seconds (0 = never)', intArg, 0)
      .option('--out', 'with --wait: print the output')
      .option('--json', 'print the process as JSON');

  const submitAndMaybeWait = async (cmd: Command, o: Record<string, any>, spec: FunctionSpecInput): Promise<number | void> => {
    const client = cli.client(cmd);
    const prvKey = cli.prvKey(cmd);
    const p = await client.submitFunctionSpec(spec, prvKey);
    if (!o.wait) {
      if (o.json) return cli.out.json(p);
      return cli.out.ok(`Process ${p.processid} submitted`);
    }
    if (!o.json) cli.out.note(`Process ${p.processid} submitted`);
    const end = await followProcess(cli.out, client, p.processid, { timeoutS: o.timeout, prvKey });
    return reportProcess(cli.out, end, { json: o.json, printOutput: o.out });
  };

  waitOptions(
    g
      .command('submit')
      .description('Submit a function spec from a JSON file')
      .requiredOption('--spec <file>', 'function spec (JSON)'),
  ).action(
    cli.action(async (o, cmd: Command) => {
      const spec = (await cli.readObject(o.spec)) as FunctionSpecInput & { conditions?: { colonyname?: string } };
      spec.conditions ??= {};
      if (!spec.conditions.colonyname) spec.conditions.colonyname = cli.colonyName(cmd);
      return submitAndMaybeWait(cmd, o, spec);
    }),
  );

  waitOptions(
    g
      .command('exec')
      .description('Run a function on an executor of a given type')
      .requiredOption('--func <name>', 'function name')
      .option('--args <values>', 'arguments (comma-separated, repeatable)', listArg, [])
      .option('--kwargs <k=v>', 'keyword arguments (comma-separated, repeatable)', listArg, [])
      .option('--targettype <type>', 'executor type to run it')
      .option('--targetname <names>', 'only these executor names (comma-separated)', listArg, [])
      .option('--env <k=v>', 'environment (comma-separated, repeatable)', listArg, [])
      .option('--maxwaittime <s>', 'fail if not started within this many seconds (-1 = no limit)', intArg, -1)
      .option('--maxexectime <s>', 'requeue/fail if running longer than this (-1 = no limit)', intArg, -1)
      .option('--maxretries <n>', 'requeues allowed after exec timeouts (-1 = unlimited)', intArg, -1)
      .option('--priority <n>', 'higher runs first (-50000..50000)', intArg, 0)
      .option('--label <label>', 'label for filtering'),
  ).action(
    cli.action(async (o, cmd: Command) => {
      if (!o.targettype && !(o.targetname as string[]).length && !cli.env.COLONIES_EXECUTOR_TYPE) {
        throw new UsageError('a target is needed: --targettype <type> (or --targetname <names>, or COLONIES_EXECUTOR_TYPE)');
      }
      const spec: FunctionSpecInput = {
        funcname: o.func,
        args: o.args,
        kwargs: keyValues(o.kwargs, '--kwargs'),
        priority: o.priority,
        maxwaittime: o.maxwaittime,
        maxexectime: o.maxexectime,
        maxretries: o.maxretries,
        label: o.label ?? '',
        env: keyValues(o.env, '--env'),
        conditions: {
          colonyname: cli.colonyName(cmd),
          executortype: o.targettype || cli.env.COLONIES_EXECUTOR_TYPE || '',
          executornames: o.targetname.length ? o.targetname : undefined,
        },
      };
      return submitAndMaybeWait(cmd, o, spec);
    }),
  );

  g.command('ls')
    .description('List the functions registered in the colony')
    .option('--executorname <name>', 'only functions of this executor')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const fs = await cli.client(cmd).getFunctions(cli.colonyName(cmd), o.executorname ?? '', cli.prvKey(cmd));
        if (o.json) return cli.out.json(fs);
        if (!fs.length) return cli.out.note('No functions found');
        cli.out.table(
          ['funcname', 'executor', 'executor type', 'calls', 'avg wait s', 'avg exec s', 'id'],
          fs.map((f) => [f.funcname, f.executorname, f.executortype, f.counter, f.avgwaittime.toFixed(3), f.avgexectime.toFixed(3), f.functionid]),
        );
      }),
    );

  g.command('add')
    .alias('register')
    .description('Register a function for the calling executor (COLONIES_PRVKEY)')
    .requiredOption('--spec <file>', 'function (JSON: funcname, description, args)')
    .option('--executorname <name>', 'the executor (default: COLONIES_EXECUTOR_NAME)')
    .action(
      cli.action(async (o, cmd: Command) => {
        const fn = await cli.readObject(o.spec);
        const executorname = o.executorname || fn.executorname || cli.env.COLONIES_EXECUTOR_NAME;
        if (!executorname) throw new UsageError('an executor name is needed: --executorname or COLONIES_EXECUTOR_NAME');
        if (!fn.funcname) throw new UsageError(`spec file ${o.spec} has no "funcname"`);
        const added = await cli
          .client(cmd)
          .addFunction({ ...fn, executorname, colonyname: cli.colonyName(cmd), funcname: String(fn.funcname) }, cli.prvKey(cmd));
        cli.out.ok(`Function ${added.funcname} registered (${added.functionid})`);
      }),
    );

  g.command('remove')
    .description('Remove a registered function (its executor)')
    .requiredOption('--functionid <id>', 'function id (see `colonies function ls`)')
    .action(
      cli.action(async (o, cmd: Command) => {
        await cli.client(cmd).removeFunction(o.functionid, cli.prvKey(cmd));
        cli.out.ok(`Function ${o.functionid} removed`);
      }),
    );
}
