// Signing for SDK clients that run in Node: native libsecp256k1 (about 15x cheaper per signature
// than the browser implementation) once it has loaded, the browser implementation until then and
// wherever the native addon is missing. Both make byte-identical signatures (RFC 6979, low-S:
// test/crypto checks both against the same vectors), so which one signed a request never shows.
// The native module is imported on first use, by a specifier bundlers do not follow, so this
// module (reachable from the package root through runExecutor) stays safe for browser bundles.
import { browserCrypto, type CryptoProvider } from '../crypto/index.js';
import { isNodeRuntime } from './node-runtime.js';

let current: CryptoProvider = browserCrypto;
let loading: Promise<CryptoProvider> | undefined;

/** Starts loading the native provider (Node only); resolves with whichever provider is used. */
export function loadNodeCrypto(): Promise<CryptoProvider> {
  if (!loading) {
    const spec = '../crypto/server.js'; // a variable: not followed by bundlers
    loading = isNodeRuntime()
      ? (import(/* @vite-ignore */ spec) as Promise<typeof import('../crypto/server.js')>)
          .then((m) => (current = m.nativeCrypto() ?? browserCrypto))
          .catch(() => current)
      : Promise.resolve(current);
  }
  return loading;
}

/** A provider that signs natively as soon as the native module is loaded (see loadNodeCrypto). */
export function defaultNodeCrypto(): CryptoProvider {
  void loadNodeCrypto();
  return nodeCrypto;
}

const nodeCrypto: CryptoProvider = Object.freeze({
  /** the provider signing right now */
  get name() {
    return current.name;
  },
  sha3Hex: (d) => current.sha3Hex(d),
  generatePrivateKey: () => current.generatePrivateKey(),
  publicKeyOf: (k) => current.publicKeyOf(k),
  idOfPublicKey: (k) => current.idOfPublicKey(k),
  idOf: (k) => current.idOf(k),
  sign: (m, k) => current.sign(m, k),
  recoverPublicKey: (m, s) => current.recoverPublicKey(m, s),
  recoverId: (m, s) => current.recoverId(m, s),
} satisfies CryptoProvider);
