// Starting and stopping one server replica.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { Server as NetServer, type AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { serverCrypto } from '../crypto/server.js';
import { openDb, type Db } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import { anyAssignable } from '../store/process-assign.js';
import { isWildcardHost, reachableHost, type ServerConfig } from './config.js';
import type { ServerContext } from './context.js';
import { EventBus } from './events.js';
import { InFlight, requestHandler } from './http.js';
import { Loops } from './loops.js';
import { AssignWaiters } from './waiters.js';
import { SignerCache } from './signer-cache.js';
import { inlineRecoverer, RecoverOffload } from './recover-offload.js';
import { attachPubsub } from './pubsub.js';
import { serveDashboard } from './dashboard.js';
import './handlers/index.js';

/** How long a shutdown waits for requests in flight to finish before cutting connections. */
const SHUTDOWN_GRACE_MS = 10_000;
/** ... and how long it must have been quiet: no request in flight, none just finished. */
const SHUTDOWN_LINGER_MS = 200;

export interface RunningServer {
  readonly srv: ServerContext;
  readonly http: Server;
  readonly port: number;
  /** http(s)://host:port */
  readonly url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** use an already open database (tests) */
  db?: Db;
}

export async function startServer(config: ServerConfig, opts: StartOptions = {}): Promise<RunningServer> {
  const log = opts.logger ?? pino({ level: config.logLevel, base: { service: 'colonies' } });
  const db = opts.db ?? (await openDb(config.db));
  await migrate(db);
  if (config.serverId) {
    await db.query("INSERT INTO server_config (key, value) VALUES ('serverid', $1) ON CONFLICT (key) DO NOTHING", [config.serverId]);
  }
  const bus = new EventBus(db);
  await bus.start();
  const crypto = serverCrypto();
  if (!crypto.native) log.warn({ reason: crypto.fallbackReason }, 'native libsecp256k1 binding not available: signature recovery uses the slower JS path');
  let boundPort = config.port;
  let loops: Loops | null = null;
  const srv: ServerContext = {
    config,
    db,
    bus,
    waiters: new AssignWaiters(bus, (colonyname, executortype) => anyAssignable(db, colonyname, executortype)),
    signers: new SignerCache(),
    // Off with the embedded database: its engine has a worker thread of its own, and a second one
    // measured slower there (bench/RESULTS.md, eleventh round).
    recoverer: crypto.native && config.recoverWorker && db.kind === 'postgres' ? new RecoverOffload(crypto, log) : inlineRecoverer(crypto),
    crypto,
    log,
    isLeader: () => loops?.isLeader() ?? false,
    port: () => boundPort,
  };
  loops = new Loops(srv);
  const inFlight = new InFlight();
  const handler = requestHandler(srv, serveDashboard, inFlight);
  const http = config.tls
    ? (createHttpsServer({ cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) }, handler) as unknown as Server)
    : createHttpServer(handler);
  // Long polls hold requests open for as long as the client asked: no request timeout.
  http.requestTimeout = 0;
  http.headersTimeout = 10_000;
  http.keepAliveTimeout = 120_000;
  const closePubsub = attachPubsub(http, srv);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => resolve());
  });
  boundPort = (http.address() as AddressInfo).port;
  await loops.start();
  bus.describeSelf(() => ({ host: reachableHost(config.host), port: boundPort, leader: srv.isLeader() }));
  await bus.announce();
  const scheme = config.tls ? 'https' : 'http';
  const shownHost = isWildcardHost(config.host) ? 'localhost' : config.host;
  log.info(
    { address: `${config.host}:${boundPort}`, database: db.kind, where: db.where, tls: Boolean(config.tls), leader: srv.isLeader() },
    `Colonies server listening on ${scheme}://${shownHost}:${boundPort} (database: ${db.kind} ${db.where})`,
  );
  let closed = false;
  return {
    srv,
    http,
    port: boundPort,
    url: `${scheme}://${shownHost === 'localhost' ? '127.0.0.1' : shownHost}:${boundPort}`,
    async close() {
      if (closed) return;
      closed = true;
      if (config.shutdownDelay > 0) {
        // Still serving, but /health says 503: a balancer checking it stops sending work here
        // before the listener closes (connections it opens meanwhile are served).
        inFlight.unready = true;
        log.info({ seconds: config.shutdownDelay }, 'shutting down: unready, serving on for COLONIES_SHUTDOWN_DELAY');
        await new Promise((r) => setTimeout(r, config.shutdownDelay * 1000));
      }
      // Graceful: no new connections, long polls answer "nothing came" at once, requests in
      // flight finish and get their reply (an assignment already made reaches its executor
      // instead of being cut off with the connection), up to SHUTDOWN_GRACE_MS.
      inFlight.draining = true;
      // Stop accepting, but not the way http.close() does (Node >= 19 also cuts idle
      // connections at once, and one accepted a moment ago may be bringing a request).
      const httpClosed = new Promise<void>((r) => NetServer.prototype.close.call(http, () => r()));
      closePubsub();
      srv.waiters.close();
      await loops!.stop();
      await inFlight.quiet(SHUTDOWN_LINGER_MS, SHUTDOWN_GRACE_MS);
      http.closeAllConnections();
      http.close(() => undefined); // clears the http server's own timers (not listening any more)
      await httpClosed;
      await bus.stop();
      await srv.recoverer.close();
      if (!opts.db) await db.close();
    },
  };
}
