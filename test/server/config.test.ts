// Server configuration from the environment: the database pool size.
import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/server/config.js';

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
