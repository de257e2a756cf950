// CPU / memory strings (DECISIONS "memory / CPU strings"): a deterministic superset of Go's units.
import { describe, expect, it } from 'vitest';
import { formatCpu, formatMemory, parseCpu, parseMemory } from '../../src/domain/resources.js';
import { normaliseSpec } from '../../src/domain/spec.js';
import { FunctionSpecSchema } from '../../src/protocol/objects.js';

describe('parseMemory', () => {
  it.each([
    ['', 0n],
    ['0', 0n],
    ['2', 2n],
    ['1Ki', 1024n],
    ['1KiB', 1024n],
    ['1Mi', 1048576n],
    ['1Gi', 1073741824n],
    ['1TiB', 1099511627776n],
    ['1k', 1000n],
    ['1K', 1000n],
    ['1KB', 1000n],
    ['1Kb', 1000n],
    ['1M', 1_000_000n],
    ['1MB', 1_000_000n],
    ['1Mb', 1_000_000n],
    ['1G', 1_000_000_000n],
    ['1GB', 1_000_000_000n],
    ['1Gb', 1_000_000_000n],
    ['1T', 1_000_000_000_000n],
    ['1Tb', 1_000_000_000_000n],
    ['1.5Gi', 1610612736n],
    ['512 Mi', 536870912n],
  ])('%s → %s bytes, every time', (s, bytes) => {
    for (let i = 0; i < 20; i++) expect(parseMemory(s)).toBe(bytes);
  });

  it('rejects what it cannot read with Go’s 400 text', () => {
    for (const s of ['lots', '-1Gi', '1Xi', 'Gi', '1e9']) {
      expect(() => parseMemory(s)).toThrow(/^error converting memory to int/);
    }
  });

  it('replies in whole MiB like Go', () => {
    expect(formatMemory(parseMemory('1Gi'))).toBe('1024Mi');
    expect(formatMemory(parseMemory('1G'))).toBe('953Mi');
    expect(formatMemory(parseMemory(''))).toBe('0Mi');
    expect(formatMemory(parseMemory('512Ki'))).toBe('0Mi');
  });
});

describe('parseCpu', () => {
  it.each([
    ['', 0n],
    ['500m', 500n],
    ['0m', 0n],
    ['2', 2000n],
    ['1.5', 1500n],
    ['0.25', 250n],
  ])('%s → %s millicores', (s, m) => expect(parseCpu(s)).toBe(m));

  it('rejects fractional millicores and garbage (400 "Error converting CPU to int")', () => {
    for (const s of ['1.5m', 'x', '1k', '0.0001']) expect(() => parseCpu(s)).toThrow('Error converting CPU to int');
  });

  it('replies as "<n>m"', () => expect(formatCpu(parseCpu('2'))).toBe('2000m'));
});

describe('normaliseSpec', () => {
  const spec = (conditions: Record<string, unknown>) => FunctionSpecSchema.parse({ conditions: { colonyname: 'c', executortype: 't', ...conditions } });

  it('derives the queue columns', () => {
    expect(normaliseSpec(spec({ executornames: ['*'] })).match.executornames).toBeNull();
    expect(normaliseSpec(spec({ executornames: [] })).match.executornames).toBeNull();
    expect(normaliseSpec(spec({ executornames: ['a', 'b'] })).match.executornames).toEqual(['a', 'b']);
    expect(normaliseSpec(spec({ locationname: 'HoMe' })).match.locationname).toBe('home');
    expect(normaliseSpec(spec({ nodes: 127, processes: 127, processespernode: 127 })).match.oversized).toBe(false);
    expect(normaliseSpec(spec({ processes: 128 })).match.oversized).toBe(true);
  });

  it('keeps Go’s null/[] distinctions', () => {
    const n = normaliseSpec(spec({}));
    expect(n.spec.conditions.executornames).toBeNull();
    expect(n.spec.conditions.dependencies).toEqual([]);
    expect(n.spec.args).toEqual([]);
    expect(n.spec.kwargs).toEqual({});
    expect(n.env).toEqual({});
    expect(normaliseSpec(spec({ executornames: ['*'] })).spec.conditions.executornames).toEqual([]);
  });
});
