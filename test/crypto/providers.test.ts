/**
 * Behaviour beyond the golden vectors: random keys, cross-provider interop, PROTOCOL §2.3 edge
 * cases (v range, r/s range, high-S, hex errors) and provider selection.
 */
import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { CryptoError, browserCrypto, type CryptoProvider } from '../../src/crypto/index.js';
import { nativeCrypto, serverCrypto } from '../../src/crypto/server.js';

const native = nativeCrypto();
const providers: CryptoProvider[] = native ? [browserCrypto, native] : [browserCrypto];

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const P_FIELD = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const KEY = 'ddf7f7791208083b6a9ed975a72684f6406a269cfa36f1b1c32045c0a71fff05';
const KEY_ID = '3fc05cf3df4b494e95d6a3d297a34f19938f7daa7422ab0d4f794454133341ac';

const hex32 = (n: bigint) => n.toString(16).padStart(64, '0');
const withV = (sig: string, v: number) => sig.slice(0, 128) + v.toString(16).padStart(2, '0');

function errorOf(f: () => unknown): CryptoError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CryptoError);
    return e as CryptoError;
  }
  throw new Error('expected a CryptoError');
}

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  for (; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
  return r;
}
/** smallest x >= 1 that is not the x coordinate of a curve point */
function nonCurveX(): bigint {
  for (let x = 1n; ; x++) {
    const y2 = (x ** 3n + 7n) % P_FIELD;
    if (modPow(y2, (P_FIELD - 1n) / 2n, P_FIELD) !== 1n) return x;
  }
}

