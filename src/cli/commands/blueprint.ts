// colonies blueprint add|ls|get|update|remove|history|reconcile, colonies blueprint definition add|ls|get|remove
import type { Command } from 'commander';
import type { BlueprintInput } from '../../client/blueprints.js';
import { intArg, UsageError, type Cli } from '../context.js';
import { showTime } from '../output.js';

/** Reads a blueprint (or definition) file and puts it in the current colony unless it names one. */
async function readWithColony(cli: Cli, cmd: Command, file: string): Promise<Record<string, any>> {
  const obj = await cli.readObject(file);
  obj.metadata ??= {};
  if (typeof obj.metadata !== 'object') throw new UsageError(`spec file ${file}: "metadata" must be an object`);
  obj.metadata.colonyname ||= cli.colonyName(cmd);
  return obj;
}

export function registerBlueprint(program: Command, cli: Cli): void {
  const b = program.command('blueprint').description('Desired-state blueprints and their definitions').addHelpText(
    'after',
    `
Examples:
  $ colonies blueprint definition add --spec ./definition.json     (COLONIES_COLONY_PRVKEY)
  $ colonies blueprint add --spec ./web.json
  $ colonies blueprint history --name web`,
  );

  const d = b.command('definition').description('Blueprint definitions (kinds)');
  d.command('add')
    .description('Add a definition (colony owner)')
    .requiredOption('--spec <file>', 'blueprint definition (JSON)')
    .action(
      cli.action(async (o, cmd: Command) => {
        const def = await readWithColony(cli, cmd, o.spec);
        const added = await cli.client(cmd).addBlueprintDefinition(def, cli.colonyPrvKey(cmd));
        cli.out.ok(`Blueprint definition ${added.metadata?.name} added (kind ${added.spec?.names?.kind})`);
      }),
    );
  d.command('ls')
    .description('List definitions')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const ds = await cli.client(cmd).getBlueprintDefinitions(cli.colonyName(cmd), cli.prvKey(cmd));
        if (o.json) return cli.out.json(ds);
        if (!ds.length) return cli.out.note('No blueprint definitions found');
        cli.out.table(['name', 'kind', 'group', 'version', 'handler'], ds.map((x) => [x.metadata?.name, x.spec?.names?.kind, x.spec?.group, x.spec?.version, x.spec?.handler?.executorType]));
      }),
    );
  d.command('get')
    .description('Show a definition')
    .requiredOption('--name <name>', 'definition name')
    .action(
      cli.action(async (o, cmd: Command) => {
        cli.out.json(await cli.client(cmd).getBlueprintDefinition(cli.colonyName(cmd), o.name, cli.prvKey(cmd)));
      }),
    );
  d.command('remove')
    .description('Remove a definition no blueprint uses (colony owner)')
    .requiredOption('--name <name>', 'definition name')
    .action(
      cli.action(async (o, cmd: Command) => {
        await cli.client(cmd).removeBlueprintDefinition(cli.colonyName(cmd), o.name, cli.colonyPrvKey(cmd));
        cli.out.ok(`Blueprint definition ${o.name} removed`);
      }),
    );

  b.command('add')
    .description('Add a blueprint')
    .requiredOption('--spec <file>', 'blueprint (JSON: kind, metadata.name, spec)')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const bp = await readWithColony(cli, cmd, o.spec);
        const added = await cli.client(cmd).addBlueprint(bp as BlueprintInput, cli.prvKey(cmd));
        if (o.json) return cli.out.json(added);
        cli.out.ok(`Blueprint ${added.metadata?.name} added`);
      }),
    );
  b.command('ls')
    .description('List blueprints')
    .option('--kind <kind>', 'only this kind')
    .option('--location <name>', 'with --kind: only this location')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const bs = await cli.client(cmd).getBlueprints(cli.colonyName(cmd), o.kind ?? '', o.location ?? '', cli.prvKey(cmd));
        if (o.json) return cli.out.json(bs);
        if (!bs.length) return cli.out.note('No blueprints found');
        cli.out.table(['name', 'kind', 'generation', 'updated', 'id'], bs.map((x) => [x.metadata?.name, x.kind, x.metadata?.generation ?? 0, showTime(x.metadata?.updatedAt), x.blueprintid]));
      }),
    );
  b.command('get')
    .description('Show a blueprint (JSON)')
    .requiredOption('--name <name>', 'blueprint name')
    .action(
      cli.action(async (o, cmd: Command) => {
        cli.out.json(await cli.client(cmd).getBlueprint(cli.colonyName(cmd), o.name, cli.prvKey(cmd)));
      }),
    );
  b.command('update')
    .description("Replace a blueprint's spec")
    .requiredOption('--spec <file>', 'blueprint (JSON)')
    .option('--force', 'bump the generation even if the spec did not change')
    .action(
      cli.action(async (o, cmd: Command) => {
        const bp = await readWithColony(cli, cmd, o.spec);
        const updated = await cli.client(cmd).updateBlueprint(bp as BlueprintInput, Boolean(o.force), cli.prvKey(cmd));
        cli.out.ok(`Blueprint ${updated.metadata?.name} updated (generation ${updated.metadata?.generation ?? 0})`);
      }),
    );
  b.command('remove')
    .description('Remove a blueprint')
    .requiredOption('--name <name>', 'blueprint name')
    .action(
      cli.action(async (o, cmd: Command) => {
        await cli.client(cmd).removeBlueprint(cli.colonyName(cmd), o.name, cli.prvKey(cmd));
        cli.out.ok(`Blueprint ${o.name} removed`);
      }),
    );
  b.command('history')
    .description('Show the change history of a blueprint')
    .requiredOption('--name <name>', 'blueprint name')
    .option('--limit <n>', 'how many entries (0 = all)', intArg, 0)
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const client = cli.client(cmd);
        const bp = await client.getBlueprint(cli.colonyName(cmd), o.name, cli.prvKey(cmd));
        const hs = await client.getBlueprintHistory(bp.blueprintid, o.limit, cli.prvKey(cmd));
        if (o.json) return cli.out.json(hs);
        if (!hs.length) return cli.out.note('No history found');
        cli.out.table(['time', 'change', 'generation', 'by'], hs.map((h) => [showTime(h.timestamp), h.changetype, h.generation, h.changedby]));
      }),
    );
  b.command('reconcile')
    .description('Ask the reconciler to act on a blueprint now')
    .requiredOption('--name <name>', 'blueprint name')
    .option('--force', 'force a full reconcile')
    .action(
      cli.action(async (o, cmd: Command) => {
        const p = await cli.client(cmd).reconcileBlueprint(cli.colonyName(cmd), o.name, Boolean(o.force), cli.prvKey(cmd));
        cli.out.ok(`Reconcile process ${p.processid} submitted`);
      }),
    );
}
