import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import type { DbConfig } from '../store/db.js';

export interface ServerConfig {
  host: string;
  port: number;
  /** id of the server owner key (COLONIES_SERVER_ID) */
  serverId: string;
  db: DbConfig;
  tls?: { cert: string; key: string };
  allowExecutorReregister: boolean;
  /** seconds without an assign call after which an executor is unregistered */
  staleExecutorDuration: number;
  /** seconds between stale-executor sweeps */
  cleanupInterval: number;
  /** ms */
  cronCheckerPeriod: number;
  /** ms */
  generatorCheckerPeriod: number;
  /** ms between timeout sweeps (maxwaittime / maxexectime) */
  timeoutCheckerPeriod: number;
  /** ms between checks for tables to vacuum when autovacuum is off (0 = never; see vacuum.ts) */
  vacuumCheckPeriod: number;
  retention: boolean;
  /** seconds */
  retentionPolicy: number;
  buildVersion: string;
  buildTime: string;
  logLevel: string;
  /**
   * seconds a stopping server goes on serving as usual, with /health answering 503, before it
   * drains (COLONIES_SHUTDOWN_DELAY, default 0): time for a balancer's health check to stop
   * sending it work, so that no connection is cut when it stops listening
   */
  shutdownDelay: number;
  /**
   * recover a turn's signatures beyond its first on a worker thread (COLONIES_RECOVER_WORKER,
   * default true; PostgreSQL only, see server.ts and recover-offload.ts); false keeps every
   * recovery on the main thread
   */
  recoverWorker: boolean;
}

const bool = (v: string | undefined, dflt: boolean) => (v === undefined || v === '' ? dflt : /^(1|true|yes|on)$/i.test(v));
const num = (v: string | undefined, dflt: number) => {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`not a number: ${v}`);
  return n;
};

/** A duration in seconds, 0 or more. */
function seconds(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number of seconds (0 or more), not ${v}`);
  return n;
}

/** Connections to PostgreSQL per server (default 20; long polls hold none while they wait). */
function poolSize(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 2) throw new Error(`COLONIES_DB_POOL_SIZE must be an integer of at least 2, not ${v}`);
  return n;
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.COLONIES_DATA_DIR || join(homedir(), '.colonies', 'data');
}

/** Reads the original server's environment variables (plus ours). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const dbUrl = env.COLONIES_DB_URL || undefined;
  const dbHost = env.COLONIES_DB_HOST || undefined;
  const tls = bool(env.COLONIES_TLS, false);
  const cert = env.COLONIES_SERVER_HTTP_TLS_CERT || env.COLONIES_TLSCERT || env.COLONIES_TLS_CERT;
  const key = env.COLONIES_SERVER_HTTP_TLS_KEY || env.COLONIES_TLSKEY || env.COLONIES_TLS_KEY;
  if (tls && (!cert || !key)) throw new Error('COLONIES_TLS=true needs COLONIES_SERVER_HTTP_TLS_CERT and COLONIES_SERVER_HTTP_TLS_KEY');
  return {
    host: env.COLONIES_SERVER_BIND || env.COLONIES_SERVER_HOST || '0.0.0.0',
    port: num(env.COLONIES_SERVER_HTTP_PORT || env.COLONIES_SERVER_PORT, 50080),
    serverId: env.COLONIES_SERVER_ID || '',
    db: {
      url: dbUrl,
      host: dbHost,
      port: num(env.COLONIES_DB_PORT, 5432),
      user: env.COLONIES_DB_USER || undefined,
      password: env.COLONIES_DB_PASSWORD || undefined,
      database: env.COLONIES_DB_NAME || (dbHost ? 'postgres' : undefined),
      schema: env.COLONIES_DB_SCHEMA || undefined,
      poolSize: poolSize(env.COLONIES_DB_POOL_SIZE),
      dataDir: dbUrl || dbHost ? undefined : defaultDataDir(env),
    },
    tls: tls ? { cert: cert!, key: key! } : undefined,
    allowExecutorReregister: bool(env.COLONIES_ALLOW_EXECUTOR_REREGISTER, false),
    staleExecutorDuration: num(env.COLONIES_STALE_EXECUTOR_DURATION, 600),
    cleanupInterval: num(env.COLONIES_CLEANUP_INTERVAL, 60),
    cronCheckerPeriod: num(env.COLONIES_CRON_CHECKER_PERIOD, 1000),
    generatorCheckerPeriod: num(env.COLONIES_GENERATOR_CHECKER_PERIOD, 1000),
    timeoutCheckerPeriod: num(env.COLONIES_TIMEOUT_CHECKER_PERIOD, 1000),
    vacuumCheckPeriod: num(env.COLONIES_VACUUM_CHECK_PERIOD, 15000),
    retention: bool(env.COLONIES_RETENTION, false),
    retentionPolicy: num(env.COLONIES_RETENTION_POLICY, 604800),
    buildVersion: env.BUILD_VERSION || 'dev',
    buildTime: env.BUILD_TIME || new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    logLevel: env.COLONIES_LOG_LEVEL || env.LOG_LEVEL || 'info',
    shutdownDelay: seconds('COLONIES_SHUTDOWN_DELAY', env.COLONIES_SHUTDOWN_DELAY, 0),
    recoverWorker: bool(env.COLONIES_RECOVER_WORKER, true),
  };
}

/** A bind address that means every interface. */
export function isWildcardHost(bind: string): boolean {
  return bind === '0.0.0.0' || bind === '::' || bind === '';
}

/** The host others can reach this server at: the bind address, or this machine's name for a wildcard bind. */
export function reachableHost(bind: string): string {
  return isWildcardHost(bind) ? hostname() : bind;
}
