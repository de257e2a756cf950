// Location RPCs (PROTOCOL §6.5).
import { badRequest, notFound } from '../../protocol/errors.js';
import { getLocation, insertLocation, listLocations, removeLocation } from '../../store/locations.js';
import { colonyOwner, memberAnyState } from '../access.js';
import { rpc } from '../registry.js';
import { existingColony } from './colonies.js';

const noColony = (name: string) => `Colony with name <${name}> does not exists`;

rpc('addlocationmsg', {
  access: colonyOwner((m, q) => {
    if (!m.location) throw badRequest('Failed to add location, location is nil');
    return existingColony(q, m.location.colonyname, noColony(m.location.colonyname));
  }),
  handle: async ({ msg, srv }) => {
    const l = msg.location!;
    if (!(await insertLocation(srv.db, l))) {
      throw badRequest(`A location with name <${l.name}> already exists in Colony with name <${l.colonyname}>`);
    }
    return getLocation(srv.db, l.colonyname, l.name);
  },
});

rpc('getlocationsmsg', {
  access: memberAnyState((m, q) => existingColony(q, m.colonyname, noColony(m.colonyname))),
  handle: async ({ msg, srv }) => {
    const locations = await listLocations(srv.db, msg.colonyname);
    return locations.length > 0 ? locations : null;
  },
});

rpc('getlocationmsg', {
  access: memberAnyState((m, q) => existingColony(q, m.colonyname, noColony(m.colonyname))),
  handle: async ({ msg, srv }) => {
    const location = await getLocation(srv.db, msg.colonyname, msg.name);
    if (!location) throw notFound('Failed to get location, location is nil');
    return location;
  },
});

rpc('removelocationmsg', {
  access: colonyOwner((m, q) => existingColony(q, m.colonyname, noColony(m.colonyname))),
  handle: async ({ msg, srv }) => {
    if (!(await removeLocation(srv.db, msg.colonyname, msg.name))) throw badRequest(`Location with name <${msg.name}> not found`);
  },
});
