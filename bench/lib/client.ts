// A lean signed-RPC client for load generation: keep-alive sockets, native secp256k1 signing,
// envelopes built by src/protocol/envelope.ts. Replies are decoded with plain JSON.parse
// (int64 precision is irrelevant here) so that the client stays cheap next to the server.
import { Agent, request } from 'node:http';
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

export class BenchClient {
  readonly host: string;
  readonly port: number;
  readonly agent: Agent;

  constructor(target: string, maxSockets = 256) {
    const t = parseTarget(target);
    this.host = t.host;
    this.port = t.port;
    this.agent = new Agent({ keepAlive: true, maxSockets, keepAliveMsecs: 10_000 });
  }

  /** Raw POST /api. */
  post(body: string, signal?: AbortSignal): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          path: '/api',
          method: 'POST',
          agent: this.agent,
          signal,
          headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Signed call; resolves with the reply payload, rejects with ColoniesError(status, message). */
  async call<T = any>(payloadtype: string, msg: Record<string, unknown>, key: Key, signal?: AbortSignal): Promise<T> {
    const body = buildRequest(payloadtype as any, msg as any, key.prv, crypto);
    const r = await this.post(body, signal);
    return decode(r.status, r.text) as T;
  }

  close(): void {
    this.agent.destroy();
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
