// colonies cron add|ls|get|remove|run, colonies generator add|ls|get|remove|pack
import type { Command } from 'commander';
import type { Cron, Generator } from '../../client/types.js';
import { intArg, UsageError, type Cli } from '../context.js';
import { showTime } from '../output.js';
import { toWorkflowSpec } from './workflow.js';

function cronPairs(c: Cron): [string, unknown][] {
  return [
    ['Id', c.cronid],
    ['Name', c.name],
    ['Expression', c.cronexpression],
    ['Interval', c.interval],
    ['Random', c.random],
    ['Next run', showTime(c.nextrun)],
    ['Last run', showTime(c.lastrun)],
    ['Previous workflow', c.prevprocessgraphid],
    ['Wait for previous', c.waitforprevprocessgraph],
  ];
}

function generatorPairs(g: Generator): [string, unknown][] {
  return [
    ['Id', g.generatorid],
    ['Name', g.name],
    ['Trigger', g.trigger],
    ['Timeout', g.timeout],
    ['Queue size', g.queuesize],
    ['Last run', showTime(g.lastrun)],
  ];
}

export function registerSchedules(program: Command, cli: Cli): void {
  const c = program.command('cron').description('Run workflows on a schedule').addHelpText(
    'after',
    `
Examples:
  $ colonies cron add --name nightly --cron "0 0 3 * * *" --spec ./workflow.json
  $ colonies cron add --name every10s --interval 10 --spec ./workflow.json
  $ colonies cron run --cronid <id>`,
  );

  c.command('add')
    .description('Add a cron: a 6-field cron expression (with seconds) or an interval in seconds')
    .requiredOption('--name <name>', 'cron name (unique in the colony)')
    .requiredOption('--spec <file>', 'workflow spec (JSON)')
    .option('--cron <expr>', 'cron expression, e.g. "0 */5 * * * *"')
    .option('--interval <s>', 'run every this many seconds', intArg)
    .option('--random', 'with --interval: at a random moment within each interval')
    .option('--waitforprevprocessgraph', 'do not start while the previous workflow is unfinished')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        if (!o.cron && o.interval === undefined) throw new UsageError('say when: --cron <expr> or --interval <seconds>');
        const spec = toWorkflowSpec(await cli.readJson(o.spec), o.spec, () => cli.colonyName(cmd));
        const cron = await cli.client(cmd).addCron(
          {
            colonyname: cli.colonyName(cmd),
            name: o.name,
            cronexpression: o.cron ?? '',
            interval: o.interval ?? -1,
            random: Boolean(o.random),
            waitforprevprocessgraph: Boolean(o.waitforprevprocessgraph),
            workflowspec: spec,
          },
          cli.prvKey(cmd),
        );
        if (o.json) return cli.out.json(cron);
        cli.out.ok(`Cron ${cron.name} added (${cron.cronid})`);
      }),
    );

  c.command('ls')
    .description('List crons')
    .option('--count <n>', 'how many', intArg, 100)
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const cs = await cli.client(cmd).getCrons(cli.colonyName(cmd), o.count, cli.prvKey(cmd));
        if (o.json) return cli.out.json(cs);
        if (!cs.length) return cli.out.note('No crons found');
        cli.out.table(['name', 'schedule', 'next run', 'last run', 'id'], cs.map((x) => [x.name, x.interval > 0 ? `every ${x.interval} s` : x.cronexpression, showTime(x.nextrun), showTime(x.lastrun), x.cronid]));
      }),
    );

  c.command('get')
    .description('Show a cron')
    .requiredOption('--cronid <id>', 'cron id')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const cron = await cli.client(cmd).getCron(o.cronid, cli.prvKey(cmd));
        if (o.json) return cli.out.json(cron);
        cli.out.kv('Cron', cronPairs(cron));
      }),
    );

  c.command('run')
    .description('Run a cron now')
    .requiredOption('--cronid <id>', 'cron id')
    .action(
      cli.action(async (o, cmd: Command) => {
        await cli.client(cmd).runCron(o.cronid, cli.prvKey(cmd));
        cli.out.ok(`Cron ${o.cronid} started`);
      }),
    );

  c.command('remove')
    .description('Remove a cron')
    .requiredOption('--cronid <id>', 'cron id')
    .action(
      cli.action(async (o, cmd: Command) => {
        await cli.client(cmd).removeCron(o.cronid, cli.prvKey(cmd));
        cli.out.ok(`Cron ${o.cronid} removed`);
      }),
    );

  const g = program.command('generator').description('Batch arguments into workflows').addHelpText(
    'after',
    `
Examples:
  $ colonies generator add --name batch --spec ./workflow.json --trigger 10 --timeout 60
  $ colonies generator pack --generatorid <id> --arg file1.csv`,
  );

  g.command('add')
    .description('Add a generator: every --trigger packed args (or --timeout seconds) start the workflow')
    .requiredOption('--name <name>', 'generator name (unique in the colony)')
    .requiredOption('--spec <file>', 'workflow spec (JSON)')
    .requiredOption('--trigger <n>', 'args per workflow', intArg)
    .option('--timeout <s>', 'flush a partial batch after this many seconds (0 = never)', intArg, 0)
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const spec = toWorkflowSpec(await cli.readJson(o.spec), o.spec, () => cli.colonyName(cmd));
        const gen = await cli
          .client(cmd)
          .addGenerator({ colonyname: cli.colonyName(cmd), name: o.name, trigger: o.trigger, timeout: o.timeout, workflowspec: spec }, cli.prvKey(cmd));
        if (o.json) return cli.out.json(gen);
        cli.out.ok(`Generator ${gen.name} added (${gen.generatorid})`);
      }),
    );

  g.command('ls')
    .description('List generators')
    .option('--count <n>', 'how many', intArg, 100)
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const gs = await cli.client(cmd).getGenerators(cli.colonyName(cmd), o.count, cli.prvKey(cmd));
        if (o.json) return cli.out.json(gs);
        if (!gs.length) return cli.out.note('No generators found');
        cli.out.table(['name', 'trigger', 'timeout', 'last run', 'id'], gs.map((x) => [x.name, x.trigger, x.timeout, showTime(x.lastrun), x.generatorid]));
      }),
    );

  g.command('get')
    .description('Show a generator')
    .requiredOption('--generatorid <id>', 'generator id')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const gen = await cli.client(cmd).getGenerator(o.generatorid, cli.prvKey(cmd));
        if (o.json) return cli.out.json(gen);
        cli.out.kv('Generator', generatorPairs(gen));
      }),
    );

  g.command('pack')
    .description('Queue an argument for the next workflow')
    .requiredOption('--generatorid <id>', 'generator id')
    .requiredOption('--arg <value>', 'argument')
    .action(
      cli.action(async (o, cmd: Command) => {
        await cli.client(cmd).packGenerator(o.generatorid, o.arg, cli.prvKey(cmd));
        cli.out.ok('Argument packed');
      }),
    );

  g.command('remove')
    .description('Remove a generator')
    .requiredOption('--generatorid <id>', 'generator id')
    .action(
      cli.action(async (o, cmd: Command) => {
        await cli.client(cmd).removeGenerator(o.generatorid, cli.prvKey(cmd));
        cli.out.ok(`Generator ${o.generatorid} removed`);
      }),
    );
}
