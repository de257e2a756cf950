// colonies server start|status|alive|info|stats, colonies dev, colonies security generate|id.
// Only `server start` and `dev` load the server code (dynamic import: the SDK stays browser-safe).
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { browserCrypto } from '../../crypto/index.js';
import { EXIT_FAILED, UsageError, type Cli } from '../context.js';
import { cellText } from '../output.js';
import { statisticsPairs } from './colony.js';

/** startServer with a clear message for the usual failure (the port is taken). */
async function start<T>(fn: () => Promise<T>, port: number, portVar: string): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`port ${port} is already in use: stop the other server or set ${portVar}`);
    throw e;
  }
}

/** Resolves when SIGINT or SIGTERM arrives. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export function registerServer(program: Command, cli: Cli): void {
  const g = program.command('server').description('Run or inspect a Colonies server').addHelpText(
    'after',
    `
Examples:
  $ COLONIES_SERVER_ID=<id> COLONIES_DB_URL=postgres://... colonies server start
  $ colonies server status
  $ colonies server stats     (COLONIES_SERVER_PRVKEY)`,
  );

  g.command('start')
    .description('Start a server (COLONIES_SERVER_ID, COLONIES_DB_* or a PGlite data folder); stops on SIGINT/SIGTERM')
    .action(
      cli.action(async (_o, cmd: Command) => {
        const { configFromEnv, defaultDataDir } = await import('../../server/config.js');
        const { startServer } = await import('../../server/server.js');
        const env = { ...cli.env };
        const port = cli.opts(cmd).port;
        if (port) env.COLONIES_SERVER_HTTP_PORT = port;
        let config;
        try {
          config = configFromEnv(env);
        } catch (e) {
          throw new UsageError(`bad server configuration: ${(e as Error).message}`);
        }
        if (!config.serverId) {
          // No owner configured: fall back to the dev environment if `colonies dev` made one.
          const { DEV_KEYS_FILE, prepareDevEnvironment } = await import('../../server/dev.js');
          const dataDir = defaultDataDir(env);
          if (!existsSync(join(dataDir, DEV_KEYS_FILE))) {
            throw new UsageError(
              'COLONIES_SERVER_ID is not set: set it to the id of the server owner key (`colonies security generate`), or run `colonies dev` for a development server',
            );
          }
          const dev = await prepareDevEnvironment(dataDir);
          config = { ...config, serverId: dev.serverId, db: config.db.dataDir ? { ...config.db, dataDir: join(dataDir, 'pgdata') } : config.db };
          cli.out.note(`COLONIES_SERVER_ID not set: using the dev environment in ${dataDir}`);
        }
        const running = await start(() => startServer(config), config.port, 'COLONIES_SERVER_HTTP_PORT');
        const sig = await untilSignal();
        cli.out.note(`${sig}: shutting down`);
        await running.close();
      }),
    );

  g.command('alive')
    .description('Check that the server answers (exit code 0 = yes)')
    .action(
      cli.action(async (_o, cmd: Command) => {
        const client = cli.client(cmd);
        if (await client.checkHealth()) return cli.out.ok(`Server ${client.baseUrl} is alive`);
        cli.out.note(`${cli.out.red('✘')} Server ${client.baseUrl} is not reachable`);
        return EXIT_FAILED;
      }),
    );

  g.command('status')
    .alias('info')
    .description('Show the server version and backends')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const client = cli.client(cmd);
        const info = await client.getServerInfo();
        if (o.json) return cli.out.json(info);
        cli.out.kv(`Server ${client.baseUrl}`, [
          ['Build version', info.buildversion],
          ['Build time', info.buildtime],
          ...(info.backends ?? []).map((b, i): [string, unknown] => [`Backend ${i + 1}`, `${b.type} ${b.host ?? ''}:${b.port}${b.tls ? ' tls' : ''}`]),
        ]);
      }),
    );

  g.command('stats')
    .description('Show server-wide statistics (server owner)')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const s = await cli.client(cmd).getStatistics(cli.serverPrvKey(cmd));
        if (o.json) return cli.out.json(s);
        cli.out.kv('Server statistics', statisticsPairs(s));
      }),
    );

  program
    .command('cluster')
    .description('Inspect the server replicas sharing this database')
    .command('info')
    .description('List the replicas this server hears and the leader, which runs crons, generators and timeouts (server owner)')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const c = await cli.client(cmd).getCluster(cli.serverPrvKey(cmd));
        if (o.json) return cli.out.json(c);
        const leads = (n: { name: string }) => (n.name === c.leader.name ? 'yes' : '');
        cli.out.table(['name', 'host', 'api port', 'leader'], (c.nodes ?? []).map((n) => [n.name, n.host, n.apiport, leads(n)]));
      }),
    );

  registerDev(program, cli);
  registerSecurity(program, cli);
}

function registerDev(program: Command, cli: Cli): void {
  program
    .command('dev')
    .description('Start a development server: PGlite database, a seeded `dev` colony, keys and env vars')
    .addHelpText(
      'after',
      `
Data folder: COLONIES_DATA_DIR or ~/.colonies/data. Port: COLONIES_SERVER_PORT or 50080.
Example:
  $ colonies dev            (in another terminal: source ~/.colonies/data/dev.env)`,
    )
    .action(
      cli.action(async (_o, cmd: Command) => {
        const { configFromEnv, defaultDataDir } = await import('../../server/config.js');
        const { startServer } = await import('../../server/server.js');
        const dev = await import('../../server/dev.js');
        const dataDir = defaultDataDir(cli.env);
        const devEnv = await dev.prepareDevEnvironment(dataDir);
        const portText = cli.opts(cmd).port || cli.env.COLONIES_SERVER_PORT || '50080';
        if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new UsageError(`invalid port: ${portText}`);
        const base = configFromEnv({ ...cli.env, COLONIES_DB_URL: '', COLONIES_DB_HOST: '' });
        const config = {
          ...base,
          port: Number(portText),
          serverId: devEnv.serverId,
          db: { dataDir: join(dataDir, 'pgdata') },
          logLevel: cli.env.COLONIES_LOG_LEVEL || 'warn',
        };
        const running = await start(() => startServer(config), config.port, 'COLONIES_SERVER_PORT');
        await dev.seedDevColony(running.srv, devEnv);
        const lines = dev.devEnvLines(devEnv, running.url);
        const envFile = join(dataDir, 'dev.env');
        await writeFile(envFile, lines.join('\n') + '\n', { mode: 0o600 });
        const out = cli.out;
        out.line(`${out.green('✔')} Colonies dev server on ${out.bold(running.url)}  (data: ${dataDir})`);
        out.line();
        out.line(out.bold(`Environment (also in ${envFile}):`));
        for (const l of lines) out.line(l);
        out.line();
        out.line(out.bold('Try this in another terminal:'));
        out.line(`  source ${envFile}`);
        out.line('  colonies executor ls');
        out.line('  npx tsx examples/echo-executor.ts &');
        out.line('  colonies function exec --func echo --args hello --targettype echo --wait');
        out.line();
        out.line(out.dim('Ctrl+C stops the server.'));
        const sig = await untilSignal();
        out.note(`${sig}: shutting down`);
        await running.close();
      }),
    );
}

function registerSecurity(program: Command, cli: Cli): void {
  const g = program.command('security').description('Keys and ids');

  g.command('generate')
    .description('Generate a private key and print it with its id')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o) => {
        const prvkey = browserCrypto.generatePrivateKey();
        const id = browserCrypto.idOf(prvkey);
        if (o.json) return cli.out.json({ prvkey, id });
        cli.out.kv(undefined, [
          ['PrvKey', prvkey],
          ['Id', id],
        ]);
      }),
    );

  g.command('id')
    .description('Print the id of a private key (--prvkey or COLONIES_PRVKEY)')
    .action(
      cli.action(async (_o, cmd: Command) => {
        const key = cli.prvKey(cmd);
        try {
          cli.out.line(browserCrypto.idOf(key));
        } catch (e) {
          throw new UsageError(`not a private key: ${cellText((e as Error).message)}`);
        }
      }),
    );
}
