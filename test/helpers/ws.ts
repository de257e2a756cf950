// A WebSocket client for /pubsub tests: sends signed subscribe envelopes and records every
// frame (decoded) and the close, with waits that resolve on arrival (no sleeping).
import WebSocket from 'ws';
import { browserCrypto } from '../../src/crypto/index.js';
import { buildRequest } from '../../src/protocol/envelope.js';
import { parseJson } from '../../src/protocol/json.js';
import type { Key } from './server.js';

export interface Frame {
  payloadtype: string;
  error: boolean;
  payload: any;
  binary: boolean;
}

export interface PubsubClient {
  ws: WebSocket;
  frames: Frame[];
  /** resolves when the socket is closed by either side */
  closed: Promise<void>;
  isClosed(): boolean;
  /** sends a signed subscribe request */
  subscribe(payloadtype: string, msg: Record<string, unknown>, key: Key, binary?: boolean): void;
  sendRaw(text: string): void;
  /** resolves once at least n frames arrived (rejects if the socket closes first or after ms) */
  waitFrames(n: number, ms?: number): Promise<Frame[]>;
  close(): void;
}

export async function openPubsub(url: string, path = '/pubsub'): Promise<PubsubClient> {
  const ws = new WebSocket(url.replace(/^http/, 'ws') + path);
  const frames: Frame[] = [];
  let closed = false;
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  ws.on('message', (data, isBinary) => {
    const env = JSON.parse(data.toString()) as { payloadtype: string; payload: string; error: boolean };
    frames.push({
      payloadtype: env.payloadtype,
      error: env.error,
      payload: parseJson(Buffer.from(env.payload, 'base64').toString('utf8')),
      binary: isBinary,
    });
    notify();
  });
  const closedP = new Promise<void>((resolve) => {
    ws.on('close', () => {
      closed = true;
      notify();
      resolve();
    });
    ws.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    frames,
    closed: closedP,
    isClosed: () => closed,
    subscribe(payloadtype, msg, key, binary = false) {
      const body = buildRequest(payloadtype as any, msg as any, key.prv, browserCrypto);
      ws.send(binary ? Buffer.from(body) : body, { binary });
    },
    sendRaw(text) {
      ws.send(text);
    },
    waitFrames(n, ms = 10_000) {
      return new Promise<Frame[]>((resolve, reject) => {
        const check = () => {
          if (frames.length >= n) done(() => resolve(frames.slice()));
          else if (closed) done(() => reject(new Error(`socket closed after ${frames.length} of ${n} frames`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`got ${frames.length} of ${n} frames`))), ms);
        const done = (f: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          f();
        };
        waiters.add(check);
        check();
      });
    },
    close() {
      ws.close();
    },
  };
}
