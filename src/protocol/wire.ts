// Low-level wire helpers shared by the server and the browser SDK: base64 in Go's
// StdEncoding flavour and a JSON writer that matches Go's encoding/json output for
// the values we use (exact int64 BigInt, []byte as base64, HTML-safe escaping).
//
// Browser-safe: Buffer is used only when the runtime provides it (Node), otherwise
// atob/btoa + TextEncoder/TextDecoder.

type BufferLike = {
  from(data: string | Uint8Array, encoding?: string): Uint8Array & { toString(encoding?: string): string };
};

const NodeBuffer: BufferLike | undefined = (globalThis as { Buffer?: BufferLike }).Buffer;

let encoder: TextEncoder | undefined;
let decoder: TextDecoder | undefined;

// Go's base64.StdEncoding: standard alphabet, padding required (non-strict about trailing bits).
// With the length a multiple of 4 and at most two trailing '=', this equals the full grammar.
const STD_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** True if `s` is valid standard base64 with padding (Go StdEncoding; CR/LF must be stripped first). */
export function isStdBase64(s: string): boolean {
  return s.length % 4 === 0 && STD_BASE64.test(s);
}

function stripNewlines(s: string): string {
  // Go's decoder silently skips '\r' and '\n'.
  return s.includes('\n') || s.includes('\r') ? s.replace(/[\r\n]/g, '') : s;
}

/**
 * Node's decoder skips characters it does not know, so validate: canonical base64 re-encodes to
 * itself (fast path); anything else gets the full check (Go accepts non-zero trailing bits).
 */
function nodeDecode(B: BufferLike, s: string): (Uint8Array & { toString(encoding?: string): string }) | null {
  const buf = B.from(s, 'base64');
  if (buf.toString('base64') !== s && !isStdBase64(s)) return null;
  return buf;
}

/** Base64 (standard alphabet, '=' padding) of raw bytes. */
export function bytesToBase64(bytes: Uint8Array): string {
  if (NodeBuffer) return NodeBuffer.from(bytes).toString('base64');
  let bin = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    bin += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return btoa(bin);
}

/** Decodes standard base64 like Go's StdEncoding; returns null when it is not valid base64. */
export function base64ToBytes(b64: string): Uint8Array | null {
  const s = stripNewlines(b64);
  if (NodeBuffer) {
    const buf = nodeDecode(NodeBuffer, s);
    return buf === null ? null : new Uint8Array(buf);
  }
  if (!isStdBase64(s)) return null;
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Base64 of the UTF-8 encoding of `text`. */
export function utf8ToBase64(text: string): string {
  if (NodeBuffer) return NodeBuffer.from(text, 'utf8').toString('base64');
  encoder ??= new TextEncoder();
  return bytesToBase64(encoder.encode(text));
}

/** UTF-8 text of base64 `b64`; null when `b64` is not valid standard base64. */
export function base64ToUtf8(b64: string): string | null {
  const s = stripNewlines(b64);
  if (NodeBuffer) return nodeDecode(NodeBuffer, s)?.toString('utf8') ?? null;
  const bytes = base64ToBytes(s);
  if (bytes === null) return null;
  decoder ??= new TextDecoder();
  return decoder.decode(bytes);
}

const BIGINT_MARK = '\u0000bigint:';
const BIGINT_QUOTED = /"\\u0000bigint:(-?\d+)"/g;
const HTML_UNSAFE = /[<>&\u2028\u2029]/;
const HTML_UNSAFE_G = /[<>&\u2028\u2029]/g;
const HTML_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * The value with every BigInt replaced by a marker string (exact digits) and, with `bytes`, every
 * Uint8Array (Go []byte; Node Buffers too) by its base64 text. Objects and arrays are copied only
 * where something changed. Objects with toJSON (Date) are left to JSON.stringify. This pass,
 * then JSON.stringify without a replacer (V8's fast path), costs about a third less than a
 * replacer function called for every member (a process reply: 6.5 -> 4.7 µs).
 */
export function prepareForJson(v: unknown, bytes: boolean): unknown {
  if (typeof v === 'bigint') return BIGINT_MARK + v.toString();
  if (v === null || typeof v !== 'object') return v;
  if (bytes && v instanceof Uint8Array) return bytesToBase64(v);
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      const y = typeof x === 'object' || typeof x === 'bigint' ? prepareForJson(x, bytes) : x;
      if (y !== x) (out ??= v.slice())[i] = y;
    }
    return out ?? v;
  }
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return v;
  let out: Record<string, unknown> | null = null;
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    const y = typeof x === 'object' || typeof x === 'bigint' ? prepareForJson(x, bytes) : x;
    if (y !== x) (out ??= { ...(v as Record<string, unknown>) })[k] = y;
  }
  return out ?? v;
}

/**
 * JSON text as Go's encoding/json writes it: BigInt as exact integer literals, Uint8Array
 * (Go []byte) as a base64 string, `<`, `>`, `&`, U+2028, U+2029 escaped as \u00XX.
 * `undefined` object members are left out (Go `omitempty`). Never returns undefined.
 */
export function stringifyWire(value: unknown): string {
  let text = JSON.stringify(prepareForJson(value, true));
  if (text === undefined) return 'null';
  if (text.includes('\\u0000bigint:')) text = text.replace(BIGINT_QUOTED, '$1');
  if (HTML_UNSAFE.test(text)) text = text.replace(HTML_UNSAFE_G, (c) => HTML_ESCAPES[c]);
  return text;
}
