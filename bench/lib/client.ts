// A lean signed-RPC client for load generation: undici's connection pool (keep-alive), native
// secp256k1 signing, envelopes built by src/protocol/envelope.ts. Replies are decoded with plain
// JSON.parse (int64 precision is irrelevant here) so that the client stays cheap next to the server.
import { Pool } from 'undici';
import { serverCrypto } from '../../src/crypto/server.js';
import { buildRequest } from '../../src/protocol/envelope.js';
import { ColoniesError } from '../../src/protocol/errors.js';

export interface Key {
  prv: string;
  id: string;
}

const crypto = serverCrypto();

export function newKey(): Key {
  const prv = crypto.generatePrivateKey();
  return { prv, id: crypto.idOf(prv) };
}

export function keyOf(prv: string): Key {
  return { prv, id: crypto.idOf(prv) };
}

/** "host:port" or "http://host:port" → { host, port }. */
export function parseTarget(target: string): { host: string; port: number } {
  const m = /^(?:https?:\/\/)?([^:/]+|\[[^\]]+\]):(\d+)\/?$/.exec(target.trim());
  if (!m) throw new Error(`bad target "${target}", expected host:port`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

const HEADERS = { 'content-type': 'text/plain; charset=utf-8' };

export class BenchClient {
  readonly host: string;
  readonly port: number;
  private readonly pool: Pool;

  /** `connections`: most sockets open at once (one per request in flight; long polls hold one each). */
  constructor(target: string, connections = 256) {
    const t = parseTarget(target);
    this.host = t.host;
    this.port = t.port;
    const host = t.host.includes(':') ? `[${t.host}]` : t.host;
    this.pool = new Pool(`http://${host}:${t.port}`, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 10_000,
      // like node:http: no client-side time limit (long polls last up to the assign timeout)
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  /** The signed request body of a call (sign once, send many times: the bytes are the same). */
  sign(payloadtype: string, msg: Record<string, unknown>, key: Key): string {
    return buildRequest(payloadtype as any, msg as any, key.prv, crypto);
  }

  /** Raw POST /api; transport errors (refused, reset, aborted) reject. */
  async post(body: string, signal?: AbortSignal): Promise<{ status: number; text: string }> {
    const res = await this.pool.request({ path: '/api', method: 'POST', headers: HEADERS, body, signal });
    return { status: res.statusCode, text: await res.body.text() };
  }

  /** Sends a body made by sign(); resolves with the reply payload, rejects with ColoniesError(status, message). */
  async send<T = any>(body: string, signal?: AbortSignal): Promise<T> {
    const r = await this.post(body, signal);
    return decode(r.status, r.text) as T;
  }

  /** Signed call; resolves with the reply payload, rejects with ColoniesError(status, message). */
  call<T = any>(payloadtype: string, msg: Record<string, unknown>, key: Key, signal?: AbortSignal): Promise<T> {
    return this.send<T>(this.sign(payloadtype, msg, key), signal);
  }

  /** Closes the sockets; calls still in flight fail. */
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

function decode(status: number, text: string): unknown {
  let env: { payload?: unknown; error?: unknown };
  try {
    env = JSON.parse(text);
  } catch {
    throw new ColoniesError(status >= 400 ? status : 502, `not a Colonies reply (HTTP ${status}): ${text.slice(0, 200)}`);
  }
  const payload = typeof env.payload === 'string' ? JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8')) : undefined;
  if (env.error === true) {
    const p = (payload ?? {}) as { status?: number; message?: string };
    throw new ColoniesError(p.status ?? status, p.message ?? text);
  }
  return payload;
}

/** The HTTP status of a ColoniesError, or undefined for transport errors. */
export function statusOf(e: unknown): number | undefined {
  return e instanceof ColoniesError ? e.status : undefined;
}

export function isAbort(e: unknown): boolean {
  return (e as { name?: string })?.name === 'AbortError' || (e as { code?: string })?.code === 'ABORT_ERR';
}

/** Monotonic clock in ms, comparable across worker threads (CLOCK_MONOTONIC). */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
