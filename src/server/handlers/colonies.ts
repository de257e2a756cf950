// Colony RPCs (PROTOCOL §6.2, SEMANTICS §2, §16).
import { isKeyIdLength } from '../../domain/ids.js';
import { badRequest } from '../../protocol/errors.js';
import { PAUSE_STATUS_REPLY_TYPE } from '../../protocol/messages.js';
import {
  getColony,
  insertColony,
  isPaused,
  listColonies,
  removeColony,
  setColonyId,
  setPaused,
} from '../../store/colonies.js';
import type { Queryable } from '../../store/db.js';
import { statistics } from '../../store/statistics.js';
import { colonyOwner, member, memberAnyState, serverOwner } from '../access.js';
import { Reply, rpc } from '../registry.js';

/** Go checks that the colony exists before membership for these (400, not 403). */
export async function existingColony(q: Queryable, colonyname: string, message: string): Promise<string> {
  if (!(await getColony(q, colonyname))) throw badRequest(message);
  return colonyname;
}

rpc('addcolonymsg', {
  access: serverOwner,
  handle: async ({ msg, srv }) => {
    const colony = msg.colony;
    if (!colony) throw badRequest('Failed to add colony, colony is <nil>');
    if (!isKeyIdLength(colony.colonyid)) throw badRequest('Failed to add colony, invalid colony Id length');
    const added = await insertColony(srv.db, { colonyid: colony.colonyid, name: colony.name });
    if (!added) throw badRequest(`A Colony with name <${colony.name}> already exists`);
    return { colonyid: colony.colonyid, name: colony.name };
  },
});

rpc('removecolonymsg', {
  access: serverOwner,
  handle: async ({ msg, srv }) => {
    const removed = await srv.db.tx((q) => removeColony(q, msg.colonyname));
    if (!removed) throw badRequest(`Colony with name <${msg.colonyname}> not found`);
  },
});

rpc('getcoloniesmsg', {
  access: serverOwner,
  handle: async ({ srv }) => {
    const colonies = await listColonies(srv.db);
    return colonies.length > 0 ? colonies : null;
  },
});

rpc('getcolonymsg', {
  access: member((m) => m.colonyname),
  handle: async ({ msg, srv }) => getColony(srv.db, msg.colonyname),
});

rpc('getcolonystatsmsg', {
  access: member((m, q) => existingColony(q, m.colonyname, `Colony with name <${m.colonyname}> not found`)),
  handle: async ({ msg, srv }) => statistics(srv.db, msg.colonyname),
});

rpc('changecolonyidmsg', {
  access: colonyOwner((m) => {
    if (m.colonyid === '') throw badRequest('Failed to change colony Id, colony Id is empty');
    return m.colonyname;
  }),
  handle: async ({ msg, srv }) => {
    if (!isKeyIdLength(msg.colonyid)) throw badRequest('Failed to change colony Id, new colony Id is not 64 characters');
    await setColonyId(srv.db, msg.colonyname, msg.colonyid);
    return { msgtype: msg.msgtype, colonyname: msg.colonyname, colonyid: msg.colonyid };
  },
});

rpc('pauseassignmentsmsg', {
  access: colonyOwner((m) => m.colonyname),
  handle: async ({ msg, srv }) => {
    await setPaused(srv.db, msg.colonyname, true);
  },
});

rpc('resumeassignmentsmsg', {
  access: colonyOwner((m) => m.colonyname),
  handle: async ({ msg, srv }) => {
    await setPaused(srv.db, msg.colonyname, false);
    // wakes assigns parked on the pause, on every replica
    srv.bus.publish({ kind: 'resume', colonyname: msg.colonyname });
  },
});

rpc('getpausestatusmsg', {
  access: memberAnyState((m) => m.colonyname),
  handle: async ({ msg, srv }) =>
    new Reply(PAUSE_STATUS_REPLY_TYPE, {
      msgtype: PAUSE_STATUS_REPLY_TYPE,
      colonyname: msg.colonyname,
      ispaused: await isPaused(srv.db, msg.colonyname),
    }),
});
