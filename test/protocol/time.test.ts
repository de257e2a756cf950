// formatTime / parseTime: the RFC 3339 text of every time the server sends (OBJECTS.md: UTC,
// up to 9 fractional digits, trailing zeros dropped, Go's zero time for "unset").
import { describe, expect, it } from 'vitest';
import { formatTime, parseTime, ZERO_TIME } from '../../src/protocol/time.js';
import { seededRandom } from '../helpers/random.js';

const S = 1_000_000_000n;
const T0 = 1_700_000_000n * S; // 2023-11-14T22:13:20Z

describe('formatTime', () => {
  it('writes unset times as Go zero time', () => {
    expect(formatTime(0n)).toBe(ZERO_TIME);
    expect(formatTime(0)).toBe(ZERO_TIME);
    expect(formatTime(null)).toBe(ZERO_TIME);
    expect(formatTime(undefined)).toBe(ZERO_TIME);
  });

  it('writes whole seconds without a fraction and drops trailing zeros of the fraction', () => {
    expect(formatTime(T0)).toBe('2023-11-14T22:13:20Z');
    expect(formatTime(T0 + 100_000_000n)).toBe('2023-11-14T22:13:20.1Z');
    expect(formatTime(T0 + 123_000_000n)).toBe('2023-11-14T22:13:20.123Z');
    expect(formatTime(T0 + 120_450_000n)).toBe('2023-11-14T22:13:20.12045Z');
    expect(formatTime(T0 + 1n)).toBe('2023-11-14T22:13:20.000000001Z');
    expect(formatTime(T0 + 10n)).toBe('2023-11-14T22:13:20.00000001Z');
    expect(formatTime(T0 + 999_999_999n)).toBe('2023-11-14T22:13:20.999999999Z');
    expect(formatTime(T0 + S - 1n + 1n)).toBe('2023-11-14T22:13:21Z');
  });

  it('accepts numbers as nanoseconds', () => {
    expect(formatTime(1_500_000_000)).toBe('1970-01-01T00:00:01.5Z');
  });

  it('floors times before 1970 to the earlier second', () => {
    expect(formatTime(-1n)).toBe('1969-12-31T23:59:59.999999999Z');
    expect(formatTime(-S)).toBe('1969-12-31T23:59:59Z');
    expect(formatTime(-S - 250_000_000n)).toBe('1969-12-31T23:59:58.75Z');
  });

  it('gives each second its own date when seconds alternate (the cached second is replaced)', () => {
    const a = T0 + 5n;
    const b = T0 + 86_400n * S + 5n;
    expect([formatTime(a), formatTime(b), formatTime(a), formatTime(a + S)]).toEqual([
      '2023-11-14T22:13:20.000000005Z',
      '2023-11-15T22:13:20.000000005Z',
      '2023-11-14T22:13:20.000000005Z',
      '2023-11-14T22:13:21.000000005Z',
    ]);
  });

  it('round-trips through parseTime for times between 2000 and 2100 with any precision', () => {
    const shape = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,8}[1-9])?Z$/;
    const rand = seededRandom(12345);
    for (let i = 0; i < 2000; i++) {
      const sec = 946_684_800n + BigInt(rand(3_155_760_000));
      const digits = rand(10); // 0..9 significant fractional digits
      const frac = BigInt(rand(10 ** digits)) * 10n ** BigInt(9 - digits);
      const v = sec * S + frac;
      const text = formatTime(v);
      expect(text).toMatch(shape);
      expect(parseTime(text)).toBe(v);
    }
  });
});

describe('parseTime', () => {
  it('reads offsets, 0-9 digits, and Go zero time as 0', () => {
    expect(parseTime('2023-11-14T23:13:20.5+01:00')).toBe(T0 + 500_000_000n);
    expect(parseTime('2023-11-14T22:13:20.123456789Z')).toBe(T0 + 123_456_789n);
    expect(parseTime(ZERO_TIME)).toBe(0n);
    expect(parseTime('')).toBe(0n);
  });

  it('refuses text that is not RFC 3339', () => {
    expect(parseTime('2023-11-14 22:13')).toBeNull();
    expect(parseTime('2023-11-14T22:13:20.1234567890Z')).toBeNull();
    expect(parseTime('yesterday')).toBeNull();
  });
});
