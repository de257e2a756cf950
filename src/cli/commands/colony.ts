// colonies colony add|remove|ls|get|stats|chid
import type { Command } from 'commander';
import type { Statistics } from '../../client/types.js';
import { UsageError, type Cli } from '../context.js';

export function statisticsPairs(s: Statistics): [string, unknown][] {
  return [
    ['Colonies', s.colonies],
    ['Executors', s.executors],
    ['Active executors', s.activeexecutors],
    ['Unregistered executors', s.unregisteredexecutors],
    ['Waiting processes', s.waitingprocesses],
    ['Running processes', s.runningprocesses],
    ['Successful processes', s.successfulprocesses],
    ['Failed processes', s.failedprocesses],
    ['Cancelled processes', s.cancelledprocesses],
    ['Waiting workflows', s.waitingworkflows],
    ['Running workflows', s.runningworkflows],
    ['Successful workflows', s.successfulworkflows],
    ['Failed workflows', s.failedworkflows],
    ['Cancelled workflows', s.cancelledworkflows],
  ];
}

export function registerColony(program: Command, cli: Cli): void {
  const g = program.command('colony').description('Manage colonies').addHelpText(
    'after',
    `
Examples:
  $ colonies security generate                      make the colony owner's key
  $ colonies colony add --name mycolony --colonyid <owner id>   (COLONIES_SERVER_PRVKEY)
  $ colonies colony ls`,
  );

  g.command('add')
    .description('Add a colony (server owner)')
    .requiredOption('--name <name>', 'colony name (unique)')
    .requiredOption('--colonyid <id>', "id of the colony owner's key (colonies security generate)")
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        if (!/^[0-9a-f]{64}$/i.test(o.colonyid)) throw new UsageError('--colonyid must be 64 hex characters (the id of a key)');
        const c = await cli.client(cmd).addColony({ name: o.name, colonyid: o.colonyid }, cli.serverPrvKey(cmd));
        if (o.json) return cli.out.json(c);
        cli.out.ok(`Colony ${c.name} added (${c.colonyid})`);
      }),
    );

  g.command('remove')
    .description('Remove a colony and everything in it (server owner)')
    .requiredOption('--name <name>', 'colony name')
    .action(
      cli.action(async (o, cmd: Command) => {
        await cli.client(cmd).removeColony(o.name, cli.serverPrvKey(cmd));
        cli.out.ok(`Colony ${o.name} removed`);
      }),
    );

  g.command('ls')
    .description('List colonies (server owner)')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const cs = await cli.client(cmd).getColonies(cli.serverPrvKey(cmd));
        if (o.json) return cli.out.json(cs);
        if (!cs.length) return cli.out.note('No colonies found');
        cli.out.table(['name', 'id'], cs.map((c) => [c.name, c.colonyid]));
      }),
    );

  g.command('get')
    .description('Show a colony (member)')
    .option('--name <name>', 'colony name (default: COLONIES_COLONY_NAME)')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const c = await cli.client(cmd).getColony(o.name || cli.colonyName(cmd), cli.prvKey(cmd));
        if (o.json) return cli.out.json(c);
        cli.out.kv('Colony', [
          ['Name', c.name],
          ['Id', c.colonyid],
        ]);
      }),
    );

  g.command('stats')
    .description('Show statistics of the colony (member)')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const s = await cli.client(cmd).getColonyStatistics(cli.colonyName(cmd), cli.prvKey(cmd));
        if (o.json) return cli.out.json(s);
        cli.out.kv(`Colony ${cli.colonyName(cmd)}`, statisticsPairs(s).slice(1));
      }),
    );

  g.command('chid')
    .description("Move the colony to another owner key id (colony owner)")
    .requiredOption('--colonyid <id>', 'the new owner id')
    .action(
      cli.action(async (o, cmd: Command) => {
        if (!/^[0-9a-f]{64}$/i.test(o.colonyid)) throw new UsageError('--colonyid must be 64 hex characters');
        await cli.client(cmd).changeColonyId(cli.colonyName(cmd), o.colonyid, cli.colonyPrvKey(cmd));
        cli.out.ok(`Colony ${cli.colonyName(cmd)} now belongs to ${o.colonyid}`);
      }),
    );
}
