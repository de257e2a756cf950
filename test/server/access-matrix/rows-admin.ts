// Matrix rows of PROTOCOL §6.1–§6.6: meta, colonies, executors, users, locations, functions.
import { newKey } from '../../helpers/server.js';
import { A, EXEC, Z } from './fixtures.js';
import { reader, startsWith } from './read.js';
import type { Ctx, Role, Table } from './roles.js';

export function adminRows(ctx: Ctx): Table {
  const { f } = ctx;
  const r = reader(ctx);
  /** the caller's own executor in A, else A's approved executor (what an intruder would name) */
  const ownExecutor = (role: Role) => (role === 'PE' || role === 'RE' || role === 'RM' ? f.names[role] : f.names.EA);
  const executor = (executorname: string) => r.get('getexecutormsg', { colonyname: A, executorname });
  // the user-id change is undone by the temporary key (the user's key must keep working)
  const tempUser = newKey();

  return {
    // §6.1
    versionmsg: { auth: 'none', msg: () => ({ buildversion: '', buildtime: '' }) },
    getserverinfomsg: { auth: 'none', msg: () => ({}) },
    getstatisticsmsg: { auth: 'SO', msg: () => ({}) },
    getclustermsg: { auth: 'SO', msg: () => ({}) },
    changeserveridmsg: {
      auth: 'SO',
      // permitted: a change to the same id, so the server owner stays the owner
      msg: (role) => ({ serverid: ctx.key(role).id }),
      // fails unless the server owner's key still is the server id
      readBack: () => r.get('getclustermsg', {}, 'SO'),
    },

    // §6.2
    addcolonymsg: {
      auth: 'SO',
      msg: (role) => ({ colony: { colonyid: newKey().id, name: `mx-new-${role}` } }),
      readBack: () => r.names('getcoloniesmsg', {}, 'name', 'SO', startsWith('name', 'mx-new-')),
    },
    removecolonymsg: {
      auth: 'SO',
      // the throw-away colony Z, owned by A's owner (who may not remove it either)
      msg: () => ({ colonyname: Z }),
      readBack: () => r.names('getcoloniesmsg', {}, 'name', 'SO', (c) => c.name === Z),
    },
    getcoloniesmsg: { auth: 'SO', msg: () => ({}) },
    getcolonymsg: { auth: 'M', msg: () => ({ colonyname: A }) },
    // DECISIONS: a 403 envelope, not Go's empty 200
    getcolonystatsmsg: { auth: 'M', msg: () => ({ colonyname: A }) },
    changecolonyidmsg: {
      auth: 'CO',
      // each caller tries to make itself the owner; for the owner that is a no-op
      msg: (role) => ({ colonyname: A, colonyid: ctx.key(role).id }),
      readBack: async () => (await r.get('getcolonymsg', { colonyname: A })).colonyid,
    },
    pauseassignmentsmsg: {
      auth: 'CO',
      msg: () => ({ colonyname: A }),
      readBack: async () => (await r.get('getpausestatusmsg', { colonyname: A })).ispaused,
      last: true,
    },
    resumeassignmentsmsg: {
      auth: 'CO',
      msg: () => ({ colonyname: A }),
      // runs right after the pause row: the denied resumes must leave A paused
      readBack: async () => (await r.get('getpausestatusmsg', { colonyname: A })).ispaused,
      last: true,
    },
    getpausestatusmsg: { auth: 'M*', msg: () => ({ colonyname: A }) },

    // §6.3
    addexecutormsg: {
      auth: 'CO',
      msg: (role) => ({ executor: { executorid: newKey().id, executortype: EXEC, executorname: `mx-add-${role}`, colonyname: A } }),
      readBack: () => r.names('getexecutorsmsg', { colonyname: A }, 'executorname', 'UA', startsWith('executorname', 'mx-add-')),
    },
    getexecutorsmsg: { auth: 'M*', msg: () => ({ colonyname: A }) },
    getexecutormsg: { auth: 'M', msg: () => ({ colonyname: A, executorname: f.names.EA }) },
    getexecutorbyidmsg: { auth: 'M', msg: () => ({ colonyname: A, executorid: f.keys.EA.id }) },
    approveexecutormsg: {
      auth: 'CO',
      msg: () => ({ colonyname: A, executorname: 'mx-cand-approve' }),
      readBack: async () => (await executor('mx-cand-approve')).state,
    },
    rejectexecutormsg: {
      auth: 'CO',
      msg: () => ({ colonyname: A, executorname: 'mx-cand-reject' }),
      readBack: async () => (await executor('mx-cand-reject')).state,
    },
    removeexecutormsg: {
      auth: 'CO',
      msg: () => ({ colonyname: A, executorname: 'mx-victim' }),
      readBack: async () => (await executor('mx-victim')).state,
    },
    reportallocationmsg: {
      auth: 'M*',
      msg: (role) => ({
        colonyname: A,
        executorname: ownExecutor(role),
        allocations: { projects: { [role]: { allocatedcpu: 1, usedcpu: 0, allocatedgpu: 0, usedgpu: 0, allocatedstorage: 0, usedstorage: 0 } } },
      }),
      handler: { UA: '400 Only an executor can report allocations to itself' },
      readBack: async () => (await executor(f.names.EA)).allocations,
    },
    updateexecutormsg: {
      auth: 'M*',
      msg: (role) => ({ colonyname: A, executorname: ownExecutor(role), capabilities: { hardware: [{ model: `mx-${role}` }], software: [] } }),
      handler: { UA: '400 Only an executor can update its own capabilities' },
      readBack: async () => (await executor(f.names.EA)).capabilities,
    },
    changeexecutoridmsg: {
      auth: 'M*',
      // changes the caller's own id: executors "change" to the id they have, intruders to theirs
      msg: (role) => ({ colonyname: A, executorid: ctx.key(role).id }),
      handler: { UA: '400 Failed to change executor Id, executor not found' },
      readBack: () => Promise.all((['EA', 'PE', 'RE', 'RM'] as const).map(async (x) => (await executor(f.names[x])).executorid)),
    },

    // §6.4
    addusermsg: {
      auth: 'CO',
      msg: (role) => ({ user: { colonyname: A, userid: newKey().id, name: `mx-adduser-${role}`, email: '', phone: '' } }),
      readBack: () => r.names('getusersmsg', { colonyname: A }, 'name', 'UA', startsWith('name', 'mx-adduser-')),
    },
    getusersmsg: { auth: 'M*', msg: () => ({ colonyname: A }) },
    getusermsg: { auth: 'M*', msg: () => ({ colonyname: A, name: f.names.UA }) },
    getuserbyidmsg: { auth: 'M*', msg: () => ({ colonyname: A, userid: f.keys.UA.id }) },
    removeusermsg: {
      auth: 'CO',
      msg: () => ({ colonyname: A, name: 'mx-victim-user' }),
      readBack: () => r.names('getusersmsg', { colonyname: A }, 'name', 'UA', (u) => u.name === 'mx-victim-user'),
    },
    changeuseridmsg: {
      auth: 'M*',
      msg: () => ({ colonyname: A, userid: tempUser.id }),
      handler: {
        EA: '400 Failed to change user Id, user not found',
        PE: '400 Failed to change user Id, user not found',
        RE: '400 Failed to change user Id, user not found',
        RM: '400 Failed to change user Id, user not found',
      },
      readBack: async () => (await r.get('getusermsg', { colonyname: A, name: f.names.UA }, 'EA')).userid,
      // the user's key is another one until restored: no other row may run meanwhile
      last: true,
      restore: () => ctx.t.call('changeuseridmsg', { colonyname: A, userid: f.keys.UA.id }, tempUser),
    },

    // §6.5
    addlocationmsg: {
      auth: 'CO',
      msg: (role) => ({ location: { locationid: newKey().id, name: `mx-loc-${role}`, colonyname: A } }),
      readBack: () => r.names('getlocationsmsg', { colonyname: A }, 'name', 'UA', (l) => /^mx-loc-[A-Z]+$/.test(l.name)),
    },
    getlocationsmsg: { auth: 'M*', msg: () => ({ colonyname: A }) },
    getlocationmsg: { auth: 'M*', msg: () => ({ colonyname: A, name: 'mx-loc' }) },
    removelocationmsg: {
      auth: 'CO',
      msg: () => ({ colonyname: A, name: 'mx-loc-victim' }),
      readBack: () => r.names('getlocationsmsg', { colonyname: A }, 'name', 'UA', (l) => l.name === 'mx-loc-victim'),
    },

    // §6.6
    addfunctionmsg: {
      auth: 'M',
      msg: (role) => ({ fun: { executorname: ownExecutor(role), colonyname: A, funcname: `mx-fn-add-${role}` } }),
      handler: { UA: '403 Not allowed to add a function to another executor' },
      readBack: () => r.names('getfunctionsmsg', { colonyname: A, executorname: '' }, 'funcname', 'UA', startsWith('funcname', 'mx-fn-add-')),
    },
    getfunctionsmsg: { auth: 'M', msg: () => ({ colonyname: A, executorname: f.names.EA }) },
    removefunctionmsg: {
      auth: 'M',
      msg: () => ({ functionid: f.functionid }),
      handler: { UA: '403 Not allowed to remove a function from another executor' },
      readBack: () => r.names('getfunctionsmsg', { colonyname: A, executorname: '' }, 'functionid', 'UA', (x) => x.functionid === f.functionid),
    },
  };
}
