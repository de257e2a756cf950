/**
 * Node server fast path: libsecp256k1 through the prebuilt N-API addon shipped by the
 * `secp256k1` package, loaded DIRECTLY with node-gyp-build. Unlike `require('secp256k1')` this
 * never falls back to the pure-JS `elliptic` implementation: if the addon cannot be loaded,
 * nativeAvailable() is false and every other export throws; callers pick the browser path.
 *
 * Same semantics and error messages as ./browser.ts.
 */
import * as nodeCrypto from 'node:crypto';
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import {
  CryptoError,
  assertSignatureLength,
  decodeHex,
  goHexError,
  highSError,
  isHighS,
  isValidScalar,
  parsePrivateKey,
  recoveryFailure,
  recoveryIdOf,
} from './common.js';

export { CryptoError } from './common.js';
export type { CryptoErrorCode } from './common.js';

/** The raw methods of the addon's Secp256k1 class (see secp256k1/src/secp256k1.cc). 0 = success. */
interface RawSecp256k1 {
  publicKeyCreate(output: Uint8Array, seckey: Uint8Array): number;
  ecdsaSign(
    obj: { signature: Uint8Array; recid: number | null },
    msg32: Uint8Array,
    seckey: Uint8Array,
    data: undefined,
    noncefn: undefined,
  ): number;
  ecdsaRecover(output: Uint8Array, sig64: Uint8Array, recid: number, msg32: Uint8Array): number;
}

let addon: RawSecp256k1 | null | undefined; // undefined = not tried yet
let loadError: string | undefined;
let addonFrom: { nodeGypBuild: string; dir: string } | undefined;

const G_UNCOMPRESSED =
  '0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798' +
  '483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8';

function load(): RawSecp256k1 | null {
  if (addon !== undefined) return addon;
  addon = null;
  try {
    if (process.env.COLONIES_NO_NATIVE_CRYPTO === '1') throw new Error('disabled by COLONIES_NO_NATIVE_CRYPTO=1');
    const req = createRequire(import.meta.url);
    const pkgJson = req.resolve('secp256k1/package.json');
    // resolve node-gyp-build the way secp256k1/bindings.js does (it is secp256k1's dependency)
    const pkgRequire = createRequire(pkgJson);
    const nodeGypBuild = pkgRequire('node-gyp-build') as (dir: string) => {
      Secp256k1: new () => RawSecp256k1;
    };
    const binding = nodeGypBuild(dirname(pkgJson));
    const inst = new binding.Secp256k1();
    // self-test: private key 1 → generator point
    const one = new Uint8Array(32);
    one[31] = 1;
    const out = Buffer.alloc(65);
    if (inst.publicKeyCreate(out, one) !== 0 || out.toString('hex') !== G_UNCOMPRESSED) {
      throw new Error('native secp256k1 self-test failed');
    }
    addon = inst;
    addonFrom = { nodeGypBuild: pkgRequire.resolve('node-gyp-build'), dir: dirname(pkgJson) };
  } catch (e) {
    loadError = e instanceof Error ? e.message : String(e);
  }
  return addon;
}

/** True if the native libsecp256k1 addon is loaded (tries to load it on first call). */
export function nativeAvailable(): boolean {
  return load() !== null;
}

/** Why the native addon could not be loaded (undefined if it loaded or was not tried). */
export function nativeLoadError(): string | undefined {
  load();
  return loadError;
}

/**
 * Where the loaded addon came from (node-gyp-build's entry and the package folder), so that a
 * worker thread can load the same one; undefined when it is not loaded.
 */
export function nativeAddonLocation(): { nodeGypBuild: string; dir: string } | undefined {
  load();
  return addonFrom;
}

function lib(): RawSecp256k1 {
  const a = load();
  if (a === null) throw new Error(`native secp256k1 addon not available: ${loadError ?? 'unknown error'}`);
  return a;
}

// crypto.hash (one-shot, Node >= 20.12) avoids a Hash object per call; createHash otherwise.
type OneShotHash = (alg: string, data: string | Uint8Array, enc: string) => string | Buffer;
const oneShot = (nodeCrypto as unknown as { hash?: OneShotHash }).hash;

function sha3(data: string | Uint8Array): Buffer {
  return oneShot ? (oneShot('sha3-256', data, 'buffer') as Buffer) : createHash('sha3-256').update(data).digest();
}

/** SHA3-256 (FIPS 202, not Keccak) as lowercase hex; strings are hashed as UTF-8. */
export function sha3Hex(data: string | Uint8Array): string {
  return oneShot ? (oneShot('sha3-256', data, 'hex') as string) : createHash('sha3-256').update(data).digest('hex');
}

/** New random private key: SHA3-256 of 32 random bytes, a valid scalar. */
export function generatePrivateKey(): string {
  for (;;) {
    const d = sha3(randomBytes(32));
    if (isValidScalar(d)) return d.toString('hex');
  }
}

