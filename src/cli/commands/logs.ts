// colonies log add|get|search, colonies attribute add|get
import type { Command } from 'commander';
import type { Log } from '../../client/types.js';
import { intArg, UsageError, type Cli } from '../context.js';
import { cellText, showTime } from '../output.js';

function nsToTime(ns: number | bigint): string {
  const ms = typeof ns === 'bigint' ? Number(ns / 1_000_000n) : Math.floor(ns / 1e6);
  return showTime(new Date(ms).toISOString());
}

function printLogs(cli: Cli, logs: Log[]): void {
  for (const l of logs) {
    const msg = l.message.endsWith('\n') ? l.message.slice(0, -1) : l.message;
    cli.out.line(`${cli.out.dim(nsToTime(l.timestamp))} ${cli.out.cyan(l.executorname)} ${msg}`);
  }
}

export function registerLogs(program: Command, cli: Cli): void {
  const g = program.command('log').description('Process and executor logs').addHelpText(
    'after',
    `
Examples:
  $ colonies log get -p <processid>
  $ colonies log get --executorname dev-executor --latest --count 20
  $ colonies log search --text error --days 2`,
  );

  g.command('add')
    .description('Add a log line to a running process (its assigned executor)')
    .requiredOption('-p, --processid <id>', 'process id')
    .requiredOption('-m, --message <text>', 'log message')
    .action(
      cli.action(async (o, cmd: Command) => {
        await cli.client(cmd).addLog(o.processid, o.message, cli.prvKey(cmd));
        cli.out.ok('Log added');
      }),
    );

  g.command('get')
    .description('Show the logs of a process or of an executor')
    .option('-p, --processid <id>', 'process id')
    .option('--executorname <name>', 'executor name (instead of a process)')
    .option('--count <n>', 'how many lines (at most 500)', intArg, 100)
    .option('--since <ns>', 'only lines after this time (Unix ns)', '0')
    .option('--latest', 'the newest lines')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        if (!o.processid && !o.executorname) throw new UsageError('say whose logs: --processid <id> or --executorname <name>');
        if (!/^\d+$/.test(o.since)) throw new UsageError('--since must be a time in Unix nanoseconds');
        const client = cli.client(cmd);
        const colony = cli.colonyName(cmd);
        const since = BigInt(o.since);
        const logs = o.executorname
          ? await client.getExecutorLogs(colony, o.executorname, o.count, since, Boolean(o.latest), cli.prvKey(cmd))
          : await client.getLogs(colony, o.processid, o.count, since, Boolean(o.latest), cli.prvKey(cmd));
        if (o.json) return cli.out.json(logs);
        if (!logs.length) return cli.out.note('No logs found');
        printLogs(cli, logs);
      }),
    );

  g.command('search')
    .description('Search the colony logs for a text')
    .requiredOption('--text <text>', 'text to look for')
    .option('--days <n>', 'how many days back (at most 30)', intArg, 1)
    .option('--count <n>', 'how many lines (at most 100)', intArg, 100)
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const logs = await cli.client(cmd).searchLogs(cli.colonyName(cmd), o.text, o.days, o.count, cli.prvKey(cmd));
        if (o.json) return cli.out.json(logs);
        if (!logs.length) return cli.out.note('No logs found');
        printLogs(cli, logs);
      }),
    );

  const a = program.command('attribute').description('Process attributes');

  a.command('add')
    .description('Add an attribute to a running process (its assigned executor)')
    .requiredOption('-p, --processid <id>', 'process id')
    .requiredOption('--key <key>', 'key')
    .requiredOption('--value <value>', 'value')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const attr = await cli
          .client(cmd)
          .addAttribute({ targetid: o.processid, targetcolonyname: cli.colonyName(cmd), key: o.key, value: o.value }, cli.prvKey(cmd));
        if (o.json) return cli.out.json(attr);
        cli.out.ok(`Attribute added (${attr.attributeid})`);
      }),
    );

  a.command('get')
    .description('Show an attribute')
    .requiredOption('--attributeid <id>', 'attribute id')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const attr = await cli.client(cmd).getAttribute(o.attributeid, cli.prvKey(cmd));
        if (o.json) return cli.out.json(attr);
        cli.out.kv('Attribute', [
          ['Id', attr.attributeid],
          ['Process', attr.targetid],
          ['Key', attr.key],
          ['Value', cellText(attr.value)],
          ['Type', ['in', 'out', 'err', 'env'][attr.attributetype] ?? attr.attributetype],
        ]);
      }),
    );
}
