// colonies user add|ls|get|remove, colonies location add|ls|get|remove
import type { Command } from 'commander';
import { UsageError, type Cli } from '../context.js';

export function registerUser(program: Command, cli: Cli): void {
  const g = program.command('user').description('Manage users').addHelpText(
    'after',
    `
Examples:
  $ colonies user add --name alice --userid <id> --email alice@example.com   (COLONIES_COLONY_PRVKEY)
  $ colonies user ls`,
  );

  g.command('add')
    .description('Add a user (colony owner)')
    .requiredOption('--name <name>', 'user name (unique in the colony)')
    .requiredOption('--userid <id>', "id of the user's key (colonies security generate)")
    .option('--email <email>', 'email', '')
    .option('--phone <phone>', 'phone', '')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        if (!/^[0-9a-f]{64}$/i.test(o.userid)) throw new UsageError('--userid must be 64 hex characters (the id of a key)');
        const u = await cli
          .client(cmd)
          .addUser({ colonyname: cli.colonyName(cmd), name: o.name, userid: o.userid, email: o.email, phone: o.phone }, cli.colonyPrvKey(cmd));
        if (o.json) return cli.out.json(u);
        cli.out.ok(`User ${u.name} added`);
      }),
    );

  g.command('ls')
    .description('List users of the colony')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const us = await cli.client(cmd).getUsers(cli.colonyName(cmd), cli.prvKey(cmd));
        if (o.json) return cli.out.json(us);
        if (!us.length) return cli.out.note('No users found');
        cli.out.table(['name', 'email', 'phone', 'id'], us.map((u) => [u.name, u.email, u.phone, u.userid]));
      }),
    );

  g.command('get')
    .description('Show a user')
    .requiredOption('--name <name>', 'user name')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const u = await cli.client(cmd).getUser(cli.colonyName(cmd), o.name, cli.prvKey(cmd));
        if (o.json) return cli.out.json(u);
        cli.out.kv('User', [
          ['Name', u.name],
          ['Id', u.userid],
          ['Email', u.email],
          ['Phone', u.phone],
          ['Colony', u.colonyname],
        ]);
      }),
    );

  g.command('remove')
    .description('Remove a user (colony owner)')
    .requiredOption('--name <name>', 'user name')
    .action(
      cli.action(async (o, cmd: Command) => {
        await cli.client(cmd).removeUser(cli.colonyName(cmd), o.name, cli.colonyPrvKey(cmd));
        cli.out.ok(`User ${o.name} removed`);
      }),
    );
}

export function registerLocation(program: Command, cli: Cli): void {
  const g = program.command('location').description('Manage locations');

  g.command('add')
    .description('Add a location (colony owner)')
    .requiredOption('--name <name>', 'location name')
    .option('--description <text>', 'description', '')
    .option('--long <deg>', 'longitude', parseFloat, 0)
    .option('--lat <deg>', 'latitude', parseFloat, 0)
    .action(
      cli.action(async (o, cmd: Command) => {
        const l = await cli
          .client(cmd)
          .addLocation({ colonyname: cli.colonyName(cmd), name: o.name, description: o.description, long: o.long, lat: o.lat }, cli.colonyPrvKey(cmd));
        cli.out.ok(`Location ${l.name} added`);
      }),
    );

  g.command('ls')
    .description('List locations')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const ls = await cli.client(cmd).getLocations(cli.colonyName(cmd), cli.prvKey(cmd));
        if (o.json) return cli.out.json(ls);
        if (!ls.length) return cli.out.note('No locations found');
        cli.out.table(['name', 'description', 'long', 'lat'], ls.map((l) => [l.name, l.description, l.long, l.lat]));
      }),
    );

  g.command('get')
    .description('Show a location')
    .requiredOption('--name <name>', 'location name')
    .action(
      cli.action(async (o, cmd: Command) => {
        cli.out.json(await cli.client(cmd).getLocation(cli.colonyName(cmd), o.name, cli.prvKey(cmd)));
      }),
    );

  g.command('remove')
    .description('Remove a location (colony owner)')
    .requiredOption('--name <name>', 'location name')
    .action(
      cli.action(async (o, cmd: Command) => {
        await cli.client(cmd).removeLocation(cli.colonyName(cmd), o.name, cli.colonyPrvKey(cmd));
        cli.out.ok(`Location ${o.name} removed`);
      }),
    );
}