function publicKeyBytes(d: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(65);
  if (lib().publicKeyCreate(out, d) !== 0) throw new CryptoError('invalid private key', 'invalid_private_key');
  return out;
}

/** Uncompressed SEC1 public key ("04" + X + Y), 130 lowercase hex chars. */
export function publicKeyOf(prvHex: string): string {
  lib();
  return publicKeyBytes(parsePrivateKey(prvHex)).toString('hex');
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
 * Signs SHA3-256(UTF-8 message): RFC 6979 deterministic nonce (libsecp256k1 default), low-S
 * (libsecp256k1 always normalises). Returns hex(r32 ‖ s32 ‖ v) with v ∈ {0,1}.
 */
export function sign(message: string, prvHex: string): string {
  const a = lib();
  const d = parsePrivateKey(prvHex);
  const out = Buffer.allocUnsafe(65);
  const obj = { signature: out.subarray(0, 64), recid: null as number | null };
  if (a.ecdsaSign(obj, sha3(message), d, undefined, undefined) !== 0) {
    throw new CryptoError('invalid private key', 'invalid_private_key');
  }
  out[64] = obj.recid as number;
  return out.toString('hex');
}

// Reused buffers for recovery (JS is single-threaded and ecdsaRecover is synchronous).
const recoverOut = Buffer.alloc(65);
const sigBuf = Buffer.alloc(65);

/**
 * The checks before a recovery, in Go's order (hex, length, recovery id), into `sig`: returns
 * the recovery id and the message digest the signature is over. Throws CryptoError on bad input.
 */
function parseRecoverable(message: string, signatureHex: string, sig: Buffer): { recid: number; digest: Buffer } {
  if (typeof signatureHex !== 'string') throw new CryptoError('invalid signature hex', 'invalid_hex');
  if (signatureHex.length !== 130) {
    // Go order: hex errors first, then the length check.
    assertSignatureLength(decodeHex(signatureHex));
  }
  // Buffer#write stops silently at the first bad char: detect, then explain like encoding/hex.
  if (sig.write(signatureHex, 'hex') !== 65) throw goHexError(signatureHex);
  return { recid: recoveryIdOf(sig[64]), digest: sha3(message) };
}

/** The checks after a recovery: `pub` is what libsecp256k1 recovered, null if it refused. */
function checkRecovered(sig: Uint8Array, pub: Uint8Array | null): void {
  // libsecp256k1 rejects r/s >= n, r/s == 0 and unrecoverable points, but accepts high-S.
  if (pub === null) throw recoveryFailure(Uint8Array.from(sig));
  if (isHighS(sig)) throw highSError();
}

function recoverInto(message: string, signatureHex: string): Buffer {
  const a = lib();
  const { recid, digest } = parseRecoverable(message, signatureHex, sigBuf);
  const ok = a.ecdsaRecover(recoverOut, sigBuf.subarray(0, 64), recid, digest) === 0;
  checkRecovered(sigBuf, ok ? recoverOut : null);
  return recoverOut;
}

/**
 * A recovery in two halves, so that the costly middle can run on another thread (see
 * src/server/recover-offload.ts): `prepareRecovery` makes the checks that need no curve
 * arithmetic (throwing the same errors as recoverId) and packs what libsecp256k1 needs into
 * RECOVERY_INPUT bytes: the 64-byte compact signature, the recovery id, the 32-byte digest.
 * `recoverPacked` (any thread) turns that into the 65-byte public key or null, and
 * `finishRecovery` makes the remaining checks and returns the signer id, exactly as recoverId.
 */
export const RECOVERY_INPUT = 97;

export function prepareRecovery(message: string, signatureHex: string, into: Uint8Array): Buffer {
  const sig = Buffer.alloc(65);
  const { recid, digest } = parseRecoverable(message, signatureHex, sig);
  into.set(sig.subarray(0, 64), 0);
  into[64] = recid;
  into.set(digest, 65);
  return sig;
}

/** The public key of a packed input (see prepareRecovery), or null when libsecp256k1 refuses it. */
export function recoverPacked(input: Uint8Array): Buffer | null {
  const out = Buffer.alloc(65);
  return lib().ecdsaRecover(out, input.subarray(0, 64), input[64], input.subarray(65, 97)) === 0 ? out : null;
}

export function finishRecovery(sig: Buffer, pub: Uint8Array | null): string {
  checkRecovered(sig, pub);
  return sha3Hex(Buffer.from(pub!.buffer, pub!.byteOffset, 65).toString('hex'));
}

/**
 * Recovers the signer's uncompressed public key (130 hex) following PROTOCOL §2.3:
 * case-insensitive hex, 65 bytes, v ∈ 0..7 (v ≥ 4 ≡ v−4), low-S only.
 */
export function recoverPublicKey(message: string, signatureHex: string): string {
  return recoverInto(message, signatureHex).toString('hex');
}

/** Recovers the signer's id from (message, signature); throws CryptoError on failure. */
export function recoverId(message: string, signatureHex: string): string {
  return sha3Hex(recoverInto(message, signatureHex).toString('hex'));
}
