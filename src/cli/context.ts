// Where a command's settings come from: its flags first, then the environment variables the
// Go CLI reads (COLONIES_SERVER_HOST, COLONIES_PRVKEY, COLONIES_COLONY_NAME, ...). Also the
// CLI's error type and the wrapper that turns any failure into a message and an exit code.
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { ColoniesClient } from '../client/client.js';
import { defaultNodeFetch } from '../client/node-transport.js';
import { serverCrypto } from '../crypto/server.js';
import { ColoniesError } from '../protocol/errors.js';
import { parseJson } from '../protocol/json.js';
import { Output, type Streams } from './output.js';

/** A mistake the user can fix (missing setting, bad flag, bad file): exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes: 0 ok; 1 a refused call, an unreachable server or a failed process; 2 usage. */
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface GlobalOptions {
  host?: string;
  port?: string;
  tls?: boolean;
  insecure?: boolean;
  prvkey?: string;
  colonyname?: string;
  json?: boolean;
}

export class Cli {
  readonly out: Output;
  constructor(readonly io: Streams) {
    this.out = new Output(io);
  }

  get env(): NodeJS.ProcessEnv {
    return this.io.env;
  }

  opts(cmd: Command): GlobalOptions & Record<string, any> {
    return cmd.optsWithGlobals();
  }

  /** A client for the server named by --host/--port/--tls or COLONIES_SERVER_HOST/PORT/TLS. */
  client(cmd: Command): ColoniesClient {
    const o = this.opts(cmd);
    const host = o.host || this.env.COLONIES_SERVER_HOST || 'localhost';
    const portText = o.port || this.env.COLONIES_SERVER_PORT || '50080';
    const port = Number(portText);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new UsageError(`invalid server port: ${portText}`);
    const tlsEnv = this.env.COLONIES_TLS ?? this.env.COLONIES_SERVER_TLS ?? '';
    const tls = o.insecure ? false : Boolean(o.tls) || /^(1|true|yes)$/i.test(tlsEnv);
    return new ColoniesClient({ host, port, tls, fetch: defaultNodeFetch(), crypto: serverCrypto() });
  }

  /** The caller's key: --prvkey or COLONIES_PRVKEY. */
  prvKey(cmd: Command): string {
    return this.need(this.opts(cmd).prvkey || this.env.COLONIES_PRVKEY, 'a private key', 'COLONIES_PRVKEY', '--prvkey');
  }

  /** The colony owner's key: --colonyprvkey or COLONIES_COLONY_PRVKEY. */
  colonyPrvKey(cmd: Command): string {
    return this.need(this.opts(cmd).colonyprvkey || this.env.COLONIES_COLONY_PRVKEY, "the colony owner's private key", 'COLONIES_COLONY_PRVKEY', '--colonyprvkey');
  }

  /** The server owner's key: --serverprvkey or COLONIES_SERVER_PRVKEY. */
  serverPrvKey(cmd: Command): string {
    return this.need(this.opts(cmd).serverprvkey || this.env.COLONIES_SERVER_PRVKEY, "the server owner's private key", 'COLONIES_SERVER_PRVKEY', '--serverprvkey');
  }

  /** The colony: --colonyname or COLONIES_COLONY_NAME. */
  colonyName(cmd: Command): string {
    return this.need(this.opts(cmd).colonyname || this.env.COLONIES_COLONY_NAME, 'a colony name', 'COLONIES_COLONY_NAME', '--colonyname');
  }

  private need(v: string | undefined, what: string, envName: string, flag: string): string {
    if (!v) throw new UsageError(`${what} is needed: set ${envName} or pass ${flag} (try \`colonies dev\` for a ready-made environment)`);
    return v;
  }

  /** Reads a JSON file (spec files); clear errors for a missing file or bad JSON. */
  async readJson(path: string, what = 'spec file'): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(`cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
    try {
      return parseJson(text);
    } catch (e) {
      throw new UsageError(`${what} ${path} is not valid JSON: ${(e as Error).message}`);
    }
  }

  /** Reads a JSON file that must hold an object. */
  async readObject(path: string, what = 'spec file'): Promise<Record<string, any>> {
    const v = await this.readJson(path, what);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new UsageError(`${what} ${path} must hold a JSON object`);
    return v as Record<string, any>;
  }

  /** Prints an error the way the user should see it and sets the exit code. */
  report(e: unknown): number {
    const out = this.out;
    if (e instanceof UsageError) {
      out.note(`${out.red('Error:')} ${e.message}`);
      return EXIT_USAGE;
    }
    if (e instanceof ColoniesError) {
      const status = e.status ? ` ${out.dim(`(status ${e.status})`)}` : '';
      out.note(`${out.red('Error:')} ${e.message}${status}`);
      return EXIT_FAILED;
    }
    out.note(`${out.red('Error:')} ${e instanceof Error ? e.message : String(e)}`);
    return EXIT_FAILED;
  }

  /** Wraps an action: errors are reported, the exit code is set, nothing is thrown. */
  action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
    return async (...args: A) => {
      try {
        const code = await fn(...args);
        if (typeof code === 'number') process.exitCode = code;
      } catch (e) {
        process.exitCode = this.report(e);
      }
    };
  }
}

/** Parses an integer flag value (commander argParser). */
export function intArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n)) throw new InvalidArgumentError('not an integer.');
  return n;
}

/** Collects repeated or comma-separated values (`--args a,b --args c` → [a, b, c]). */
export function listArg(value: string, previous: string[] = []): string[] {
  return previous.concat(value.split(',').filter((s) => s !== ''));
}
