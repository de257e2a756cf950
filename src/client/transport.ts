// How the SDK reaches a server: POST /api with the global fetch, GET /pubsub with the global
// WebSocket (browsers, Node >= 22) or the `ws` package (Node 20), loaded on demand so that
// bundlers for the browser never see it.
import { ColoniesError } from '../protocol/errors.js';

/** A transport failure (server unreachable, connection reset): status 0, names the server. */
export class ConnectionError extends ColoniesError {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(0, `cannot reach the Colonies server at ${url}: ${reason}`);
    this.name = 'ConnectionError';
  }
}

export type FetchLike = (url: string, init: { method: string; body?: string; headers?: Record<string, string>; signal?: AbortSignal }) => Promise<{
  status: number;
  ok: boolean;
  text(): Promise<string>;
}>;

/** Why a fetch failed, in words: node's undici hides the errno behind `cause`. */
export function describeNetworkError(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string; errors?: { code?: string }[] } };
  const cause = err?.cause;
  if (cause?.code) return cause.code;
  if (cause?.errors?.[0]?.code) return cause.errors[0].code;
  if (cause?.message) return cause.message;
  return err?.message ?? String(e);
}

/** Minimal WebSocket surface the SDK uses (standard browser API; `ws` implements it too). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => SocketLike | Promise<SocketLike>;

let wsModule: Promise<{ WebSocket: new (url: string) => SocketLike }> | undefined;

/** The platform WebSocket, or `ws` in Node when there is no global one. */
export const defaultSocketFactory: SocketFactory = async (url) => {
  const G = (globalThis as { WebSocket?: new (url: string) => SocketLike }).WebSocket;
  if (G) return new G(url);
  // A computed specifier keeps browser bundlers from trying to resolve `ws`.
  const name = 'ws';
  wsModule ??= import(/* @vite-ignore */ name).then((m: any) => ({ WebSocket: m.WebSocket ?? m.default }));
  const { WebSocket: WS } = await wsModule;
  return new WS(url);
};

const decoder = typeof TextDecoder !== 'undefined' ? new TextDecoder() : undefined;

/** Text of a WebSocket message event payload (string, ArrayBuffer, Uint8Array, Buffer[]). */
export function frameText(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return decoder!.decode(new Uint8Array(data));
  if (ArrayBuffer.isView(data)) return decoder!.decode(data as Uint8Array);
  if (Array.isArray(data)) return data.map(frameText).join('');
  return String(data);
}
