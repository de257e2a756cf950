/**
 * Server-side crypto selection: native libsecp256k1 when its addon loads, otherwise the
 * browser (@noble) implementation. The caller should log a warning when `native` is false.
 */
import { browserCrypto, type CryptoProvider } from './index.js';
import * as native from './native.js';

export type { CryptoProvider } from './index.js';

export interface ServerCryptoProvider extends CryptoProvider {
  /** True if this is the native libsecp256k1 provider. */
  readonly native: boolean;
  /** Why the native provider is not used (only when native is false). */
  readonly fallbackReason?: string;
}

let nativeProvider: CryptoProvider | undefined;

/** The native provider, or undefined if the addon cannot be loaded. */
export function nativeCrypto(): CryptoProvider | undefined {
  if (!native.nativeAvailable()) return undefined;
  nativeProvider ??= Object.freeze({
    name: 'native' as const,
    sha3Hex: native.sha3Hex,
    generatePrivateKey: native.generatePrivateKey,
    publicKeyOf: native.publicKeyOf,
    idOfPublicKey: native.idOfPublicKey,
    idOf: native.idOf,
    sign: native.sign,
    recoverPublicKey: native.recoverPublicKey,
    recoverId: native.recoverId,
  });
  return nativeProvider;
}

/** Native provider when available, else the browser one; `native` tells which. */
export function serverCrypto(): ServerCryptoProvider {
  const n = nativeCrypto();
  if (n) return Object.freeze({ ...n, native: true });
  return Object.freeze({
    ...browserCrypto,
    native: false,
    fallbackReason: native.nativeLoadError() ?? 'native secp256k1 addon not available',
  });
}
