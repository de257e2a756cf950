import type { Logger } from 'pino';
import type { CryptoProvider } from '../crypto/index.js';
import type { Db } from '../store/db.js';
import type { ServerConfig } from './config.js';
import type { EventBus } from './events.js';
import type { SignerCache } from './signer-cache.js';
import type { AssignWaiters } from './waiters.js';

/** Everything a handler may use; one per server instance. */
export interface ServerContext {
  readonly config: ServerConfig;
  readonly db: Db;
  readonly bus: EventBus;
  readonly waiters: AssignWaiters;
  readonly crypto: CryptoProvider;
  /** signer ids of recently seen (payload, signature) pairs */
  readonly signers: SignerCache;
  readonly log: Logger;
  /** true while this replica holds the leader lock (runs crons, generators, cleanup) */
  isLeader(): boolean;
  /** The http port actually bound (for server info). */
  port(): number;
}
