// colonies process ps|psw|pss|psf|get|assign|close|fail|remove|removeall|cancel|pause|resume|status
import type { Command } from 'commander';
import { processStateName, ProcessState } from '../../client/types.js';
import { intArg, listArg, UsageError, type Cli } from '../context.js';
import { cellText } from '../output.js';
import { processDetail, processTable } from '../tables.js';
import { addRemoveAll } from './removeall.js';

const LISTS: [string, number, string][] = [
  ['ps', ProcessState.RUNNING, 'List running processes'],
  ['psw', ProcessState.WAITING, 'List waiting processes'],
  ['pss', ProcessState.SUCCESS, 'List successful processes'],
  ['psf', ProcessState.FAILED, 'List failed processes'],
];

export function registerProcess(program: Command, cli: Cli): void {
  const g = program.command('process').description('Manage processes').addHelpText(
    'after',
    `
Examples:
  $ colonies process ps                      running processes of $COLONIES_COLONY_NAME
  $ colonies process psf --count 10 --json   last failed processes as JSON
  $ colonies process get -p <processid>`,
  );

  for (const [name, state, description] of LISTS) {
    g.command(name)
      .description(description)
      .option('--count <n>', 'how many (at most 100)', intArg, 100)
      .option('--executortype <type>', 'only processes for this executor type')
      .option('--label <label>', 'only processes with this label')
      .option('--initiator <name>', 'only processes submitted by this user/executor')
      .option('--json', 'print JSON')
      .action(
        cli.action(async (o, cmd: Command) => {
          const filters = [o.executortype, o.label, o.initiator].filter(Boolean);
          if (filters.length > 1) throw new UsageError('use only one of --executortype, --label, --initiator');
          const ps = await cli.client(cmd).getProcesses(cli.colonyName(cmd), state, o.count, { executorType: o.executortype, label: o.label, initiator: o.initiator }, cli.prvKey(cmd));
          if (o.json) return cli.out.json(ps);
          if (!ps.length) return cli.out.note(`No ${processStateName(state)} processes found`);
          processTable(cli.out, ps, state);
        }),
      );
  }

  g.command('get')
    .description('Show a process')
    .requiredOption('-p, --processid <id>', 'process id')
    .option('--json', 'print JSON')
    .option('--out', 'print only the output')
    .action(
      cli.action(async (o, cmd: Command) => {
        const p = await cli.client(cmd).getProcess(o.processid, cli.prvKey(cmd));
        if (o.json) return cli.out.json(p);
        if (o.out) return (p.out ?? []).forEach((v) => cli.out.line(cellText(v)));
        processDetail(cli.out, p);
      }),
    );

  g.command('assign')
    .description('Take a waiting process as an executor (the process becomes RUNNING)')
    .option('--timeout <s>', 'seconds to wait for one', intArg, 100)
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const p = await cli.client(cmd).assign(cli.colonyName(cmd), o.timeout, '', '', cli.prvKey(cmd));
        if (o.json) return cli.out.json(p);
        cli.out.ok(`Assigned process ${p.processid} (${p.spec?.funcname ?? ''})`);
      }),
    );

  g.command('close')
    .description('Close a running process as successful (its assigned executor)')
    .requiredOption('-p, --processid <id>', 'process id')
    .option('--out <values>', 'output values (comma-separated, repeatable)', listArg, [])
    .action(
      cli.action(async (o, cmd: Command) => {
        await cli.client(cmd).closeSuccessful(o.processid, o.out, cli.prvKey(cmd));
        cli.out.ok(`Process ${o.processid} closed as successful`);
      }),
    );

  g.command('fail')
    .description('Close a running process as failed (its assigned executor)')
    .requiredOption('-p, --processid <id>', 'process id')
    .option('--errors <messages>', 'error messages (comma-separated, repeatable)', listArg, [])
    .action(
      cli.action(async (o, cmd: Command) => {
        const errors = o.errors.length ? o.errors : ['No errors specified'];
        await cli.client(cmd).closeFailed(o.processid, errors, cli.prvKey(cmd));
        cli.out.ok(`Process ${o.processid} closed as failed`);
      }),
    );

  g.command('remove')
    .description('Remove a process that is not running and not in a workflow')
    .requiredOption('-p, --processid <id>', 'process id')
    .action(
      cli.action(async (o, cmd: Command) => {
        await cli.client(cmd).removeProcess(o.processid, cli.prvKey(cmd));
        cli.out.ok(`Process ${o.processid} removed`);
      }),
    );

  g.command('cancel')
    .description('Cancel a waiting or running process')
    .requiredOption('-p, --processid <id>', 'process id')
    .action(
      cli.action(async (o, cmd: Command) => {
        await cli.client(cmd).cancelProcess(o.processid, cli.prvKey(cmd));
        cli.out.ok(`Process ${o.processid} cancelled`);
      }),
    );

  addRemoveAll(g, cli, {
    noun: 'processes',
    description: "Remove the colony's processes (not workflow members; colony owner)",
    remove: (client, colony, state, key) => client.removeAllProcesses(colony, state, key),
  });

  g.command('pause')
    .description('Pause process assignments in the colony (colony owner)')
    .action(
      cli.action(async (_o, cmd: Command) => {
        await cli.client(cmd).pauseAssignments(cli.colonyName(cmd), cli.colonyPrvKey(cmd));
        cli.out.ok('Process assignments paused');
      }),
    );

  g.command('resume')
    .description('Resume process assignments in the colony (colony owner)')
    .action(
      cli.action(async (_o, cmd: Command) => {
        await cli.client(cmd).resumeAssignments(cli.colonyName(cmd), cli.colonyPrvKey(cmd));
        cli.out.ok('Process assignments resumed');
      }),
    );

  g.command('status')
    .description('Show whether process assignments are paused')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const s = await cli.client(cmd).getPauseStatus(cli.colonyName(cmd), cli.prvKey(cmd));
        if (o.json) return cli.out.json(s);
        cli.out.line(`Process assignments in colony ${s.colonyname} are ${s.ispaused ? cli.out.yellow('PAUSED') : cli.out.green('ACTIVE')}`);
      }),
    );
}
