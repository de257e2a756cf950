// CPU and memory strings of Conditions / assignprocessmsg (OBJECTS.md §7, DECISIONS.md
// "memory / CPU strings"). We parse a deterministic superset of Go's units and reply in
// Go's normalised form: CPU as "<n>m", memory as whole MiB "<n>Mi".
import { badRequest } from '../protocol/errors.js';

const INT8_MAX = 9_223_372_036_854_775_807n;
const MIB = 1_048_576n;

/** Unit multipliers, matched case-insensitively ("m" = mega: memory has no milli-bytes). */
const MEM_UNITS: Record<string, bigint> = {
  '': 1n,
  b: 1n,
  k: 1000n,
  kb: 1000n,
  m: 1000n ** 2n,
  mb: 1000n ** 2n,
  g: 1000n ** 3n,
  gb: 1000n ** 3n,
  t: 1000n ** 4n,
  tb: 1000n ** 4n,
  p: 1000n ** 5n,
  pb: 1000n ** 5n,
  ki: 1024n,
  kib: 1024n,
  mi: 1024n ** 2n,
  mib: 1024n ** 2n,
  gi: 1024n ** 3n,
  gib: 1024n ** 3n,
  ti: 1024n ** 4n,
  tib: 1024n ** 4n,
  pi: 1024n ** 5n,
  pib: 1024n ** 5n,
};

const MEM_RE = /^(\d+)(?:\.(\d+))?\s*([a-zA-Z]*)$/;

/** "1Gi" → 1073741824n; "" → 0n. Fractions round down to whole bytes. 400 when unparsable. */
export function parseMemory(text: string): bigint {
  const s = text.trim();
  if (s === '') return 0n;
  const m = MEM_RE.exec(s);
  const unit = m ? MEM_UNITS[m[3].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw badRequest(`error converting memory to int: invalid memory value "${text}"`);
  const frac = m[2] ?? '';
  const scale = 10n ** BigInt(frac.length);
  const bytes = ((BigInt(m[1]) * scale + BigInt(frac || '0')) * unit) / scale;
  if (bytes > INT8_MAX) throw badRequest(`error converting memory to int: memory value "${text}" is too large`);
  return bytes;
}

const CPU_MILLI_RE = /^(\d+)m$/;
const CPU_CORES_RE = /^(\d+)(?:\.(\d{1,3}))?$/;

/**
 * "500m" → 500n millicores; "2" / "1.5" are cores (2000n / 1500n, a superset of Go, which reads
 * them as 0); "" → 0n. Anything else (e.g. "1.5m") → 400 "Error converting CPU to int".
 */
export function parseCpu(text: string): bigint {
  const s = text.trim();
  if (s === '') return 0n;
  let milli: bigint | null = null;
  const mm = CPU_MILLI_RE.exec(s);
  if (mm) milli = BigInt(mm[1]);
  const mc = mm ? null : CPU_CORES_RE.exec(s);
  if (mc) milli = BigInt(mc[1]) * 1000n + BigInt((mc[2] ?? '').padEnd(3, '0') || '0');
  if (milli === null || milli > INT8_MAX) throw badRequest('Error converting CPU to int');
  return milli;
}

/** Go's ConvertCPUToString: millicores → "<n>m". */
export function formatCpu(milli: bigint): string {
  return `${milli}m`;
}

/** Go's ConvertMemoryToString: bytes → whole MiB "<n>Mi" (rounded down). */
export function formatMemory(bytes: bigint): string {
  return `${bytes / MIB}Mi`;
}

/** Unlimited capacity for an empty availablecpu/availablemem. */
export const UNLIMITED = INT8_MAX;

/** availablecpu of assignprocessmsg: "" = unlimited. */
export function availableCpu(text: string): bigint {
  return text === '' ? UNLIMITED : parseCpu(text);
}

/** availablemem of assignprocessmsg: "" = unlimited. */
export function availableMemory(text: string): bigint {
  return text === '' ? UNLIMITED : parseMemory(text);
}