describe.each(providers.map((p) => [p.name, p] as const))('%s provider', (_n, P) => {
  it('generatePrivateKey gives valid, distinct keys that round-trip sign/recover', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const k = P.generatePrivateKey();
      expect(k).toMatch(/^[0-9a-f]{64}$/);
      const d = BigInt('0x' + k);
      expect(d > 0n && d < N).toBe(true);
      seen.add(k);
      const pub = P.publicKeyOf(k);
      expect(pub).toMatch(/^04[0-9a-f]{128}$/);
      const id = P.idOf(k);
      expect(id).toMatch(/^[0-9a-f]{64}$/);
      expect(P.idOfPublicKey(pub)).toBe(id);
      const msg = `message ${i} ✓`;
      const sig = P.sign(msg, k);
      expect(sig).toMatch(/^[0-9a-f]{128}0[01]$/);
      expect(BigInt('0x' + sig.slice(64, 128)) <= N / 2n).toBe(true); // low-S
      expect(P.sign(msg, k)).toBe(sig); // deterministic
      expect(P.recoverId(msg, sig)).toBe(id);
      expect(P.recoverPublicKey(msg, sig)).toBe(pub);
    }
    expect(seen.size).toBe(20);
  });

  it('sha3Hex of bytes equals sha3Hex of the UTF-8 string', () => {
    expect(P.sha3Hex(new TextEncoder().encode('héllo'))).toBe(P.sha3Hex('héllo'));
    expect(P.sha3Hex(new Uint8Array(1024))).toMatch(/^[0-9a-f]{64}$/);
  });

  describe('private key validation', () => {
    it.each(['', 'abc', KEY.slice(1), KEY + '0', KEY + KEY])('bad length %#', (k) => {
      for (const f of [P.publicKeyOf, P.idOf, (x: string) => P.sign('hi', x)]) {
        const e = errorOf(() => f(k));
        expect(e.message).toBe('Invalid private key length, should be 256 bits');
        expect(e.code).toBe('invalid_private_key');
      }
    });
    it('non-hex key', () => {
      expect(errorOf(() => P.publicKeyOf('zz' + KEY.slice(2))).message).toBe("encoding/hex: invalid byte: U+007A 'z'");
    });
    it('out-of-range scalars', () => {
      for (const k of [hex32(0n), hex32(N), hex32(N + 1n), 'f'.repeat(64)]) {
        expect(errorOf(() => P.publicKeyOf(k)).message).toBe('invalid private key');
        expect(errorOf(() => P.sign('x', k)).message).toBe('invalid private key');
      }
      expect(P.publicKeyOf(hex32(N - 1n))).toMatch(/^04/);
    });
    it('upper-case key is accepted', () => {
      expect(P.idOf(KEY.toUpperCase())).toBe(KEY_ID);
    });
  });

  describe('recoverId edge cases (PROTOCOL §2.3)', () => {
    const msg = 'hello';
    const sig = P.sign(msg, KEY);
    const v = parseInt(sig.slice(128), 16);

    it('v+4 .. accepted with the same id; v>=8 rejected', () => {
      expect(P.recoverId(msg, withV(sig, v + 4))).toBe(KEY_ID);
      for (const bad of [8, 27, 28, 128, 228, 255]) {
        const e = errorOf(() => P.recoverId(msg, withV(sig, bad)));
        expect(e.code).toBe('invalid_recovery_code');
        expect(e.message).toBe(
          `Failed to recover public key: invalid signature: public key recovery code ${(bad + 27) & 255} is not in the valid range [27, 34]`,
        );
      }
    });

    it('wrong parity v recovers an unrelated id without error', () => {
      const other = P.recoverId(msg, withV(sig, v ^ 1));
      expect(other).not.toBe(KEY_ID);
      expect(P.recoverId(msg, withV(sig, (v ^ 1) + 4))).toBe(other);
    });

    it('v = 2/3 with an ordinary r fails with R + N >= P', () => {
      for (const vv of [2, 3, 6, 7]) {
        expect(errorOf(() => P.recoverId(msg, withV(sig, vv))).message).toBe(
          'Failed to recover public key: invalid signature: signature R + N >= P',
        );
      }
    });

    it('high-S is rejected (after recovery) for every valid signature', () => {
      const s = BigInt('0x' + sig.slice(64, 128));
      const high = sig.slice(0, 64) + hex32(N - s) + (v ^ 1).toString(16).padStart(2, '0');
      const e = errorOf(() => P.recoverId(msg, high));
      expect(e.code).toBe('high_s');
      expect(e.message).toBe('Failed verify signature: Signature s value is over half the order');
      // s = n/2 is still low, n/2 + 1 is high
      expect(() => P.recoverId(msg, sig.slice(0, 64) + hex32(N / 2n) + '00')).not.toThrow();
      expect(errorOf(() => P.recoverId(msg, sig.slice(0, 64) + hex32(N / 2n + 1n) + '00')).code).toBe('high_s');
    });

    it('r and s range checks', () => {
      const r = sig.slice(0, 64);
      const s = sig.slice(64, 128);
      const cases: [string, string][] = [
        [hex32(N) + s + '00', 'signature R is >= curve order'],
        ['f'.repeat(64) + s + '00', 'signature R is >= curve order'],
        [hex32(0n) + s + '00', 'signature R is 0'],
        [r + hex32(N) + '00', 'signature S is >= curve order'],
        [r + hex32(0n) + '00', 'signature S is 0'],
        [hex32(nonCurveX()) + s + '00', 'signature is not for a valid curve point'],
      ];
      for (const [bad, why] of cases) {
        const e = errorOf(() => P.recoverId(msg, bad));
        expect(e.message).toBe(`Failed to recover public key: invalid signature: ${why}`);
        expect(e.code).toBe('invalid_signature');
      }
    });

    it('hex decoding is case-insensitive and errors like Go', () => {
      expect(P.recoverId(msg, sig.toUpperCase())).toBe(KEY_ID);
      const mixed = sig.replace(/[a-f]/g, (c, i: number) => (i % 2 ? c.toUpperCase() : c));
      expect(P.recoverId(msg, mixed)).toBe(KEY_ID);
      const cases: [string, string][] = [
        ['abc', 'encoding/hex: odd length hex string'],
        [sig.slice(1), 'encoding/hex: odd length hex string'],
        ['ab c', "encoding/hex: invalid byte: U+0020 ' '"],
        ['abz', "encoding/hex: invalid byte: U+007A 'z'"], // invalid byte wins over odd length
        ['0x' + sig, "encoding/hex: invalid byte: U+0078 'x'"],
        ['é0', "encoding/hex: invalid byte: U+00C3 'Ã'"], // Go reports the first UTF-8 byte
        ['ab\n', 'encoding/hex: invalid byte: U+000A'],
        [sig.slice(0, 128) + 'g1', "encoding/hex: invalid byte: U+0067 'g'"],
        ['é' + sig.slice(0, 129), "encoding/hex: invalid byte: U+00C3 'Ã'"], // 130 UTF-16 units
        [sig.slice(0, 64) + '--' + sig.slice(66), "encoding/hex: invalid byte: U+002D '-'"],
      ];
      for (const [bad, why] of cases) {
        const e = errorOf(() => P.recoverId(msg, bad));
        expect(e.message).toBe(why);
        expect(e.code).toBe('invalid_hex');
      }
      expect(errorOf(() => P.recoverId(msg, undefined as unknown as string)).code).toBe('invalid_hex');
    });

    it('length must be exactly 65 bytes', () => {
      for (const bad of ['', '00', sig.slice(0, 128), sig + '00', sig + sig]) {
        const e = errorOf(() => P.recoverId(msg, bad));
        expect(e.message).toBe('Invalid signature length');
        expect(e.code).toBe('invalid_signature_length');
      }
    });
  });
});

