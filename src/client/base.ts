// The part of the client every RPC goes through: which server, which key, sign, POST, decode.
// The typed methods live in the area files (meta.ts ... realtime.ts), each a class layer
// over this one, so that ColoniesClient has one natural method per RPC without one huge file.
import { browserCrypto, type CryptoProvider } from '../crypto/index.js';
import { BAD_REPLY_STATUS, buildRequest, decodeReply, type MsgInput } from '../protocol/envelope.js';
import { ColoniesError } from '../protocol/errors.js';
import type { PayloadType } from '../protocol/messages.js';
import { ConnectionError, defaultSocketFactory, describeNetworkError, type FetchLike, type SocketFactory } from './transport.js';

export interface ClientOptions {
  /** server host name (default "localhost") */
  host?: string;
  /** server port (default 50080) */
  port?: number;
  /** https/wss instead of http/ws */
  tls?: boolean;
  /** full base URL instead of host/port/tls, e.g. "https://colonies.example.com:443" */
  url?: string;
  /** default private key for calls that are not given one */
  prvKey?: string;
  /** signing implementation; default: the browser-safe one (@noble) */
  crypto?: CryptoProvider;
  /** fetch implementation; default: the global fetch */
  fetch?: FetchLike;
  /** WebSocket factory; default: global WebSocket, else the `ws` package */
  socket?: SocketFactory;
}

export class BaseClient {
  /** http(s)://host:port without a trailing slash */
  readonly baseUrl: string;
  /** ws(s)://host:port */
  readonly wsUrl: string;
  readonly crypto: CryptoProvider;
  protected readonly fetchImpl: FetchLike;
  protected readonly socketFactory: SocketFactory;
  private defaultKey: string | undefined;

  constructor(opts: ClientOptions = {}) {
    const base = opts.url ?? `${opts.tls ? 'https' : 'http'}://${opts.host ?? 'localhost'}:${opts.port ?? 50080}`;
    this.baseUrl = base.replace(/\/+$/, '');
    this.wsUrl = this.baseUrl.replace(/^http/, 'ws');
    this.crypto = opts.crypto ?? browserCrypto;
    const globalFetch = (globalThis as { fetch?: FetchLike }).fetch;
    // Browsers throw "Illegal invocation" when fetch is called unbound.
    const f = opts.fetch ?? globalFetch?.bind(globalThis);
    if (!f) throw new Error('no fetch available: pass options.fetch');
    this.fetchImpl = f;
    this.socketFactory = opts.socket ?? defaultSocketFactory;
    this.defaultKey = opts.prvKey;
  }

  /** Sets the key used when a call is not given one. */
  setPrivateKey(prvKey: string | undefined): this {
    this.defaultKey = prvKey;
    return this;
  }

  /** The id (executor/user/colony id) of a private key. */
  idOf(prvKey: string): string {
    return this.crypto.idOf(prvKey);
  }

  protected key(prvKey?: string): string {
    const k = prvKey ?? this.defaultKey;
    if (!k) throw new ColoniesError(400, 'no private key: pass one to the call or set ClientOptions.prvKey (COLONIES_PRVKEY)');
    return k;
  }

  /** A signed request body for `payloadtype` (also used for WebSocket subscriptions). */
  protected envelope<T extends PayloadType>(payloadtype: T, msg: MsgInput<T>, prvKey?: string): string {
    const kind = payloadtype === 'versionmsg' || payloadtype === 'getserverinfomsg';
    return buildRequest(payloadtype, msg, kind ? '' : this.key(prvKey), this.crypto);
  }

  /**
   * Sends one RPC and returns the decoded reply payload (the server's JSON, int64s exact).
   * Throws ColoniesError(status, message) for error replies, ConnectionError when the server
   * cannot be reached.
   */
  async rawCall<T extends PayloadType>(payloadtype: T, msg: MsgInput<T>, prvKey?: string, signal?: AbortSignal): Promise<unknown> {
    const body = this.envelope(payloadtype, msg, prvKey);
    const url = `${this.baseUrl}/api`;
    let res: Awaited<ReturnType<FetchLike>>;
    let text: string;
    try {
      // text/plain (as the Go client sends) keeps browsers from a CORS preflight.
      res = await this.fetchImpl(url, { method: 'POST', body, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, signal });
      text = await res.text();
    } catch (e) {
      if (signal?.aborted) throw e;
      throw new ConnectionError(this.baseUrl, describeNetworkError(e));
    }
    try {
      return decodeReply(text).payload;
    } catch (e) {
      // Not an envelope: report the HTTP status rather than a generic parse error.
      if (e instanceof ColoniesError && e.status === BAD_REPLY_STATUS && res.status !== 200) {
        throw new ColoniesError(res.status, `HTTP ${res.status} from ${url}: ${text.slice(0, 200) || '(empty body)'}`);
      }
      throw e;
    }
  }

  /** rawCall typed as R. */
  protected async call<R, T extends PayloadType = PayloadType>(payloadtype: T, msg: MsgInput<T>, prvKey?: string, signal?: AbortSignal): Promise<R> {
    return (await this.rawCall(payloadtype, msg, prvKey, signal)) as R;
  }

  /** Like call, for replies that are lists: the server's `null` for "empty" becomes []. */
  protected async list<R, T extends PayloadType = PayloadType>(payloadtype: T, msg: MsgInput<T>, prvKey?: string): Promise<R[]> {
    return ((await this.rawCall(payloadtype, msg, prvKey)) as R[] | null) ?? [];
  }

  /** Calls that reply `{}`. */
  protected async done<T extends PayloadType>(payloadtype: T, msg: MsgInput<T>, prvKey?: string): Promise<void> {
    await this.rawCall(payloadtype, msg, prvKey);
  }

  /** GET /health: true when the server answers 200. */
  async checkHealth(): Promise<boolean> {
    try {
      const res = await this.fetchImpl(`${this.baseUrl}/health`, { method: 'GET' });
      await res.text();
      return res.status === 200;
    } catch {
      return false;
    }
  }
}
