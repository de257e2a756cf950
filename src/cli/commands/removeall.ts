// `process removeall` and `workflow removeall`: one state filter, one confirmation, one call.
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { ColoniesClient } from '../../client/client.js';
import { UsageError, type Cli } from '../context.js';

/** Asks on stdin (like the Go CLI: only "YES" confirms); works with piped input too. */
export async function confirm(cli: Cli, question: string): Promise<boolean> {
  cli.out.note(question);
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    return answer.trim() === 'YES';
  } finally {
    rl.close();
  }
}

const STATES = { waiting: 0, successful: 2, failed: 3, cancelled: 4 } as const;
type StateFlag = keyof typeof STATES;

/** Adds `removeall` with --waiting/--successful/--failed/--cancelled (none = all) and --yes. */
export function addRemoveAll(
  g: Command,
  cli: Cli,
  o: { noun: string; description: string; remove: (client: ColoniesClient, colony: string, state: number, prvKey: string) => Promise<unknown> },
): void {
  g.command('removeall')
    .description(o.description)
    .option('--waiting', 'only waiting ones')
    .option('--successful', 'only successful ones')
    .option('--failed', 'only failed ones')
    .option('--cancelled', 'only cancelled ones')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      cli.action(async (opts, cmd: Command) => {
        const picked = (Object.keys(STATES) as StateFlag[]).filter((k) => opts[k]);
        if (picked.length > 1) throw new UsageError('use only one of --waiting, --successful, --failed, --cancelled');
        const state = picked.length ? STATES[picked[0]] : -1;
        const colony = cli.colonyName(cmd);
        const what = picked[0] ?? 'all';
        if (!opts.yes && !(await confirm(cli, `Remove ${what} ${o.noun} in colony ${colony}? This cannot be undone. Type YES: `))) {
          cli.out.note('Aborted');
          return 1;
        }
        await o.remove(cli.client(cmd), colony, state, cli.colonyPrvKey(cmd));
        cli.out.ok(`Removed ${what} ${o.noun} in colony ${colony}`);
      }),
    );
}
