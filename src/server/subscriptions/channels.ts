// subscribechannelmsg (PROTOCOL §7.3). Entries live in the database; an append anywhere
// publishes a channel event (local, or NOTIFY from another replica) and the channel's feed on
// this replica reads the new entries once for all of its subscribers, in arrival order.
import { replyEnvelope } from '../../protocol/envelope.js';
import { forbidden, notFound } from '../../protocol/errors.js';
import type { Msg } from '../../protocol/messages.js';
import { formatTime, nowNs } from '../../protocol/time.js';
import {
  channelOpen,
  entryToWire,
  isParty,
  loadChannelProcess,
  readArrivals,
  readSnapshot,
  type EntryRow,
  type MsgEntryWire,
} from '../../store/channels.js';
import { checkMember } from '../access.js';
import type { ServerContext } from '../context.js';
import type { ServerEvent } from '../events.js';
import type { Conn, Subscription } from './conn.js';

const FRAME_TYPE = 'subscribechannelmsg';
const DEFAULT_TIMEOUT_S = 30;
/** A reader this far behind is dropped (Go: 10 000 buffered entries). */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
/** entries read per query while streaming (entries may be up to 10 MiB each) */
const READ_BATCH = 64;
/** setTimeout's limit (~24.8 days); longer timeouts would fire at once */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface ChannelSub extends Subscription {
  conn: Conn;
  binary: boolean;
  /** arrival number of the next entry to send; -1 until the first snapshot was sent */
  next: number;
}

class Feed {
  readonly subs = new Set<ChannelSub>();
  private busy = false;
  private again = false;
  /** the process closed: deliver what is left, then end every subscriber */
  finishing = false;

  constructor(
    private readonly srv: ServerContext,
    readonly processid: string,
    readonly name: string,
    private readonly onEmpty: (f: Feed) => void,
  ) {}

  /** Reads entries that arrived since the slowest ready subscriber's position and sends them. */
  async pull(): Promise<void> {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    try {
      do {
        this.again = false;
        const ready = [...this.subs].filter((s) => s.next >= 0);
        if (ready.length === 0) continue;
        const from = Math.min(...ready.map((s) => s.next));
        let rows: EntryRow[];
        try {
          rows = await readArrivals(this.srv.db, this.processid, this.name, from, READ_BATCH);
        } catch (err) {
          this.srv.log.error({ err }, 'pubsub: failed to read channel entries');
          break;
        }
        for (const s of ready) deliver(s, rows);
        if (rows.length === READ_BATCH) this.again = true; // more to come: read in bounded batches
      } while (this.again);
    } finally {
      this.busy = false;
    }
    if (this.finishing) for (const s of [...this.subs]) if (s.next >= 0) s.stop();
  }

  drop(sub: ChannelSub): void {
    this.subs.delete(sub);
    if (this.subs.size === 0) this.onEmpty(this);
  }
}

function deliver(s: ChannelSub, rows: EntryRow[]): void {
  for (const r of rows) {
    if (r.arrival < s.next || !s.conn.open) continue;
    if (s.conn.buffered > MAX_BUFFERED_BYTES) {
      const gone: MsgEntryWire = { sequence: 0n, timestamp: formatTime(nowNs()), senderid: '', payload: new Uint8Array(0), error: 'subscriber disconnected: buffer full' };
      s.conn.send(replyEnvelope(FRAME_TYPE, [gone]), s.binary);
      s.stop();
      return;
    }
    // Go streams one frame per new entry
    s.conn.send(replyEnvelope(FRAME_TYPE, [entryToWire(r)]), s.binary);
    s.next = r.arrival + 1;
  }
}

export class ChannelSubscriptions {
  private feeds = new Map<string, Feed>();
  /** processid → its feeds, so that a close event finds them without a scan */
  private byProcess = new Map<string, Set<Feed>>();

  constructor(private readonly srv: ServerContext) {}

  get size(): number {
    let n = 0;
    for (const f of this.feeds.values()) n += f.subs.size;
    return n;
  }

