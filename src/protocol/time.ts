// Times travel as RFC 3339 strings; inside we keep them as int64 nanoseconds since the
// Unix epoch (BigInt), where 0n means "unset" (Go's zero time, 0001-01-01T00:00:00Z).
export const ZERO_TIME = '0001-01-01T00:00:00Z';

let lastNs = 0n;

/** Wall-clock now in nanoseconds, strictly increasing within this process. */
export function nowNs(): bigint {
  const ms = performance.timeOrigin + performance.now();
  let ns = BigInt(Math.floor(ms * 1000)) * 1000n;
  if (ns <= lastNs) ns = lastNs + 1n;
  lastNs = ns;
  return ns;
}

const NS_PER_S = 1_000_000_000n;
// The date-and-time part of the last second formatted: the times of one reply (submission,
// start, deadlines) and of a burst of replies mostly fall in the same second.
let lastSecond = Number.NaN;
let lastBase = '';

/** RFC 3339 in UTC with up to 9 fractional digits (trailing zeros dropped); 0n → zero time. */
export function formatTime(ns: bigint | number | null | undefined): string {
  if (ns === null || ns === undefined) return ZERO_TIME;
  const v = typeof ns === 'bigint' ? ns : BigInt(ns);
  if (v === 0n) return ZERO_TIME;
  let sec = v / NS_PER_S;
  let nanos = Number(v - sec * NS_PER_S);
  if (nanos < 0) {
    // before 1970: BigInt division truncates toward zero, the second must be the floor
    nanos += 1e9;
    sec -= 1n;
  }
  const s = Number(sec);
  if (s !== lastSecond) {
    lastBase = new Date(s * 1000).toISOString().slice(0, 19);
    lastSecond = s;
  }
  if (nanos === 0) return `${lastBase}Z`;
  let digits = 9;
  while (nanos % 10 === 0) {
    nanos /= 10;
    digits--;
  }
  return `${lastBase}.${String(nanos).padStart(digits, '0')}Z`;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

/** Parses RFC 3339 (0-9 fractional digits, any offset) to ns; year-0001 values → 0n; bad → null. */
export function parseTime(text: string): bigint | null {
  if (!text) return 0n;
  const m = RFC3339.exec(text);
  if (!m) return null;
  if (m[1] === '0001') return 0n;
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[8].toUpperCase() === 'Z' ? 'Z' : m[8]}`);
  if (Number.isNaN(ms)) return null;
  const frac = BigInt((m[7] ?? '').padEnd(9, '0') || '0');
  return BigInt(ms) * 1_000_000n + frac;
}

export const SECOND_NS = 1_000_000_000n;
