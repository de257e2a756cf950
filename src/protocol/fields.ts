// Schema building blocks that follow Go's encoding/json rules (PROTOCOL.md §3.2):
// missing or null fields take the zero value, integers must be integers, and
// object keys match case-insensitively. Every message and object schema is built
// from these, and the TypeScript types are inferred from the schemas.
import * as z from 'zod';
import { base64ToBytes, isStdBase64 } from './wire.js';

export { z };

/** string; missing/null → "" */
export const str = () => z.string().nullish().transform((v) => v ?? '');
/** Go int; missing/null → 0; rejects non-integers and strings */
export const int = () =>
  z
    .union([z.number().int(), z.bigint()])
    .nullish()
    .transform((v, ctx) => {
      if (v === undefined || v === null) return 0;
      if (typeof v === 'bigint') {
        const n = Number(v);
        if (!Number.isSafeInteger(n)) {
          ctx.addIssue({ code: 'custom', message: 'integer out of range' });
          return z.NEVER;
        }
        return n;
      }
      return v;
    });
/** Go int64 kept exact as BigInt; missing/null → 0n */
export const int64 = () =>
  z
    .union([z.number().int(), z.bigint()])
    .nullish()
    .transform((v) => (v === undefined || v === null ? 0n : BigInt(v)));
/** Go float64; missing/null → 0 */
export const float = () =>
  z
    .union([z.number(), z.bigint()])
    .nullish()
    .transform((v) => (v === undefined || v === null ? 0 : Number(v)));
/** bool; missing/null → false */
export const bool = () => z.boolean().nullish().transform((v) => v ?? false);
/** any JSON value; missing → null */
export const anyValue = () => z.unknown().transform((v) => (v === undefined ? null : v));
/** a list that keeps Go's distinction: missing/null → null, [] → [] */
export const list = <T extends z.ZodTypeAny>(item: T) =>
  z
    .array(item)
    .nullish()
    .transform((v) => (v === undefined ? null : v));
/** a JSON object map; missing/null → null */
export const map = <T extends z.ZodTypeAny>(value: T) =>
  z
    .record(z.string(), value)
    .nullish()
    .transform((v) => (v === undefined ? null : v));
/** []byte: a base64 string (standard alphabet, padded, as Go requires) or an array of numbers 0..255 → Uint8Array; missing → empty */
export const bytes = () =>
  z
    .union([z.string().refine(isStdBase64, 'invalid base64'), z.array(z.number().int().min(0).max(255))])
    .nullish()
    .transform((v) => {
      if (v === undefined || v === null) return new Uint8Array(0);
      if (typeof v === 'string') return base64ToBytes(v) ?? new Uint8Array(0);
      return Uint8Array.from(v);
    });

const keyMaps = new WeakMap<object, Map<string, string>>();

function canonicalKeys(shape: Record<string, unknown>): Map<string, string> {
  let m = keyMaps.get(shape);
  if (!m) {
    m = new Map(Object.keys(shape).map((k) => [k.toLowerCase(), k]));
    keyMaps.set(shape, m);
  }
  return m;
}

/**
 * A Go struct: keys matched case-insensitively (exact match wins), unknown keys ignored;
 * anything but an object fails validation. Use `struct` for nested values, `nullable` for pointers.
 */
export function object<S extends z.ZodRawShape>(shape: S) {
  const inner = z.object(shape);
  return z.preprocess((input) => normalizeKeys(shape, input), inner);
}

/** A nested struct that is a value in Go (never null): null/missing → all zero values. */
export function struct<S extends z.ZodRawShape>(shape: S) {
  const inner = z.object(shape);
  return z.preprocess((input) => normalizeKeys(shape, input ?? {}), inner);
}

/** A pointer to a struct in Go: null/missing stays null. */
export function nullable<S extends z.ZodRawShape>(shape: S) {
  return z.preprocess(
    (input) => (input === undefined || input === null ? null : normalizeKeys(shape, input)),
    z.object(shape).nullable(),
  );
}

function normalizeKeys(shape: Record<string, unknown>, input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  const canon = canonicalKeys(shape);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
    if (Object.hasOwn(shape, k)) {
      out[k] = v;
      continue;
    }
    const c = canon.get(k.toLowerCase());
    if (c !== undefined && !Object.hasOwn(input as object, c)) out[c] = v;
  }
  return out;
}

export type Infer<T extends z.ZodTypeAny> = z.output<T>;
