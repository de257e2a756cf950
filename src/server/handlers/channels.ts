// Channels: channelappendmsg / channelreadmsg (PROTOCOL §6.14, SEMANTICS §13). Streaming
// (subscribechannelmsg) lives in src/server/subscriptions/channels.ts. Check order follows Go:
// process → membership → channel exists → (payload size) → party → rate limit → log size.
import { forbidden, internal, notFound } from '../../protocol/errors.js';
import {
  appendEntry,
  CHANNEL_MAX_PAYLOAD,
  channelOpen,
  colonyOfProcess,
  entryToWire,
  isParty,
  loadChannelProcess,
  purgeClosedChannels,
  readEntries,
  type ChannelProcess,
} from '../../store/channels.js';
import type { Queryable } from '../../store/db.js';
import { member } from '../access.js';
import { loop } from '../loops.js';
import { rpc } from '../registry.js';

const processColony = (m: { processid: string }, q: Queryable) => colonyOfProcess(q, m.processid);

async function openChannel(q: Queryable, processid: string, name: string): Promise<ChannelProcess> {
  const p = await loadChannelProcess(q, processid);
  if (!p) throw notFound('Process not found');
  if (!channelOpen(p, name)) throw notFound('Channel not found');
  return p;
}

rpc('channelappendmsg', {
  access: member(processColony),
  async handle({ msg, callerId, srv }) {
    const p = await openChannel(srv.db, msg.processid, msg.name);
    if (msg.payload.length > CHANNEL_MAX_PAYLOAD) throw internal('message payload exceeds maximum size');
    if (!isParty(p, callerId)) throw forbidden('Not authorized to write to channel');
    await appendEntry(srv.db, p, msg.name, callerId, {
      sequence: msg.sequence,
      inreplyto: msg.inreplyto ?? 0n,
      payload: msg.payload,
      type: msg.payloadtype ?? '',
    });
    srv.bus.publish({ kind: 'channel', processid: p.processid, name: msg.name, op: 'append' });
  },
});

rpc('channelreadmsg', {
  access: member(processColony),
  async handle({ msg, callerId, srv }) {
    const p = await openChannel(srv.db, msg.processid, msg.name);
    if (!isParty(p, callerId)) throw forbidden('Not authorized to read from channel');
    const rows = await readEntries(srv.db, p.processid, msg.name, msg.afterseq, msg.limit);
    return rows.map(entryToWire);
  },
});

// Closed processes' channels are already unreachable; this only frees the space. The grace
// period lets streaming subscribers deliver the last entries written just before the close.
const PURGE_GRACE_NS = 60n * 1_000_000_000n;
loop({
  name: 'channel-purge',
  periodMs: () => 30_000,
  leaderOnly: true,
  run: (srv) => purgeClosedChannels(srv.db, PURGE_GRACE_NS),
});
