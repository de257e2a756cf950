// The `colonies` command tree: the Go CLI's groups and flags, driven by the same env vars.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { Cli } from './context.js';
import { registerBlueprint } from './commands/blueprint.js';
import { registerColony } from './commands/colony.js';
import { registerExecutor } from './commands/executor.js';
import { registerFiles } from './commands/files.js';
import { registerFunction } from './commands/function.js';
import { registerLogs } from './commands/logs.js';
import { registerProcess } from './commands/process.js';
import { registerSchedules } from './commands/schedules.js';
import { registerServer } from './commands/server.js';
import { registerLocation, registerUser } from './commands/user.js';
import { registerWorkflow } from './commands/workflow.js';

function packageVersion(): string {
  // src/cli → ../../package.json; dist/src/cli → ../../../package.json
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      // try the next location
    }
  }
  return 'unknown';
}

export function buildProgram(cli: Cli): Command {
  const program = new Command('colonies');
  // Usage errors throw (exit code 2 in main) instead of exiting from inside commander.
  program.exitOverride();
  program
    .description('Colonies CLI: run and manage colonies, executors, processes and workflows')
    .version(packageVersion(), '--version', 'print the CLI version')
    .option('--host <host>', 'server host (COLONIES_SERVER_HOST, default localhost)')
    .option('--port <port>', 'server port (COLONIES_SERVER_PORT, default 50080)')
    .option('--tls', 'use https/wss (COLONIES_TLS=true)')
    .option('--insecure', 'use plain http even if COLONIES_TLS=true')
    .option('--prvkey <key>', 'private key to sign with (COLONIES_PRVKEY)')
    .option('--colonyname <name>', 'colony (COLONIES_COLONY_NAME)')
    .configureOutput({
      writeOut: (s) => cli.io.stdout.write(s),
      writeErr: (s) => cli.io.stderr.write(s),
      outputError: (s, write) => write(cli.out.red(s)),
    })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
Environment: COLONIES_SERVER_HOST, COLONIES_SERVER_PORT, COLONIES_TLS, COLONIES_PRVKEY,
COLONIES_COLONY_NAME, COLONIES_COLONY_PRVKEY, COLONIES_SERVER_PRVKEY, COLONIES_EXECUTOR_TYPE.

Examples:
  $ colonies dev                                   start a dev server with a ready colony
  $ colonies function exec --func echo --args hi --targettype cli --wait
  $ colonies process ps --json`,
    );
  registerServer(program, cli);
  registerColony(program, cli);
  registerExecutor(program, cli);
  registerUser(program, cli);
  registerLocation(program, cli);
  registerFunction(program, cli);
  registerProcess(program, cli);
  registerWorkflow(program, cli);
  registerLogs(program, cli);
  registerSchedules(program, cli);
  registerBlueprint(program, cli);
  registerFiles(program, cli);
  return program;
}
