/**
 * Every vector of test/vectors/crypto.json (a copy of /work/shared/protocol/vectors/crypto.json,
 * produced by the original Go code) run against both crypto providers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CryptoError, browserCrypto, type CryptoProvider } from '../../src/crypto/index.js';
import { nativeCrypto } from '../../src/crypto/server.js';

interface HashVector {
  input: string;
  input_utf8_hex: string;
  sha3_256: string;
}
interface KeyMessage {
  message: string;
  message_utf8_hex: string;
  sha3_256: string;
  signature: string;
  recovered_id: string;
  recovered_pubkey: string;
}
interface KeyVector {
  comment: string;
  prvkey: string;
  pubkey: string;
  id: string;
  messages: KeyMessage[];
}
interface EnvelopeVector {
  comment: string;
  transport: string;
  signer_prvkey: string;
  signer_role: string;
  payloadtype: string;
  payload_json: string;
  payload_decoded: unknown;
  signed_string: string;
  sha3_256_of_signed_string: string;
  signature: string;
  rpcmsg_json: string;
  recovered_id: string;
}
interface EdgeCase {
  comment: string;
  message: string;
  signature: string;
  expected_result: string;
  go_result: string;
}
interface CryptoVectors {
  hash_vectors: HashVector[];
  keys: KeyVector[];
  envelopes: EnvelopeVector[];
  negative_and_edge_cases: EdgeCase[];
}

const vectorsUrl = new URL('../vectors/crypto.json', import.meta.url);
const vectorsText = readFileSync(vectorsUrl, 'utf8');
const V = JSON.parse(vectorsText) as CryptoVectors;

const native = nativeCrypto();
const noNative = process.env.COLONIES_NO_NATIVE_CRYPTO === '1';
const providers: CryptoProvider[] = native ? [browserCrypto, native] : [browserCrypto];

describe('crypto vectors file', () => {
  it('is present and complete', () => {
    expect(V.hash_vectors.length).toBe(5);
    expect(V.keys.length).toBe(8);
    expect(V.keys.every((k) => k.messages.length === 5)).toBe(true);
    expect(V.envelopes.length).toBe(11);
    expect(V.negative_and_edge_cases.length).toBe(8);
  });

  const shared = new URL('../../../shared/protocol/vectors/crypto.json', import.meta.url);
  // The copy's digest is pinned (taken from ../shared/protocol/vectors when it was copied), so
  // a clean clone without ../shared still proves the copy is the spec's.
  it('test/vectors/crypto.json is the spec copy', () => {
    expect(browserCrypto.sha3Hex(vectorsText)).toBe('d653a3e2cf06c5c19fbb6ea8ae220556d57826c9c11427b05b0f1bc8f64e9ce8');
    if (existsSync(shared)) expect(readFileSync(shared, 'utf8')).toBe(vectorsText);
  });

  it.skipIf(noNative)('native libsecp256k1 provider is available on this platform', () => {
    expect(native?.name).toBe('native');
  });
});

describe.each(providers.map((p) => [p.name, p] as const))('%s provider', (_name, P) => {
  describe('hash_vectors', () => {
    it.each(V.hash_vectors.map((h) => [JSON.stringify(h.input), h] as const))('sha3(%s)', (_l, h) => {
      expect(P.sha3Hex(h.input)).toBe(h.sha3_256);
      expect(P.sha3Hex(Buffer.from(h.input_utf8_hex, 'hex'))).toBe(h.sha3_256);
      expect(Buffer.from(h.input, 'utf8').toString('hex')).toBe(h.input_utf8_hex);
    });
  });

  describe.each(V.keys.map((k) => [k.comment, k] as const))('key: %s', (_c, k) => {
    it('public key and id', () => {
      expect(P.publicKeyOf(k.prvkey)).toBe(k.pubkey);
      expect(P.idOf(k.prvkey)).toBe(k.id);
      expect(P.idOfPublicKey(k.pubkey)).toBe(k.id);
      expect(P.idOfPublicKey(k.pubkey.toUpperCase())).toBe(k.id);
    });

    it.each(k.messages.map((m) => [JSON.stringify(m.message).slice(0, 40), m] as const))(
      'message %s: digest, signature, recovery',
      (_l, m) => {
        expect(Buffer.from(m.message, 'utf8').toString('hex')).toBe(m.message_utf8_hex);
        expect(P.sha3Hex(m.message)).toBe(m.sha3_256);
        expect(P.sign(m.message, k.prvkey)).toBe(m.signature);
        expect(P.recoverId(m.message, m.signature)).toBe(m.recovered_id);
        expect(P.recoverPublicKey(m.message, m.signature)).toBe(m.recovered_pubkey);
        expect(m.recovered_id).toBe(k.id);
        expect(m.recovered_pubkey).toBe(k.pubkey);
      },
    );
  });

  describe('envelopes', () => {
    it.each(V.envelopes.map((e) => [e.comment, e] as const))('%s', (_c, e) => {
      // framing: the rpcmsg carries signed_string as payload, and payload is base64(payload_json)
      const rpc = JSON.parse(e.rpcmsg_json) as { signature: string; payloadtype: string; payload: string };
      expect(rpc.payload).toBe(e.signed_string);
      expect(rpc.payloadtype).toBe(e.payloadtype);
      expect(rpc.signature).toBe(e.signature);
      expect(Buffer.from(e.signed_string, 'base64').toString('utf8')).toBe(e.payload_json);
      expect(Buffer.from(e.payload_json, 'utf8').toString('base64')).toBe(e.signed_string);
      expect(JSON.parse(e.payload_json)).toEqual(e.payload_decoded);
      expect(P.sha3Hex(e.signed_string)).toBe(e.sha3_256_of_signed_string);
      if (e.signer_prvkey === '') {
        // unsigned (versionmsg / getserverinfomsg): nothing to sign or recover
        expect(e.signature).toBe('');
        expect(e.recovered_id).toBe('');
        expect(['versionmsg', 'getserverinfomsg']).toContain(e.payloadtype);
        return;
      }
      expect(P.sign(e.signed_string, e.signer_prvkey)).toBe(e.signature);
      expect(P.recoverId(rpc.payload, rpc.signature)).toBe(e.recovered_id);
      expect(P.idOf(e.signer_prvkey)).toBe(e.recovered_id);
    });

    it('unsigned envelopes are present and explicitly skipped above', () => {
      const unsigned = V.envelopes.filter((e) => e.signer_prvkey === '').map((e) => e.payloadtype);
      expect(unsigned.sort()).toEqual(['getserverinfomsg', 'versionmsg']);
    });
  });

  describe('negative_and_edge_cases', () => {
    const signerId = V.keys.find((k) => k.comment.includes('idendity_test.go'))!.id;

    it.each(V.negative_and_edge_cases.map((c) => [c.comment, c] as const))('%s', (_c, c) => {
      if (c.expected_result.startsWith('reject')) {
        let err: unknown;
        try {
          P.recoverId(c.message, c.signature);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(CryptoError);
        expect((err as CryptoError).message).toBe(c.go_result);
        return;
      }
      const m = /^id=([0-9a-f]{64}) err=<nil>$/.exec(c.go_result);
      expect(m).not.toBeNull();
      const id = P.recoverId(c.message, c.signature);
      expect(id).toBe(m![1]);
      if (c.expected_result.startsWith('accept')) {
        expect(id).toBe(signerId);
      } else {
        expect(c.expected_result).toBe('recovers an unrelated id');
        expect(id).not.toBe(signerId);
      }
    });
  });
});