describe.skipIf(!native)('native ⇄ browser interop', () => {
  it('signatures are identical and recover on the other path', () => {
    for (let i = 0; i < 20; i++) {
      const k = i % 2 ? native!.generatePrivateKey() : browserCrypto.generatePrivateKey();
      const msg = Buffer.from(`{"msgtype":"x","i":${i}}`).toString('base64');
      const a = native!.sign(msg, k);
      const b = browserCrypto.sign(msg, k);
      expect(a).toBe(b);
      expect(browserCrypto.recoverId(msg, a)).toBe(native!.idOf(k));
      expect(native!.recoverId(msg, b)).toBe(browserCrypto.idOf(k));
      expect(native!.publicKeyOf(k)).toBe(browserCrypto.publicKeyOf(k));
      expect(native!.sha3Hex(msg)).toBe(browserCrypto.sha3Hex(msg));
    }
  });

  it('random garbage signatures give the same outcome on both paths', () => {
    for (let i = 0; i < 200; i++) {
      const bytes = new Uint8Array(65);
      crypto.getRandomValues(bytes);
      bytes[64] &= 7;
      if (i % 3 === 0) bytes.fill(0xff, 0, 16); // r >= n
      const sig = Buffer.from(bytes).toString('hex');
      const run = (p: CryptoProvider) => {
        try {
          return 'id:' + p.recoverId('m', sig);
        } catch (e) {
          return 'err:' + (e as Error).message;
        }
      };
      expect(run(native!)).toBe(run(browserCrypto));
    }
  });

  it('the native path never loads the elliptic JS fallback', () => {
    native!.recoverId('hello', native!.sign('hello', KEY));
    const cache = createRequire(import.meta.url).cache;
    expect(Object.keys(cache).filter((p) => /[\\/]elliptic[\\/]/.test(p))).toEqual([]);
  });
});

describe('serverCrypto selection', () => {
  it('prefers native when available', () => {
    const sc = serverCrypto();
    expect(sc.native).toBe(native !== undefined);
    expect(sc.name).toBe(native ? 'native' : 'browser');
    expect(sc.recoverId('hello', browserCrypto.sign('hello', KEY))).toBe(KEY_ID);
  });

  it('falls back to the browser provider (with a reason) when the addon is unavailable', async () => {
    vi.resetModules();
    vi.stubEnv('COLONIES_NO_NATIVE_CRYPTO', '1');
    try {
      const mod = await import('../../src/crypto/server.js');
      const nat = await import('../../src/crypto/native.js');
      expect(nat.nativeAvailable()).toBe(false);
      expect(() => nat.recoverId('a', 'b')).toThrow(/native secp256k1 addon not available/);
      const sc = mod.serverCrypto();
      expect(sc.native).toBe(false);
      expect(sc.name).toBe('browser');
      expect(sc.fallbackReason).toMatch(/COLONIES_NO_NATIVE_CRYPTO/);
      expect(sc.recoverId('hello', sc.sign('hello', KEY))).toBe(KEY_ID);
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});
