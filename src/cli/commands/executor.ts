// colonies executor add|approve|reject|remove|ls|get
import type { Command } from 'commander';
import { ExecutorState, executorStateName } from '../../client/types.js';
import type { ExecutorInput } from '../../client/members.js';
import { UsageError, type Cli } from '../context.js';
import { showTime } from '../output.js';
import { executorTable } from '../tables.js';

export function registerExecutor(program: Command, cli: Cli): void {
  const g = program.command('executor').description('Manage executors').addHelpText(
    'after',
    `
Examples:
  $ colonies executor add --executorid <id> --name worker-1 --type cli --approve   (COLONIES_COLONY_PRVKEY)
  $ colonies executor ls
  $ colonies executor get --name worker-1`,
  );

  g.command('add')
    .description('Register an executor (colony owner)')
    .requiredOption('--executorid <id>', "id of the executor's key (colonies security generate)")
    .option('--name <name>', 'executor name (unique in the colony)')
    .option('--type <type>', 'executor type')
    .option('--location <name>', 'location name')
    .option('--spec <file>', 'executor JSON (executorname, executortype, capabilities, ...)')
    .option('--approve', 'also approve it')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        if (!/^[0-9a-f]{64}$/i.test(o.executorid)) throw new UsageError('--executorid must be 64 hex characters (the id of a key)');
        const base = o.spec ? await cli.readObject(o.spec) : {};
        const executor = {
          ...base,
          executorid: o.executorid,
          executorname: o.name || base.executorname,
          executortype: o.type || base.executortype,
          colonyname: cli.colonyName(cmd),
          locationname: o.location || base.locationname || undefined,
        } as ExecutorInput;
        if (!executor.executorname) throw new UsageError('an executor name is needed: --name (or executorname in --spec)');
        if (!executor.executortype) throw new UsageError('an executor type is needed: --type (or executortype in --spec)');
        const client = cli.client(cmd);
        const colonyKey = cli.colonyPrvKey(cmd);
        const added = await client.addExecutor(executor, colonyKey);
        if (o.approve) await client.approveExecutor(executor.colonyname, executor.executorname, colonyKey);
        if (o.json) return cli.out.json(o.approve ? { ...added, state: ExecutorState.APPROVED } : added);
        cli.out.ok(`Executor ${added.executorname} added${o.approve ? ' and approved' : ' (approve it with `colonies executor approve`)'}`);
      }),
    );

  for (const [name, verb, past] of [
    ['approve', 'Approve', 'approved'],
    ['reject', 'Reject', 'rejected'],
    ['remove', 'Unregister', 'removed'],
  ] as const) {
    g.command(name)
      .description(`${verb} an executor (colony owner)`)
      .requiredOption('--name <name>', 'executor name')
      .action(
        cli.action(async (o, cmd: Command) => {
          const client = cli.client(cmd);
          const colony = cli.colonyName(cmd);
          const key = cli.colonyPrvKey(cmd);
          if (name === 'approve') await client.approveExecutor(colony, o.name, key);
          else if (name === 'reject') await client.rejectExecutor(colony, o.name, key);
          else await client.removeExecutor(colony, o.name, key);
          cli.out.ok(`Executor ${o.name} ${past}`);
        }),
      );
  }

  g.command('ls')
    .description('List executors of the colony')
    .option('--all', 'include unregistered ones')
    .option('--type <type>', 'only this executor type')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        let es = await cli.client(cmd).getExecutors(cli.colonyName(cmd), cli.prvKey(cmd));
        if (!o.all) es = es.filter((e) => e.state !== ExecutorState.UNREGISTERED);
        if (o.type) es = es.filter((e) => e.executortype === o.type);
        if (o.json) return cli.out.json(es);
        if (!es.length) return cli.out.note('No executors found');
        executorTable(cli.out, es);
      }),
    );

  g.command('get')
    .description('Show an executor')
    .requiredOption('--name <name>', 'executor name')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const client = cli.client(cmd);
        const prvKey = cli.prvKey(cmd);
        const e = await client.getExecutor(cli.colonyName(cmd), o.name, prvKey);
        if (o.json) return cli.out.json(e);
        cli.out.kv('Executor', [
          ['Name', e.executorname],
          ['Type', e.executortype],
          ['Id', e.executorid],
          ['Colony', e.colonyname],
          ['State', executorStateName(e.state)],
          ['Location', e.locationname ?? ''],
          ['Commissioned', showTime(e.commissiontime)],
          ['Last heard from', showTime(e.lastheardfromtime)],
        ]);
        const fs = await client.getFunctions(e.colonyname, e.executorname, prvKey).catch(() => []);
        if (fs.length) {
          cli.out.line();
          cli.out.table(['funcname', 'calls', 'id'], fs.map((f) => [f.funcname, f.counter, f.functionid]));
        }
      }),
    );
}
