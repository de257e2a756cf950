/**
 * ColonyOS crypto (PROTOCOL §2). The default export surface is the browser-safe implementation
 * (@noble/*), used by the SDK and the web UI. The Node server should use `serverCrypto()` from
 * ./server.js, which prefers native libsecp256k1.
 */
import * as browser from './browser.js';

export {
  sha3Hex,
  generatePrivateKey,
  publicKeyOf,
  idOfPublicKey,
  idOf,
  sign,
  recoverPublicKey,
  recoverId,
} from './browser.js';
export { CryptoError } from './common.js';
export type { CryptoErrorCode } from './common.js';

/** A complete crypto implementation; all providers are byte-for-byte interchangeable. */
export interface CryptoProvider {
  /** 'native' (libsecp256k1 + node:crypto) or 'browser' (@noble). */
  readonly name: 'native' | 'browser';
  sha3Hex(data: string | Uint8Array): string;
  generatePrivateKey(): string;
  publicKeyOf(prvHex: string): string;
  idOfPublicKey(pubHex: string): string;
  idOf(prvHex: string): string;
  sign(message: string, prvHex: string): string;
  recoverPublicKey(message: string, signatureHex: string): string;
  recoverId(message: string, signatureHex: string): string;
}

export const browserCrypto: CryptoProvider = Object.freeze({
  name: 'browser' as const,
  sha3Hex: browser.sha3Hex,
  generatePrivateKey: browser.generatePrivateKey,
  publicKeyOf: browser.publicKeyOf,
  idOfPublicKey: browser.idOfPublicKey,
  idOf: browser.idOf,
  sign: browser.sign,
  recoverPublicKey: browser.recoverPublicKey,
  recoverId: browser.recoverId,
});
