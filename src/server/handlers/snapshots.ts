// Registry rows for ColonyFS snapshots (PROTOCOL §6.13, SEMANTICS §12).
// Go reports a missing or duplicate snapshot as 500; we keep the status codes.
import { internal } from '../../protocol/errors.js';
import {
  createSnapshot,
  getSnapshotById,
  getSnapshotByName,
  getSnapshots,
  removeAllSnapshots,
  removeSnapshotById,
  removeSnapshotByName,
} from '../../store/snapshots.js';
import { member } from '../access.js';
import { rpc } from '../registry.js';

rpc('createsnapshotmsg', {
  access: member((m) => m.colonyname),
  async handle({ msg, srv }) {
    const snapshot = await srv.db.tx((q) => createSnapshot(q, msg.colonyname, msg.label, msg.name));
    if (!snapshot) throw internal(`Snapshot with name <${msg.name}> in Colony <${msg.colonyname}> already exists`);
    return snapshot;
  },
});

rpc('getsnapshotmsg', {
  access: member((m) => m.colonyname),
  async handle({ msg, srv }) {
    if (msg.snapshotid !== '') {
      const s = await getSnapshotById(srv.db, msg.colonyname, msg.snapshotid);
      if (!s) throw internal(`Snapshot not found with Id <${msg.snapshotid}> in Colony <${msg.colonyname}> does not exists`);
      return s;
    }
    if (msg.name !== '') {
      const s = await getSnapshotByName(srv.db, msg.colonyname, msg.name);
      if (!s) throw internal(`Snapshot not found with name <${msg.name}> in Colony <${msg.colonyname}> does not exists`);
      return s;
    }
    throw internal('Failed to get snapshot, malformatted msg');
  },
});

rpc('getsnapshotsmsg', {
  access: member((m) => m.colonyname),
  async handle({ msg, srv }) {
    const list = await getSnapshots(srv.db, msg.colonyname);
    return list.length > 0 ? list : null;
  },
});

rpc('removesnapshotmsg', {
  access: member((m) => m.colonyname),
  async handle({ msg, srv }) {
    // Removing a snapshot that does not exist succeeds, as in Go
    if (msg.snapshotid !== '') await removeSnapshotById(srv.db, msg.colonyname, msg.snapshotid);
    else if (msg.name !== '') await removeSnapshotByName(srv.db, msg.colonyname, msg.name);
    else throw internal('Failed to remove snapshot, malformatted msg');
  },
});

rpc('removeallsnapshotmsg', {
  access: member((m) => m.colonyname),
  handle: async ({ msg, srv }) => removeAllSnapshots(srv.db, msg.colonyname),
});
