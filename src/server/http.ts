// The transport: POST /api, GET /health, GET /pubsub (WebSocket), CORS, the dashboard.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerContext } from './context.js';
import { dispatch } from './dispatch.js';

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS',
  'Access-Control-Allow-Headers': 'Origin, Content-Length, Content-Type',
  'Access-Control-Max-Age': '43200',
};

export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Requests being served, for a graceful shutdown: stop taking work, let these finish. */
export class InFlight {
  private n = 0;
  private lastActivity = 0;
  private idleWaiters: (() => void)[] = [];
  /** set when the server shuts down: replies ask the client to close its connection */
  draining = false;
  /** set when the server is about to shut down: /health says 503, everything else as usual */
  unready = false;

  get count(): number {
    return this.n;
  }

  track(res: ServerResponse): void {
    this.n++;
    if (this.draining) {
      this.lastActivity = Date.now();
      res.setHeader('Connection', 'close');
    }
    res.once('close', () => {
      if (this.draining) this.lastActivity = Date.now();
      if (--this.n === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
  }

  /**
   * Resolves once no request has been in flight for `lingerMs` (a connection accepted just
   * before the listener closed may still be bringing one), or after `maxMs`.
   */
  async quiet(lingerMs: number, maxMs: number): Promise<void> {
    const end = Date.now() + maxMs;
    for (;;) {
      const left = end - Date.now();
      if (left <= 0) return;
      if (this.n > 0) {
        await this.idle(left);
        continue;
      }
      const calm = Date.now() - this.lastActivity;
      if (calm >= lingerMs) return;
      await new Promise((r) => setTimeout(r, Math.min(lingerMs - calm, left)));
    }
  }

  /** Resolves when no request is in flight, or after `ms` (whichever comes first). */
  idle(ms: number): Promise<void> {
    if (this.n === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.idleWaiters.push(() => (clearTimeout(t), resolve()));
    });
  }
}

export function requestHandler(srv: ServerContext, serveStatic?: StaticHandler, inFlight?: InFlight) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    inFlight?.track(res);
    if (req.headers.origin) for (const [k, v] of Object.entries(CORS)) res.setHeader(k, v);
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    if (path === '/api' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        // Only a long poll asks whether the client went away: the controller and the 'close'
        // listener are made on first use, not for every request.
        let ac: AbortController | undefined;
        const signal = (): AbortSignal => {
          if (!ac) {
            const c = (ac = new AbortController());
            if (res.destroyed) c.abort();
            else res.on('close', () => !res.writableFinished && c.abort());
          }
          return ac.signal;
        };
        void dispatch(srv, chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'), signal).then((r) => {
          if (res.destroyed) return;
          res.writeHead(r.status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(r.body) });
          res.end(r.body);
        });
      });
      return;
    }
    if (path === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      // 503 while shutting down: a balancer's health check stops sending work here
      res.writeHead(inFlight?.unready || inFlight?.draining ? 503 : 200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 0 }).end();
      return;
    }
    if (serveStatic && (req.method === 'GET' || req.method === 'HEAD') && serveStatic(req, res)) return;
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found');
  };
}
