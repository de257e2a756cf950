import type { Logger } from 'pino';
import type { CryptoProvider } from '../crypto/index.js';
import type { Db } from '../store/db.js';
import type { ServerConfig } from './config.js';
import type { EventBus } from './events.js';
import type { Recoverer } from './recover-offload.js';
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
  /** signature recovery for requests: inline, or beside the event loop under load (recover-offload.ts) */
  readonly recoverer: Recoverer;
  readonly log: Logger;
  /** true while this replica holds the leader lock (runs crons, generators, cleanup) */
  isLeader(): boolean;
  /** The http port actually bound (for server info). */
  port(): number;
}

/** A value made once per server instance, on first use (state a handler module keeps per server). */
export function perServer<T>(make: (srv: ServerContext) => T): (srv: ServerContext) => T {
  const made = new WeakMap<ServerContext, T>();
  return (srv) => {
    let v = made.get(srv);
    if (v === undefined) made.set(srv, (v = make(srv)));
    return v;
  };
}