  onEvent(e: ServerEvent): void {
    if (e.kind === 'resync') {
      void this.resync();
    } else if (e.kind === 'channel') {
      void this.feeds.get(key(e.processid, e.name))?.pull();
    } else if (e.kind === 'process' && e.state >= 2) {
      // channels die with their process: flush what was written before the close, then stop
      for (const f of this.byProcess.get(e.processid) ?? []) {
        f.finishing = true;
        void f.pull();
      }
    }
  }

  async subscribe(conn: Conn, binary: boolean, callerId: string, msg: Msg<'subscribechannelmsg'>): Promise<void> {
    const db = this.srv.db;
    const p = await loadChannelProcess(db, msg.processid);
    if (!p) throw notFound('Process not found');
    await checkMember(db, p.colonyname, callerId, true);
    if (!channelOpen(p, msg.name)) throw notFound('Channel not found');
    if (!isParty(p, callerId)) throw forbidden('Not authorized to subscribe to channel');

    const k = key(p.processid, msg.name);
    let feed = this.feeds.get(k);
    if (!feed) {
      feed = new Feed(this.srv, p.processid, msg.name, (f) => this.forget(k, f));
      this.feeds.set(k, feed);
      let set = this.byProcess.get(p.processid);
      if (!set) this.byProcess.set(p.processid, (set = new Set()));
      set.add(feed);
    }
    const f = feed;
    const timeoutS = msg.timeout === 0 ? DEFAULT_TIMEOUT_S : msg.timeout;
    let timer: NodeJS.Timeout | null = null;
    const sub: ChannelSub = {
      conn,
      binary,
      next: -1,
      stop: () => {
        if (timer) clearTimeout(timer);
        timer = null;
        f.drop(sub);
        conn.remove(sub);
      },
    };
    // Registered before the snapshot so that an append in between triggers a pull.
    f.subs.add(sub);
    conn.add(sub);
    try {
      const snap = await readSnapshot(db, p.processid, msg.name, msg.afterseq);
      if (snap.entries.length > 0) conn.send(replyEnvelope(FRAME_TYPE, snap.entries.map(entryToWire)), binary);
      sub.next = snap.next;
    } catch (err) {
      sub.stop();
      throw err;
    }
    if (!f.subs.has(sub)) return; // the socket closed meanwhile
    // The stream ends with an empty frame at the timeout; the socket stays open (as in Go).
    timer = setTimeout(
      () => {
        if (!f.subs.has(sub)) return;
        conn.send(replyEnvelope(FRAME_TYPE, []), binary);
        sub.stop();
      },
      Math.min(MAX_TIMER_MS, Math.max(0, timeoutS) * 1000),
    );
    void f.pull();
  }

  /**
   * Appends and closes may have been missed (see ResyncEvent): feeds of processes that closed
   * meanwhile finish, and every feed reads from its slowest subscriber's position.
   */
  private async resync(): Promise<void> {
    const ids = [...this.byProcess.keys()];
    if (ids.length === 0) return;
    try {
      const rows = await this.srv.db.query<{ processid: string }>('SELECT processid FROM processes WHERE processid = ANY($1) AND state >= 2', [ids]);
      for (const r of rows) for (const f of this.byProcess.get(r.processid) ?? []) f.finishing = true;
    } catch (err) {
      this.srv.log.error({ err }, 'pubsub: failed to read channel processes');
    }
    for (const f of [...this.feeds.values()]) void f.pull();
  }

  stopAll(): void {
    for (const f of [...this.feeds.values()]) for (const s of [...f.subs]) s.stop();
  }

  private forget(k: string, f: Feed): void {
    if (this.feeds.get(k) === f) this.feeds.delete(k);
    const set = this.byProcess.get(f.processid);
    set?.delete(f);
    if (set && set.size === 0) this.byProcess.delete(f.processid);
  }
}

function key(processid: string, name: string): string {
  return `${processid}\u0000${name}`;
}
