// User RPCs (PROTOCOL §6.4, SEMANTICS §14). Unlike Go, a user id can be registered only once
// per colony (DECISIONS.md: duplicate user id → 400).
import { isKeyIdLength } from '../../domain/ids.js';
import { badRequest, internal, notFound } from '../../protocol/errors.js';
import { changeUserId, getUserById, getUserByName, insertUser, listUsers, removeUser } from '../../store/users.js';
import { colonyOwner, memberAnyState } from '../access.js';
import { rpc } from '../registry.js';
import { existingColony } from './colonies.js';

const noColony = (name: string) => `Colony with name <${name}> does not exists`;

rpc('addusermsg', {
  access: colonyOwner((m, q) => {
    if (!m.user) throw badRequest('Failed to add user, user is nil');
    return existingColony(q, m.user.colonyname, noColony(m.user.colonyname));
  }),
  handle: async ({ msg, srv }) => {
    const u = msg.user!;
    const nameTaken = () => badRequest(`A user with name <${u.name}> already exists in Colony with name <${u.colonyname}>`);
    const idTaken = () => badRequest(`A user with Id <${u.userid}> already exists in Colony with name <${u.colonyname}>`);
    return srv.db.tx(async (q) => {
      if (await getUserByName(q, u.colonyname, u.name)) throw nameTaken();
      if (await getUserById(q, u.colonyname, u.userid)) throw idTaken();
      // a concurrent add of the same name/id loses on the unique indexes
      if (!(await insertUser(q, u))) throw nameTaken();
      return getUserByName(q, u.colonyname, u.name);
    });
  },
});

rpc('getusersmsg', {
  access: memberAnyState((m, q) => existingColony(q, m.colonyname, noColony(m.colonyname))),
  handle: async ({ msg, srv }) => {
    const users = await listUsers(srv.db, msg.colonyname);
    return users.length > 0 ? users : null;
  },
});

rpc('getusermsg', {
  access: memberAnyState((m, q) => existingColony(q, m.colonyname, noColony(m.colonyname))),
  handle: async ({ msg, srv }) => {
    const user = await getUserByName(srv.db, msg.colonyname, msg.name);
    if (!user) throw internal('Failed to get user, user is nil');
    return user;
  },
});

rpc('getuserbyidmsg', {
  access: memberAnyState((m, q) => existingColony(q, m.colonyname, noColony(m.colonyname))),
  handle: async ({ msg, srv }) => {
    const user = await getUserById(srv.db, msg.colonyname, msg.userid);
    if (!user) throw notFound('Failed to get user, user is nil');
    return user;
  },
});

rpc('removeusermsg', {
  access: colonyOwner((m, q) => existingColony(q, m.colonyname, noColony(m.colonyname))),
  handle: async ({ msg, srv }) => {
    if (!(await removeUser(srv.db, msg.colonyname, msg.name))) throw badRequest(`User with name <${msg.name}> not found`);
  },
});

rpc('changeuseridmsg', {
  access: memberAnyState((m) => {
    if (m.userid === '') throw badRequest('Failed to change user Id, user Id is empty');
    return m.colonyname;
  }),
  handle: async ({ msg, srv, callerId }) => {
    const user = await getUserById(srv.db, msg.colonyname, callerId);
    if (!user) throw badRequest('Failed to change user Id, user not found');
    if (!isKeyIdLength(msg.userid)) throw badRequest('Failed to change user Id, new user Id is not 64 characters');
    if (!(await changeUserId(srv.db, msg.colonyname, callerId, msg.userid))) {
      throw badRequest(`A user with Id <${msg.userid}> already exists in Colony with name <${msg.colonyname}>`);
    }
    return { msgtype: msg.msgtype, colonyname: msg.colonyname, userid: msg.userid };
  },
});
