#!/usr/bin/env node
// `colonies`: parses the command line and runs one command. Exit codes: 0 ok, 1 refused call /
// unreachable server / failed process, 2 usage error (see context.ts).
import { CommanderError } from 'commander';
import { Cli, EXIT_USAGE } from './context.js';
import { buildProgram } from './program.js';

const cli = new Cli({ stdout: process.stdout, stderr: process.stderr, env: process.env });
const program = buildProgram(cli);
try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // --help/--version "errors" are successes; everything else is a usage mistake.
    process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
  } else {
    process.exitCode = cli.report(e);
  }
}
