// JSON with exact 64-bit integers. The protocol carries int64 nanosecond values
// (prioritytime, log timestamps, channel sequences) that do not fit a JS number.
// Integers beyond Number.MAX_SAFE_INTEGER are parsed as BigInt; BigInt values are
// written back as plain integer literals (never exponent notation, never quoted).
import { parse as losslessParse } from 'lossless-json';
import { prepareForJson } from './wire.js';

const LONG_DIGITS = /\d{16,}/;

function parseNumber(text: string): number | bigint {
  const n = Number(text);
  if (Number.isSafeInteger(n) || !/^-?\d+$/.test(text)) return n;
  return BigInt(text);
}

/** Parses JSON; integers that a JS number cannot hold exactly become BigInt. */
export function parseJson(text: string): unknown {
  // Fast path: without a run of 16+ digits no integer can exceed 2^53.
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  return losslessParse(text, null, parseNumber);
}

const BIGINT_QUOTED = /"\\u0000bigint:(-?\d+)"/g;

/** JSON.stringify that writes BigInt values as exact integer literals. */
export function stringifyJson(value: unknown, space?: number): string {
  const text = JSON.stringify(prepareForJson(value, false), null, space);
  if (text === undefined) return 'null';
  return text.includes('\\u0000bigint:') ? text.replace(BIGINT_QUOTED, '$1') : text;
}
