// Channel logs in the database (PROTOCOL §6.14, SEMANTICS §13). A channel exists while its
// process is open (WAITING or RUNNING) and declares the name in spec.channels; its row is
// created on first append. Rows of closed processes are unreachable at once (every access
// checks the process state) and purged later by purgeClosedChannels.
import { internal, notFound } from '../protocol/errors.js';
import { formatTime, nowNs } from '../protocol/time.js';
import type { Db, Queryable } from './db.js';

export const CHANNEL_MAX_PAYLOAD = 10 * 1024 * 1024;
export const CHANNEL_MAX_ENTRIES = 10_000;
export const CHANNELS_PER_PROCESS = 100;
export const RATE_BURST = 500;
export const RATE_PER_SECOND = 100;

/** The process fields a channel operation needs. */
export interface ChannelProcess {
  processid: string;
  colonyname: string;
  state: number;
  initiatorid: string;
  assignedexecutorid: string;
  channels: string[] | null;
}

export interface EntryRow {
  pos: number;
  arrival: number;
  sequence: bigint;
  inreplyto: bigint;
  senderid: string;
  payload: Uint8Array;
  type: string;
  ts: bigint;
}

/** MsgEntry as JSON (OBJECTS §19): payload base64 (via stringifyWire), omitempty fields left out. */
export interface MsgEntryWire {
  sequence: bigint;
  inreplyto?: bigint;
  timestamp: string;
  senderid: string;
  payload: Uint8Array;
  type?: string;
  error?: string;
}

export function entryToWire(e: EntryRow): MsgEntryWire {
  return {
    sequence: BigInt(e.sequence),
    inreplyto: BigInt(e.inreplyto) === 0n ? undefined : BigInt(e.inreplyto),
    timestamp: formatTime(e.ts),
    senderid: e.senderid,
    payload: e.payload,
    type: e.type || undefined,
  };
}

/** The colony of a process, for the access rule (404 "Process not found" as Go answers). */
export async function colonyOfProcess(q: Queryable, processid: string): Promise<string> {
  const rows = await q.query<{ colonyname: string }>('SELECT colonyname FROM processes WHERE processid = $1', [processid]);
  if (!rows[0]) throw notFound('Process not found');
  return rows[0].colonyname;
}

export async function loadChannelProcess(q: Queryable, processid: string): Promise<ChannelProcess | null> {
  const rows = await q.query<ChannelProcess>(
    `SELECT processid, colonyname, state, initiatorid, assignedexecutorid,
            CASE WHEN jsonb_typeof(spec->'channels') = 'array'
                 THEN ARRAY(SELECT jsonb_array_elements_text(spec->'channels')) END AS channels
       FROM processes WHERE processid = $1`,
    [processid],
  );
  return rows[0] ?? null;
}

/** True while the channel can be used: the process is open and declares it (first 100 names). */
export function channelOpen(p: ChannelProcess, name: string): boolean {
  if (p.state !== 0 && p.state !== 1) return false;
  const declared = [...new Set(p.channels ?? [])].slice(0, CHANNELS_PER_PROCESS);
  return declared.includes(name);
}

/** Only the initiator and the assigned executor may use a process's channels. */
export function isParty(p: ChannelProcess, callerId: string): boolean {
  return callerId !== '' && (callerId === p.initiatorid || callerId === p.assignedexecutorid);
}

export interface AppendInput {
  sequence: bigint;
  inreplyto: bigint;
  payload: Uint8Array;
  /** '' is stored as 'data' */
  type: string;
}

/**
 * Appends one entry. Per-process rate limit and the log size limit are checked in the same
 * transaction, under the channel row's lock, so replicas agree on order and limits.
 * Errors carry Go's texts (500).
 */
