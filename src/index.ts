// Package root: the SDK, the executor runtime, crypto and the protocol's types.
// Browser-safe: nothing here imports node: modules or the server.
export * from './client/index.js';
export * from './executor/index.js';
// Node only (undici, loaded on first use; the module itself is safe to bundle for browsers).
export { nodeFetch, createNodeClient, isNodeRuntime, type NodeFetchOptions } from './client/node-transport.js';
export { defaultNodeCrypto, loadNodeCrypto } from './client/node-crypto.js';
export { browserCrypto, sha3Hex, generatePrivateKey, idOf, sign, recoverId, CryptoError, type CryptoProvider } from './crypto/index.js';
export type { PayloadType, Msg } from './protocol/messages.js';
export { formatTime, parseTime, ZERO_TIME } from './protocol/time.js';
export { parseJson, stringifyJson } from './protocol/json.js';
export type * as Objects from './protocol/objects.js';
