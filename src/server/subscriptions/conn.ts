// One WebSocket connection on /pubsub and the subscriptions it carries. A subscription ends
// when the socket closes; the owner of a subscription says how to stop it.
import type { WebSocket } from 'ws';
import { errorEnvelope } from '../../protocol/envelope.js';

export interface Subscription {
  /** stops timers and unregisters the subscription from its hub */
  stop(): void;
}

export class Conn {
  private subs = new Set<Subscription>();
  private closed = false;

  constructor(readonly ws: WebSocket) {
    ws.on('close', () => this.dispose());
    ws.on('error', () => this.dispose());
  }

  get open(): boolean {
    return !this.closed && this.ws.readyState === this.ws.OPEN;
  }

  /** bytes queued but not yet written to the socket (a slow reader) */
  get buffered(): number {
    return this.ws.bufferedAmount;
  }

  /** Sends a text frame, or a binary frame when the client's request was binary. */
  send(text: string, binary: boolean): void {
    if (!this.open) return;
    this.ws.send(binary ? Buffer.from(text, 'utf8') : text, { binary });
  }

  sendError(status: number, message: string, binary: boolean): void {
    this.send(errorEnvelope(status, message), binary);
  }

  add(sub: Subscription): void {
    if (this.closed) sub.stop();
    else this.subs.add(sub);
  }

  remove(sub: Subscription): void {
    this.subs.delete(sub);
  }

  /** Closes the socket (a subscription timed out, or the server stops). */
  close(code = 1000): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code);
    this.dispose();
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    const subs = [...this.subs];
    this.subs.clear();
    for (const s of subs) s.stop();
  }
}
