/**
 * Shared, dependency-free helpers for the crypto providers (browser-safe: no node: imports).
 *
 * Error texts follow the Go server (colonies internal/crypto + btcec/v2 + encoding/hex) so
 * that a TS server can return them verbatim in its 403 replies (PROTOCOL §2.3, vectors
 * crypto.json `negative_and_edge_cases[].go_result`).
 */

export type CryptoErrorCode =
  | 'invalid_hex'
  | 'invalid_signature_length'
  | 'invalid_recovery_code'
  | 'invalid_signature'
  | 'high_s'
  | 'invalid_private_key';

/** Every validation/recovery failure of the crypto layer. `message` is the Go-compatible text. */
export class CryptoError extends Error {
  readonly code: CryptoErrorCode;
  constructor(message: string, code: CryptoErrorCode) {
    super(message);
    this.name = 'CryptoError';
    this.code = code;
  }
}

export const MSG_INVALID_SIGNATURE_LENGTH = 'Invalid signature length';
export const MSG_HIGH_S = 'Failed verify signature: Signature s value is over half the order';
export const MSG_PRIVATE_KEY_LENGTH = 'Invalid private key length, should be 256 bits';
export const MSG_INVALID_PRIVATE_KEY = 'invalid private key';
const RECOVER_PREFIX = 'Failed to recover public key: ';

/** secp256k1 field prime and group order. */
export const CURVE_P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
export const CURVE_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** n/2 (floor), big-endian bytes: s is "high" iff s > HALF_N. */
const HALF_N_BYTES = Uint8Array.from([
  0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
  0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
]);

// ---------------------------------------------------------------------------------------------
// Hex (Go encoding/hex compatible errors)

const HEX_CHARS = '0123456789abcdef';
const HEX_PAIRS: string[] = [];
for (let i = 0; i < 256; i++) HEX_PAIRS.push(HEX_CHARS[i >> 4] + HEX_CHARS[i & 15]);

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX_PAIRS[bytes[i]];
  return out;
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

const textEncoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return textEncoder.encode(s);
}

/** Go's strconv.IsPrint restricted to U+0000..U+00FF (what `%#U` of a single byte sees). */
function goIsPrintLatin1(c: number): boolean {
  if (c < 0x20 || c === 0x7f) return false;
  if (c >= 0x80 && c <= 0xa0) return false; // C1 controls and NBSP (Zs, not ASCII space)
  if (c === 0xad) return false; // soft hyphen (Cf)
  return true;
}

/** The error Go's hex.DecodeString returns for `s` (assumes `s` is not valid even-length hex). */
export function goHexError(s: string): CryptoError {
  // Go walks the UTF-8 bytes pairwise and reports the first invalid byte; if all bytes are hex
  // digits the only remaining problem is an odd length.
  const bytes = utf8(s);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (nibble(b) < 0) {
      const code = b.toString(16).toUpperCase().padStart(4, '0');
      const shown = goIsPrintLatin1(b) ? ` '${String.fromCharCode(b)}'` : '';
      return new CryptoError(`encoding/hex: invalid byte: U+${code}${shown}`, 'invalid_hex');
    }
  }
  return new CryptoError('encoding/hex: odd length hex string', 'invalid_hex');
}

