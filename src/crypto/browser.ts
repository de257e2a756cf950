/**
 * Browser-safe ColonyOS crypto (PROTOCOL §2): secp256k1 via @noble/curves, SHA3-256 via
 * @noble/hashes. No node: imports, so the SDK and the web UI can bundle this file.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha3_256 } from '@noble/hashes/sha3.js';
import { randomBytes } from '@noble/hashes/utils.js';
import {
  CryptoError,
  assertSignatureLength,
  decodeHex,
  encodeSignature,
  highSError,
  isHighS,
  isValidScalar,
  parsePrivateKey,
  recoveryFailure,
  recoveryIdOf,
  toHex,
  utf8,
} from './common.js';

export { CryptoError } from './common.js';
export type { CryptoErrorCode } from './common.js';

const Signature = secp256k1.Signature;

/** SHA3-256 (FIPS 202, not Keccak) as lowercase hex; strings are hashed as UTF-8. */
export function sha3Hex(data: string | Uint8Array): string {
  return toHex(sha3_256(typeof data === 'string' ? utf8(data) : data));
}

/** New random private key: SHA3-256 of 32 random bytes (as colonies-ts does), a valid scalar. */
export function generatePrivateKey(): string {
  for (;;) {
    const d = sha3_256(randomBytes(32));
    if (isValidScalar(d)) return toHex(d);
  }
}

/** Uncompressed SEC1 public key ("04" + X + Y), 130 lowercase hex chars. */
export function publicKeyOf(prvHex: string): string {
  return toHex(secp256k1.getPublicKey(parsePrivateKey(prvHex), false));
}

/** Id = hex(SHA3-256(ascii(lowercase pubkey hex))). */
export function idOfPublicKey(pubHex: string): string {
  return sha3Hex(pubHex.toLowerCase());
}

/** Id of the key pair of a private key. */
export function idOf(prvHex: string): string {
  return idOfPublicKey(publicKeyOf(prvHex));
}

/**
 * Signs SHA3-256(UTF-8 message): RFC 6979 deterministic nonce, low-S.
 * Returns hex(r32 ‖ s32 ‖ v) with v ∈ {0,1}.
 */
export function sign(message: string, prvHex: string): string {
  const d = parsePrivateKey(prvHex);
  const digest = sha3_256(utf8(message));
  // 'recovered' format is v ‖ r ‖ s
  const rec = secp256k1.sign(digest, d, { prehash: false, lowS: true, format: 'recovered' });
  return encodeSignature(rec.subarray(1, 65), rec[0]);
}

/**
 * Recovers the signer's uncompressed public key (130 hex) following PROTOCOL §2.3:
 * case-insensitive hex, 65 bytes, v ∈ 0..7 (v ≥ 4 ≡ v−4), low-S only.
 * Throws CryptoError (Go-compatible message) on any failure.
 */
export function recoverPublicKey(message: string, signatureHex: string): string {
  if (typeof signatureHex !== 'string') throw new CryptoError('invalid signature hex', 'invalid_hex');
  const sig = decodeHex(signatureHex);
  assertSignatureLength(sig);
  const recid = recoveryIdOf(sig[64]);
  const digest = sha3_256(utf8(message));
  let pub: Uint8Array;
  try {
    const r = BigInt('0x' + toHex(sig.subarray(0, 32)));
    const s = BigInt('0x' + toHex(sig.subarray(32, 64)));
    pub = new Signature(r, s, recid).recoverPublicKey(digest).toBytes(false);
  } catch (e) {
    if (e instanceof CryptoError) throw e;
    throw recoveryFailure(sig);
  }
  // Go recovers first, then verifies (rejecting high-S); recovery implies the (r,s) verifies.
  if (isHighS(sig)) throw highSError();
  return toHex(pub);
}

/** Recovers the signer's id from (message, signature); see recoverPublicKey. */
export function recoverId(message: string, signatureHex: string): string {
  return idOfPublicKey(recoverPublicKey(message, signatureHex));
}
