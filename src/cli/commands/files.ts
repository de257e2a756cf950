// colonies file ls|labels|get|remove and colonies snapshot create|ls|get|remove: the CFS
// metadata the server keeps (the bytes themselves live in S3 and are not handled here).
import type { Command } from 'commander';
import type { FileRef, SnapshotRef } from '../../client/storage.js';
import { UsageError, type Cli } from '../context.js';
import { showTime } from '../output.js';

function fileRef(o: { fileid?: string; label?: string; name?: string }): FileRef {
  if (o.fileid) return { fileId: o.fileid };
  if (o.label && o.name) return { label: o.label, name: o.name };
  throw new UsageError('say which file: --fileid <id>, or --label <label> --name <name>');
}

function snapshotRef(o: { snapshotid?: string; name?: string }): SnapshotRef {
  if (o.snapshotid) return { snapshotId: o.snapshotid };
  if (o.name) return { name: o.name };
  throw new UsageError('say which snapshot: --snapshotid <id> or --name <name>');
}

export function registerFiles(program: Command, cli: Cli): void {
  const f = program.command('file').alias('fs').description('File metadata (CFS)');

  f.command('ls')
    .description('List the files with a label (newest revision of each)')
    .requiredOption('-l, --label <label>', 'label, e.g. /data')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const fs = await cli.client(cmd).getFiles(cli.colonyName(cmd), o.label, cli.prvKey(cmd));
        if (o.json) return cli.out.json(fs);
        if (!fs.length) return cli.out.note(`No files with label ${o.label}`);
        cli.out.table(['name', 'size', 'checksum'], fs.map((x) => [x.name, x.size, x.checksum]));
      }),
    );

  f.command('labels')
    .description('List labels and their file counts')
    .option('--name <prefix>', 'only labels starting with this')
    .option('--exact', 'only --name itself and the labels below it')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const ls = await cli.client(cmd).getFileLabels(cli.colonyName(cmd), o.name ?? '', Boolean(o.exact), cli.prvKey(cmd));
        if (o.json) return cli.out.json(ls);
        if (!ls.length) return cli.out.note('No labels found');
        cli.out.table(['label', 'files'], ls.map((l) => [l.name, l.files]));
      }),
    );

  f.command('get')
    .description('Show a file (by id) or the revisions of label + name')
    .option('--fileid <id>', 'file id')
    .option('-l, --label <label>', 'label')
    .option('--name <name>', 'file name')
    .option('--latest', 'only the newest revision')
    .action(
      cli.action(async (o, cmd: Command) => {
        cli.out.json(await cli.client(cmd).getFile(cli.colonyName(cmd), fileRef(o), Boolean(o.latest), cli.prvKey(cmd)));
      }),
    );

  f.command('remove')
    .description('Remove a file by id, or all revisions of label + name')
    .option('--fileid <id>', 'file id')
    .option('-l, --label <label>', 'label')
    .option('--name <name>', 'file name')
    .action(
      cli.action(async (o, cmd: Command) => {
        await cli.client(cmd).removeFile(cli.colonyName(cmd), fileRef(o), cli.prvKey(cmd));
        cli.out.ok('File removed');
      }),
    );

  const s = program.command('snapshot').description('Snapshots of labelled files');

  s.command('create')
    .description('Capture the newest revision of every file under a label')
    .requiredOption('-l, --label <label>', 'label')
    .requiredOption('--name <name>', 'snapshot name (unique in the colony)')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const snap = await cli.client(cmd).createSnapshot(cli.colonyName(cmd), o.label, o.name, cli.prvKey(cmd));
        if (o.json) return cli.out.json(snap);
        cli.out.ok(`Snapshot ${snap.name} created (${(snap.fileids ?? []).length} files, ${snap.snapshotid})`);
      }),
    );

  s.command('ls')
    .description('List snapshots')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const ss = await cli.client(cmd).getSnapshots(cli.colonyName(cmd), cli.prvKey(cmd));
        if (o.json) return cli.out.json(ss);
        if (!ss.length) return cli.out.note('No snapshots found');
        cli.out.table(['name', 'label', 'files', 'added', 'id'], ss.map((x) => [x.name, x.label, (x.fileids ?? []).length, showTime(x.added), x.snapshotid]));
      }),
    );

  s.command('get')
    .description('Show a snapshot (JSON)')
    .option('--snapshotid <id>', 'snapshot id')
    .option('--name <name>', 'snapshot name')
    .action(
      cli.action(async (o, cmd: Command) => {
        cli.out.json(await cli.client(cmd).getSnapshot(cli.colonyName(cmd), snapshotRef(o), cli.prvKey(cmd)));
      }),
    );

  s.command('remove')
    .description('Remove a snapshot (the files stay)')
    .option('--snapshotid <id>', 'snapshot id')
    .option('--name <name>', 'snapshot name')
    .action(
      cli.action(async (o, cmd: Command) => {
        await cli.client(cmd).removeSnapshot(cli.colonyName(cmd), snapshotRef(o), cli.prvKey(cmd));
        cli.out.ok('Snapshot removed');
      }),
    );
}
