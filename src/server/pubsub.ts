// GET /pubsub: WebSocket subscriptions (PROTOCOL.md §7). Filled in by the real-time work.
import type { Server } from 'node:http';
import type { ServerContext } from './context.js';

export function attachPubsub(http: Server, _srv: ServerContext): () => void {
  const onUpgrade = (_req: unknown, socket: { destroy(): void }) => socket.destroy();
  http.on('upgrade', onUpgrade);
  return () => http.off('upgrade', onUpgrade);
}