export async function appendEntry(db: Db, p: ChannelProcess, name: string, senderid: string, e: AppendInput): Promise<void> {
  const now = nowNs();
  await db.tx(async (q) => {
    const [rate] = await q.query<{ tokens: number }>(
      `INSERT INTO channel_rates (processid, colonyname, tokens, refilled) VALUES ($1, $2, $3::float8 - 1, $4)
       ON CONFLICT (processid) DO UPDATE SET
         tokens = LEAST($3::float8, channel_rates.tokens
                  + GREATEST(0, EXCLUDED.refilled - channel_rates.refilled)::float8 / 1e9 * $5::float8) - 1,
         refilled = GREATEST(channel_rates.refilled, EXCLUDED.refilled)
       RETURNING tokens`,
      [p.processid, p.colonyname, RATE_BURST, now.toString(), RATE_PER_SECOND],
    );
    // a negative balance means there was no whole token: roll back (nothing consumed)
    if (rate.tokens < 0) throw internal('rate limit exceeded');
    const [ch] = await q.query<{ entries: number }>(
      `INSERT INTO channels (processid, name, colonyname) VALUES ($1, $2, $3)
       ON CONFLICT (processid, name) DO UPDATE SET entries = channels.entries
       RETURNING entries`,
      [p.processid, name, p.colonyname],
    );
    if (ch.entries >= CHANNEL_MAX_ENTRIES) throw internal('channel log is full');
    // Entries of one sender stay in sequence order: an older sequence arriving late goes
    // before that sender's first newer entry; everything else is in arrival order.
    const [before] = await q.query<{ pos: number | null }>(
      `SELECT min(pos) AS pos FROM channel_entries
        WHERE processid = $1 AND name = $2 AND senderid = $3 AND sequence > $4::int8`,
      [p.processid, name, senderid, e.sequence.toString()],
    );
    let pos = ch.entries;
    if (before?.pos !== null && before?.pos !== undefined) {
      pos = before.pos;
      // two steps so that the primary key never sees two rows at one position
      await q.query('UPDATE channel_entries SET pos = -pos - 1 WHERE processid = $1 AND name = $2 AND pos >= $3', [p.processid, name, pos]);
      await q.query('UPDATE channel_entries SET pos = -pos WHERE processid = $1 AND name = $2 AND pos < 0', [p.processid, name]);
    }
    await q.query(
      `WITH ins AS (
         INSERT INTO channel_entries (processid, name, colonyname, pos, arrival, sequence, inreplyto, senderid, payload, type, ts)
         VALUES ($1, $2, $3, $4, $5, $6::int8, $7::int8, $8, $9, $10, $11::int8))
       UPDATE channels SET entries = entries + 1 WHERE processid = $1 AND name = $2`,
      [
        p.processid,
        name,
        p.colonyname,
        pos,
        ch.entries,
        e.sequence.toString(),
        e.inreplyto.toString(),
        senderid,
        Buffer.from(e.payload.buffer, e.payload.byteOffset, e.payload.byteLength),
        e.type === '' ? 'data' : e.type,
        now.toString(),
      ],
    );
  });
}

const ENTRY_COLUMNS = 'pos, arrival, sequence, inreplyto, senderid, payload, type, ts';

/** Entries from log index `after` on (afterseq is an index, not a sequence); limit 0 = all. */
export async function readEntries(q: Queryable, processid: string, name: string, after: bigint, limit: number): Promise<EntryRow[]> {
  const from = after < 0n ? 0 : after > BigInt(CHANNEL_MAX_ENTRIES) ? CHANNEL_MAX_ENTRIES : Number(after);
  return q.query<EntryRow>(
    `SELECT ${ENTRY_COLUMNS} FROM channel_entries WHERE processid = $1 AND name = $2 AND pos >= $3
      ORDER BY pos ${limit > 0 ? 'LIMIT $4' : ''}`,
    limit > 0 ? [processid, name, from, limit] : [processid, name, from],
  );
}

/**
 * What a new streaming subscriber starts from, in one snapshot: entries from index `after`
 * on, and how many entries had arrived (the arrival number of the next entry to stream).
 */
export async function readSnapshot(q: Queryable, processid: string, name: string, after: bigint): Promise<{ next: number; entries: EntryRow[] }> {
  const from = after < 0n ? 0 : after > BigInt(CHANNEL_MAX_ENTRIES) ? CHANNEL_MAX_ENTRIES : Number(after);
  const rows = await q.query<EntryRow & { total: number }>(
    `SELECT c.entries AS total, e.*
       FROM channels c
       LEFT JOIN LATERAL (SELECT ${ENTRY_COLUMNS} FROM channel_entries
                           WHERE processid = c.processid AND name = c.name AND pos >= $3 ORDER BY pos) e ON true
      WHERE c.processid = $1 AND c.name = $2
      ORDER BY e.pos`,
    [processid, name, from],
  );
  if (rows.length === 0) return { next: 0, entries: [] };
  return { next: rows[0].total, entries: rows[0].pos === null ? [] : rows };
}

/** Up to `limit` entries that arrived as number `fromArrival` or later, in arrival order (streaming). */
export async function readArrivals(q: Queryable, processid: string, name: string, fromArrival: number, limit: number): Promise<EntryRow[]> {
  return q.query<EntryRow>(
    `SELECT ${ENTRY_COLUMNS} FROM channel_entries WHERE processid = $1 AND name = $2 AND arrival >= $3 ORDER BY arrival LIMIT $4`,
    [processid, name, fromArrival, limit],
  );
}

/** Deletes the channels of processes that closed more than `graceNs` ago. */
export async function purgeClosedChannels(q: Queryable, graceNs: bigint): Promise<void> {
  const cutoff = (nowNs() - graceNs).toString();
  const closed = `SELECT 1 FROM processes p WHERE p.processid = x.processid AND p.state IN (2, 3, 4) AND p.endtime < $1::int8`;
  await q.query(`DELETE FROM channels x WHERE EXISTS (${closed})`, [cutoff]);
  await q.query(`DELETE FROM channel_rates x WHERE EXISTS (${closed})`, [cutoff]);
}
