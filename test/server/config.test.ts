// Server configuration from the environment: the database pool size; the host a server announces.
import { describe, expect, it } from 'vitest';
import { hostname } from 'node:os';
import { configFromEnv, reachableHost } from '../../src/server/config.js';

describe('COLONIES_DB_POOL_SIZE', () => {
  it('is passed to the database configuration, and absent means the default', () => {
    expect(configFromEnv({ COLONIES_DB_URL: 'postgres://x/y', COLONIES_DB_POOL_SIZE: '8' }).db.poolSize).toBe(8);
    expect(configFromEnv({ COLONIES_DB_URL: 'postgres://x/y' }).db.poolSize).toBeUndefined();
    expect(configFromEnv({ COLONIES_DB_URL: 'postgres://x/y', COLONIES_DB_POOL_SIZE: '' }).db.poolSize).toBeUndefined();
  });

  it.each(['0', '1', '-4', '2.5', 'ten'])('refuses %s with a clear message', (v) => {
    expect(() => configFromEnv({ COLONIES_DB_URL: 'postgres://x/y', COLONIES_DB_POOL_SIZE: v })).toThrow(
      `COLONIES_DB_POOL_SIZE must be an integer of at least 2, not ${v}`,
    );
  });
});

describe('COLONIES_RECOVER_WORKER', () => {
  it('is on unless turned off', () => {
    expect(configFromEnv({}).recoverWorker).toBe(true);
    expect(configFromEnv({ COLONIES_RECOVER_WORKER: '0' }).recoverWorker).toBe(false);
    expect(configFromEnv({ COLONIES_RECOVER_WORKER: 'false' }).recoverWorker).toBe(false);
    expect(configFromEnv({ COLONIES_RECOVER_WORKER: '1' }).recoverWorker).toBe(true);
  });
});

describe('COLONIES_SHUTDOWN_DELAY', () => {
  it('is in seconds, fractions allowed, and absent means no delay', () => {
    expect(configFromEnv({ COLONIES_SHUTDOWN_DELAY: '5' }).shutdownDelay).toBe(5);
    expect(configFromEnv({ COLONIES_SHUTDOWN_DELAY: '0.5' }).shutdownDelay).toBe(0.5);
    expect(configFromEnv({}).shutdownDelay).toBe(0);
  });

  it.each(['-1', 'ten', 'Infinity'])('refuses %s with a clear message', (v) => {
    expect(() => configFromEnv({ COLONIES_SHUTDOWN_DELAY: v })).toThrow(`COLONIES_SHUTDOWN_DELAY must be a number of seconds (0 or more), not ${v}`);
  });
});

describe('reachableHost', () => {
  it('is the bind address, or the machine name for a wildcard bind', () => {
    expect(reachableHost('127.0.0.1')).toBe('127.0.0.1');
    expect(reachableHost('10.1.2.3')).toBe('10.1.2.3');
    for (const wildcard of ['0.0.0.0', '::', '']) expect(reachableHost(wildcard)).toBe(hostname());
  });
});
