// Events are published after the change is committed. Listeners on this replica are called
// at once; other replicas get the same events through PostgreSQL NOTIFY (batched per tick,
// so a burst of commits costs one NOTIFY), and ignore the ones they sent themselves.
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db.js';

export interface ProcessEvent {
  kind: 'process';
  processid: string;
  colonyname: string;
  executortype: string;
  state: number;
  /** true when the process names executors or a location: wake every waiter, not just one */
  targeted?: boolean;
  processgraphid?: string;
}
export interface ColonyEvent {
  kind: 'resume';
  colonyname: string;
}
export interface ChannelEvent {
  kind: 'channel';
  processid: string;
  name: string;
  /** 'append' | 'close' */
  op: string;
}
export type ServerEvent = ProcessEvent | ColonyEvent | ChannelEvent;
export type EventListener = (e: ServerEvent) => void;

const CHANNEL = 'colonies_events';
/** Servers working in different schemas of one database must not hear each other. */
const channelOf = (db: Db) => (db.schema ? `${CHANNEL}_${db.schema}` : CHANNEL);
const MAX_NOTIFY = 7000;

export class EventBus {
  readonly replicaId = randomUUID();
  private listeners = new Set<EventListener>();
  private outbox: ServerEvent[] = [];
  private flushScheduled = false;
  private unlisten: (() => Promise<void>) | null = null;

  constructor(private readonly db: Db) {}

  async start(): Promise<void> {
    if (this.db.kind !== 'postgres') return; // one embedded database = one replica
    this.unlisten = await this.db.listen(channelOf(this.db), (payload) => this.receive(payload));
  }

  async stop(): Promise<void> {
    await this.flush();
    await this.unlisten?.();
  }

  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Call only after the transaction that made the change has committed. */
  publish(...events: ServerEvent[]): void {
    for (const e of events) this.deliver(e);
    if (this.db.kind !== 'postgres') return;
    this.outbox.push(...events);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => void this.flush());
    }
  }

  private deliver(e: ServerEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        /* a listener's failure must not stop delivery to the others */
      }
    }
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    if (this.outbox.length === 0) return;
    const events = this.outbox;
    this.outbox = [];
    const chunks: string[] = [];
    let cur: ServerEvent[] = [];
    let size = 0;
    for (const e of events) {
      const len = JSON.stringify(e).length + 1;
      if (size + len > MAX_NOTIFY && cur.length) {
        chunks.push(JSON.stringify({ r: this.replicaId, e: cur }));
        cur = [];
        size = 0;
      }
      cur.push(e);
      size += len;
    }
    if (cur.length) chunks.push(JSON.stringify({ r: this.replicaId, e: cur }));
    for (const c of chunks) {
      await this.db.query('SELECT pg_notify($1, $2)', [channelOf(this.db), c]).catch(() => undefined);
    }
  }

  private receive(payload: string): void {
    let msg: { r: string; e: ServerEvent[] };
    try {
      msg = JSON.parse(payload);
    } catch {
      return;
    }
    if (msg.r === this.replicaId) return;
    for (const e of msg.e) this.deliver(e);
  }
}
