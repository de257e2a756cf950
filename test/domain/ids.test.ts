import { describe, expect, it } from 'vitest';
import { isKeyIdLength, randomId } from '../../src/domain/ids.js';

describe('randomId', () => {
  it('gives 64 lowercase hex characters, all distinct across many blocks of the pool', () => {
    const ids = Array.from({ length: 1000 }, () => randomId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every(isKeyIdLength)).toBe(true);
  });
});
