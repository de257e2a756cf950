// Settings shared by the examples: the COLONIES_* variables that `colonies dev` prints
// (source ~/.colonies/data/dev.env), and a stable key per example executor.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ColoniesClient, sha3Hex } from '../src/index.js';

export interface ExampleEnv {
  host: string;
  port: number;
  tls: boolean;
  colonyName: string;
  /** a member's key, used to submit work (COLONIES_PRVKEY) */
  prvKey: string;
  /** the colony owner's key, used to register the example executors (COLONIES_COLONY_PRVKEY) */
  colonyPrvKey: string;
}

export function envFromProcess(env: NodeJS.ProcessEnv = process.env): ExampleEnv {
  const need = (k: string) => {
    const v = env[k];
    if (!v) {
      console.error(`${k} is not set. Start \`npm run dev\` and run: source ~/.colonies/data/dev.env`);
      process.exit(2);
    }
    return v;
  };
  return {
    host: env.COLONIES_SERVER_HOST || 'localhost',
    port: Number(env.COLONIES_SERVER_PORT || 50080),
    tls: env.COLONIES_TLS === 'true',
    colonyName: need('COLONIES_COLONY_NAME'),
    prvKey: need('COLONIES_PRVKEY'),
    colonyPrvKey: need('COLONIES_COLONY_PRVKEY'),
  };
}

export function clientFor(env: ExampleEnv): ColoniesClient {
  return new ColoniesClient({ host: env.host, port: env.port, tls: env.tls, prvKey: env.prvKey });
}

/**
 * The same private key every run for an example executor (derived from the colony key and
 * the executor's name), so a restarted example finds its earlier registration.
 */
export function exampleKey(env: ExampleEnv, executorName: string): string {
  return sha3Hex(`${env.colonyPrvKey}/${executorName}`);
}

/** True when this module is the program node was started with. */
export function isMain(importMetaUrl: string): boolean {
  return Boolean(process.argv[1]) && importMetaUrl === pathToFileURL(resolve(process.argv[1])).href;
}