/** Case-insensitive hex decode with Go-compatible error messages. */
export function decodeHex(s: string): Uint8Array {
  const len = s.length;
  if (len & 1) throw goHexError(s);
  const out = new Uint8Array(len >> 1);
  for (let i = 0, j = 0; i < len; i += 2, j++) {
    const hi = nibble(s.charCodeAt(i));
    const lo = nibble(s.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) throw goHexError(s);
    out[j] = (hi << 4) | lo;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Signature checks (PROTOCOL §2.3)

/** Signature length check (after hex decoding). */
export function assertSignatureLength(sig: Uint8Array): void {
  if (sig.length !== 65) throw new CryptoError(MSG_INVALID_SIGNATURE_LENGTH, 'invalid_signature_length');
}

/**
 * Maps the trailing v byte to a libsecp256k1/noble recovery id 0..3 the way Go does: it feeds
 * `v+27` (as a byte) to btcec, which accepts header bytes 27..34 and uses `(h-27) & 3`.
 */
export function recoveryIdOf(v: number): number {
  const header = (v + 27) & 0xff;
  if (header < 27 || header > 34) {
    throw new CryptoError(
      `${RECOVER_PREFIX}invalid signature: public key recovery code ${header} is not in the valid range [27, 34]`,
      'invalid_recovery_code',
    );
  }
  return (header - 27) & 3;
}

/** True if s (bytes 32..63 of sig) is greater than n/2. Allocation-free. */
export function isHighS(sig: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) {
    const a = sig[32 + i];
    const b = HALF_N_BYTES[i];
    if (a !== b) return a > b;
  }
  return false;
}

export function highSError(): CryptoError {
  return new CryptoError(MSG_HIGH_S, 'high_s');
}

function bytesToBigInt(bytes: Uint8Array, start: number, end: number): bigint {
  let hex = '';
  for (let i = start; i < end; i++) hex += HEX_PAIRS[bytes[i]];
  return BigInt('0x' + hex);
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  base %= mod;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % mod;
    base = (base * base) % mod;
    exp >>= 1n;
  }
  return result;
}

/**
 * Slow path, only called after a recovery failed: explains why, in the order and words of
 * btcec's RecoverCompact. `sig` is 65 bytes with an already validated v byte.
 */
export function recoveryFailure(sig: Uint8Array): CryptoError {
  const fail = (why: string) => new CryptoError(`${RECOVER_PREFIX}invalid signature: ${why}`, 'invalid_signature');
  const recid = recoveryIdOf(sig[64]);
  const r = bytesToBigInt(sig, 0, 32);
  const s = bytesToBigInt(sig, 32, 64);
  if (r >= CURVE_N) return fail('signature R is >= curve order');
  if (r === 0n) return fail('signature R is 0');
  if (s >= CURVE_N) return fail('signature S is >= curve order');
  if (s === 0n) return fail('signature S is 0');
  let x = r;
  if (recid & 2) {
    if (r >= CURVE_P - CURVE_N) return fail('signature R + N >= P');
    x = r + CURVE_N;
  }
  const y2 = (x * x * x + 7n) % CURVE_P;
  const y = modPow(y2, (CURVE_P + 1n) / 4n, CURVE_P);
  if ((y * y) % CURVE_P !== y2) return fail('signature is not for a valid curve point');
  return fail('recovered pubkey is the point at infinity');
}

// ---------------------------------------------------------------------------------------------
// Private keys

const N_BYTES = Uint8Array.from(
  decodeHex('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141'),
);

/** True if the 32 bytes are a valid secp256k1 scalar (1 <= d < n). */
export function isValidScalar(d: Uint8Array): boolean {
  if (d.length !== 32) return false;
  let nonZero = false;
  for (let i = 0; i < 32; i++) {
    if (d[i] !== 0) {
      nonZero = true;
      break;
    }
  }
  if (!nonZero) return false;
  for (let i = 0; i < 32; i++) {
    if (d[i] !== N_BYTES[i]) return d[i] < N_BYTES[i];
  }
  return false; // equal to n
}

/** Parses and validates a private key: 64 hex chars (any case), 1 <= d < n. */
export function parsePrivateKey(prvHex: string): Uint8Array {
  if (typeof prvHex !== 'string' || prvHex.length !== 64) {
    throw new CryptoError(MSG_PRIVATE_KEY_LENGTH, 'invalid_private_key');
  }
  const d = decodeHex(prvHex);
  if (!isValidScalar(d)) throw new CryptoError(MSG_INVALID_PRIVATE_KEY, 'invalid_private_key');
  return d;
}

/** Concatenates r‖s (64 bytes) and v into the 130-hex wire signature. */
export function encodeSignature(rs: Uint8Array, v: number): string {
  return toHex(rs) + HEX_PAIRS[v & 0xff];
}
