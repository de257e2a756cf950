// A FetchLike for Node on undici's dispatcher `request` API: about a quarter of the CPU per
// call of the global fetch (no WHATWG Request/Response/stream objects per call), keep-alive
// connections, no client-side time limit (assign long-polls as long as it was asked to).
// undici is loaded when a transport is first made, never imported statically, so that this
// module (reachable from the package root through runExecutor) stays safe for browser bundlers.
import type { Agent, Dispatcher, buildConnector } from 'undici';
import type { ClientOptions } from './base.js';
import { ColoniesClient } from './client.js';
import { defaultNodeCrypto } from './node-crypto.js';
import { isNodeRuntime } from './node-runtime.js';
import type { FetchLike } from './transport.js';

export interface NodeFetchOptions {
  /** sockets per server at most (default: no limit; every request in flight, long polls included, holds one) */
  connections?: number;
  /** TLS/socket options for new connections, e.g. `{ ca }` for a private CA */
  connect?: buildConnector.BuildOptions;
  /** an undici dispatcher (Agent, Pool, ...) to send through instead of one made here */
  dispatcher?: Dispatcher;
}

export { isNodeRuntime } from './node-runtime.js';

type Undici = typeof import('undici');

let undici: Undici | undefined;
function loadUndici(): Undici {
  if (!undici) {
    if (!isNodeRuntime()) throw new Error('nodeFetch needs Node (>= 20.16): use the global fetch elsewhere');
    const { createRequire } = process.getBuiltinModule('node:module');
    undici = createRequire(import.meta.url)('undici') as Undici;
  }
  return undici;
}

function newAgent(opts: NodeFetchOptions = {}): Agent {
  const { Agent } = loadUndici();
  // headersTimeout/bodyTimeout 0: an assign may wait its whole timeout before the reply starts.
  return new Agent({ headersTimeout: 0, bodyTimeout: 0, connections: opts.connections ?? null, connect: opts.connect });
}

let sharedAgent: Agent | undefined;

/** origin and path of the URLs a client sends to (a handful per client), parsed once each */
const targets = new Map<string, { origin: string; path: string }>();
function target(url: string): { origin: string; path: string } {
  let t = targets.get(url);
  if (!t) {
    const u = new URL(url);
    t = { origin: u.origin, path: u.pathname + u.search };
    if (targets.size >= 256) targets.clear();
    targets.set(url, t);
  }
  return t;
}

/**
 * A FetchLike for ClientOptions.fetch backed by undici's `request` API (Node only).
 * Without options all such transports share one connection pool per server; idle sockets do
 * not keep the process alive. Make one with options once and reuse it: each has its own pools.
 * Failures reject as the global fetch's do: an abort with the signal's reason, anything else
 * with TypeError('fetch failed', { cause }) (the client turns that into a ConnectionError).
 */
export function nodeFetch(opts: NodeFetchOptions = {}): FetchLike {
  const own = opts.dispatcher ?? (opts.connections !== undefined || opts.connect ? newAgent(opts) : undefined);
  // The shared agent is made on first use by such a transport, so importing this module is free.
  const dispatcher = own ?? (sharedAgent ??= newAgent());
  return async (url, init) => {
    const { origin, path } = target(url);
    const signal = init.signal;
    try {
      const res = await dispatcher.request({
        origin,
        path,
        method: init.method as Dispatcher.HttpMethod,
        headers: init.headers,
        body: init.body,
        signal,
      });
      // Read the body now: an unread body would hold the connection.
      const text = await res.body.text();
      const status = res.statusCode;
      return { status, ok: status >= 200 && status < 300, text: async () => text };
    } catch (e) {
      if (signal?.aborted) throw signal.reason ?? e;
      throw new TypeError('fetch failed', { cause: e });
    }
  };
}

/** The transport the Node entry points (runExecutor, the CLI) use when none is given. */
export function defaultNodeFetch(): FetchLike | undefined {
  if (!isNodeRuntime()) return undefined;
  try {
    return nodeFetch();
  } catch {
    return undefined; // undici cannot be loaded (a trimmed bundle): the global fetch still works
  }
}

/** A ColoniesClient that sends through nodeFetch and signs natively (unless options.fetch / options.crypto are given). */
export function createNodeClient(options: ClientOptions & { transport?: NodeFetchOptions } = {}): ColoniesClient {
  const { transport, ...rest } = options;
  return new ColoniesClient({ ...rest, fetch: rest.fetch ?? nodeFetch(transport), crypto: rest.crypto ?? defaultNodeCrypto() });
}
