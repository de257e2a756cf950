// GET /pubsub: WebSocket subscriptions (PROTOCOL §7). Every frame a client sends is a signed
// request envelope of one of the three subscribe types. An unparsable envelope or a bad
// signature closes the socket without a word (as Go does); any other error is answered with an
// error envelope frame and the socket stays open. Replies use the client's frame type.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { checkPayloadType, decodeMessage } from '../protocol/envelope.js';
import { ColoniesError } from '../protocol/errors.js';
import type { ServerContext } from './context.js';
import { authenticate } from './dispatch.js';
import { ChannelSubscriptions } from './subscriptions/channels.js';
import { Conn } from './subscriptions/conn.js';
import { ProcessSubscriptions } from './subscriptions/processes.js';

/** Close code for an envelope we cannot read or whose signature fails. */
const POLICY_VIOLATION = 1008;

export interface PubsubStats {
  connections: number;
  /** subscribeprocessmsg + subscribeprocessesmsg subscriptions */
  processSubscribers: number;
  channelSubscribers: number;
}

const statsOf = new WeakMap<ServerContext, () => PubsubStats>();

/** Live subscription counts of a server (statistics, tests). */
export function pubsubStats(srv: ServerContext): PubsubStats {
  return statsOf.get(srv)?.() ?? { connections: 0, processSubscribers: 0, channelSubscribers: 0 };
}

export function attachPubsub(http: Server, srv: ServerContext): () => void {
  const wss = new WebSocketServer({ noServer: true });
  const processes = new ProcessSubscriptions(srv);
  const channels = new ChannelSubscriptions(srv);
  const conns = new Set<Conn>();
  statsOf.set(srv, () => ({ connections: conns.size, processSubscribers: processes.size, channelSubscribers: channels.size }));
  const offBus = srv.bus.on((e) => {
    processes.onEvent(e);
    channels.onEvent(e);
  });

  const onFrame = async (conn: Conn, data: RawData, binary: boolean): Promise<void> => {
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8');
    let env: Awaited<ReturnType<typeof authenticate>>;
    try {
      env = await authenticate(srv, text);
    } catch {
      conn.close(POLICY_VIOLATION);
      return;
    }
    try {
      const type = checkPayloadType(env.payloadtype, 'websocket');
      switch (type) {
        case 'subscribeprocessmsg':
          return await processes.subscribeProcess(conn, binary, env.callerId, decodeProcessMsg(type, env.payload));
        case 'subscribeprocessesmsg':
          return await processes.subscribeProcesses(conn, binary, env.callerId, decodeProcessMsg(type, env.payload));
        case 'subscribechannelmsg':
          return await channels.subscribe(conn, binary, env.callerId, decodeMessage(type, env.payload));
      }
    } catch (e) {
      if (e instanceof ColoniesError) {
        conn.sendError(e.status, e.message, binary);
      } else {
        srv.log.error({ err: e }, 'pubsub: subscription failed');
        conn.sendError(500, e instanceof Error ? e.message : String(e), binary);
      }
    }
  };

  wss.on('connection', (ws: WebSocket) => {
    const conn = new Conn(ws);
    conns.add(conn);
    ws.on('close', () => conns.delete(conn));
    ws.on('message', (data, isBinary) => void onFrame(conn, data, isBinary));
  });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/pubsub') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  http.on('upgrade', onUpgrade);

  return () => {
    http.off('upgrade', onUpgrade);
    offBus();
    processes.stopAll();
    channels.stopAll();
    for (const c of conns) c.ws.terminate();
    conns.clear();
    wss.close();
  };
}

/** Go answers a bad subscribeprocess(es) message with 403 (channel subscriptions: 400). */
function decodeProcessMsg<T extends 'subscribeprocessmsg' | 'subscribeprocessesmsg'>(type: T, payload: string) {
  try {
    return decodeMessage(type, payload);
  } catch (e) {
    if (e instanceof ColoniesError && e.status === 400) throw new ColoniesError(403, e.message);
    throw e;
  }
}
