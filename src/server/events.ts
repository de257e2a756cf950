// Events are published after the change is committed. Listeners on this replica are called
// at once; other replicas get the same events through PostgreSQL NOTIFY (batched per tick,
// so a burst of commits costs one NOTIFY), and ignore the ones they sent themselves.
// Replicas announce themselves on the same channel (a heartbeat every 2 s, and at once when a
// newcomer says hello), so a replica that knows of no live peer sends no NOTIFY at all: a
// single server pays nothing for being able to run as several. Heartbeats also say where a
// replica serves and whether it is the leader, so that any replica can describe the cluster.
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
  /** WAITING, but already assigned in the transaction that stored it (a handoff): wake nobody */
  taken?: boolean;
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
/**
 * Local only, never sent: this replica stopped hearing the others for a while (its LISTEN
 * connection was lost and is back), so events may have been missed; waiters look again.
 */
export interface ResyncEvent {
  kind: 'resync';
  /** ms since the epoch: events published before this were heard (the last time it heard itself) */
  since: number;
}
export type ServerEvent = ProcessEvent | ColonyEvent | ChannelEvent | ResyncEvent;
export type EventListener = (e: ServerEvent) => void;

const CHANNEL = 'colonies_events';
/** Servers working in different schemas of one database must not hear each other. */
const channelOf = (db: Db) => (db.schema ? `${CHANNEL}_${db.schema}` : CHANNEL);
const MAX_NOTIFY = 7000;
const HEARTBEAT_MS = 2000;
/** a peer not heard from for this long is gone (killed replicas never say goodbye) */
const PEER_EXPIRY_MS = 7000;

interface Wire {
  /** sender replica id */
  r: string;
  /** events (absent in heartbeats) */
  e?: ServerEvent[];
  /** heartbeat: 'hello' from a newcomer (answered at once), 'alive', or 'bye' */
  hb?: 'hello' | 'alive' | 'bye';
  /** heartbeats: where the sender serves, and whether it holds the leader lock */
  at?: { host: string; port: number; leader: boolean };
}

/** What a replica says about itself in its heartbeats. */
export interface ReplicaInfo {
  host: string;
  port: number;
  leader: boolean;
}

/** A replica heard from recently. */
export interface Peer extends ReplicaInfo {
  id: string;
}

interface PeerState {
  seen: number;
  /** from its last heartbeat (event batches do not carry it) */
  info?: ReplicaInfo;
}

export class EventBus {
  readonly replicaId = randomUUID();
  private listeners = new Set<EventListener>();
  private outbox: ServerEvent[] = [];
  private flushScheduled = false;
  private unlisten: (() => Promise<void>) | null = null;
  private peers = new Map<string, PeerState>();
  private self: (() => ReplicaInfo) | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  /** when this replica last heard one of its own messages (its LISTEN connection works) */
  private heardSelf = 0;
  /** since when it has been hearing (started, reconnected, or heard itself after being deaf) */
  private hearingSince = 0;

  constructor(private readonly db: Db) {}

  async start(): Promise<void> {
    if (this.db.kind !== 'postgres') return; // one embedded database = one replica
    this.unlisten = await this.db.listen(
      channelOf(this.db),
      (payload) => this.receive(payload),
      () => {
        this.hearingSince = Date.now();
        this.deliver({ kind: 'resync', since: this.heardSelf });
        void this.send(this.beat('hello'));
      },
    );
    this.heardSelf = this.hearingSince = Date.now();
    await this.send(this.beat('hello'));
    this.heartbeat = setInterval(() => void this.send(this.beat('alive')), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.flush();
    if (this.db.kind === 'postgres') await this.send({ r: this.replicaId, hb: 'bye' });
    await this.unlisten?.();
  }

  /** Number of other replicas heard from recently. */
  livePeers(): number {
    this.forgetExpired();
    return this.peers.size;
  }

  /** Not hearing its own heartbeats: this replica cannot tell whether peers are alive. */
  private deaf(): boolean {
    return Date.now() - this.heardSelf > PEER_EXPIRY_MS;
  }

  private forgetExpired(): void {
    // A peer is gone when this replica has been hearing (itself) but not the peer for a while;
    // while it hears nobody, silence says nothing about the peers.
    if (this.deaf()) return;
    const cutoff = Date.now() - PEER_EXPIRY_MS;
    if (this.hearingSince > cutoff) return;
    for (const [id, p] of this.peers) if (p.seen < cutoff) this.peers.delete(id);
  }

  /** How this replica describes itself in heartbeats (set once the server knows its port). */
  describeSelf(info: () => ReplicaInfo): void {
    this.self = info;
  }

  /** Says at once where this replica serves (after describeSelf), instead of at the next beat. */
  async announce(): Promise<void> {
    if (this.db.kind === 'postgres') await this.send(this.beat('alive'));
  }

  /** The other replicas heard from recently that said where they serve. */
  livePeerInfo(): Peer[] {
    this.forgetExpired();
    const out: Peer[] = [];
    for (const [id, p] of this.peers) if (p.info) out.push({ id, ...p.info });
    return out;
  }

  private beat(hb: 'hello' | 'alive'): Wire {
    return { r: this.replicaId, hb, at: this.self?.() };
  }

  private async send(w: Wire): Promise<void> {
    await this.db.query('SELECT pg_notify($1, $2)', [channelOf(this.db), JSON.stringify(w)]).catch(() => undefined);
  }

  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Call only after the transaction that made the change has committed. */
  publish(...events: ServerEvent[]): void {
    for (const e of events) this.deliver(e);
    if (this.db.kind !== 'postgres' || (this.livePeers() === 0 && !this.deaf())) return;
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
    let msg: Wire;
    try {
      msg = JSON.parse(payload);
    } catch {
      return;
    }
    if (msg.r === this.replicaId) {
      if (this.deaf()) this.hearingSince = Date.now();
      this.heardSelf = Date.now();
      return;
    }
    if (msg.hb === 'bye') this.peers.delete(msg.r);
    else {
      const p = this.peers.get(msg.r);
      const info = msg.at && typeof msg.at.host === 'string' && typeof msg.at.port === 'number' ? { host: msg.at.host, port: msg.at.port, leader: msg.at.leader === true } : undefined;
      if (p) {
        p.seen = Date.now();
        if (info) p.info = info;
      } else this.peers.set(msg.r, { seen: Date.now(), info });
    }
    if (msg.hb === 'hello') void this.send(this.beat('alive'));
    for (const e of msg.e ?? []) this.deliver(e);
  }
}
