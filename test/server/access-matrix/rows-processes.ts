// Matrix rows of PROTOCOL §6.7–§6.10: processes, attributes, workflows, logs.
import { A, IDLE, spec } from './fixtures.js';
import { reader } from './read.js';
import type { Ctx, Role, Table } from './roles.js';

export function processRows(ctx: Ctx): Table {
  const { f } = ctx;
  const r = reader(ctx);
  /** the member's own target, else the executor's (what an intruder would aim at) */
  const target = (per: { EA: string; UA: string }, role: Role) => (role === 'UA' ? per.UA : per.EA);
  const process = (processid: string) => r.probe('getprocessmsg', { processid });
  const states = (per: { EA: string; UA: string }) => Promise.all([per.EA, per.UA].map(async (id) => ((await process(id)) as any).state ?? 'gone'));
  const graphState = (processgraphid: string) => r.probe('getprocessgraphmsg', { processgraphid }).then((g: any) => g.state ?? g);
  const graphStates = (per: { EA: string; UA: string }) => Promise.all([per.EA, per.UA].map(graphState));
  const ids = (type: string, msg: Record<string, unknown>, field: string) => r.names(type, msg, field);
  const byDenied = (denied: string[]) => (x: any) => denied.includes(x.initiatorid);
  const notAE = (action: string) => `403 Failed to ${action}, not allowed to ${action}`;

  return {
    // §6.7
    submitfuncspecmsg: {
      auth: 'M',
      msg: () => ({ spec: spec(IDLE, { label: 'mx-submit' }) }),
      readBack: () => ids('getprocessesmsg', { colonyname: A, count: 100, state: 0, label: 'mx-submit' }, 'processid'),
    },
    assignprocessmsg: {
      auth: 'M',
      msg: () => ({ colonyname: A, timeout: -1 }),
      handler: { UA: '500 Failed to assign process, executor not found' },
      readBack: async () => ((await process(f.assignTarget)) as any).state,
    },
    getprocessesmsg: { auth: 'M', msg: () => ({ colonyname: A, count: 10, state: 0 }) },
    getprocessmsg: { auth: 'M', msg: () => ({ processid: f.idle }) },
    // DECISIONS: a 403 envelope, not Go's empty 200
    getprocesshistmsg: { auth: 'M', msg: () => ({ colonyname: A, seconds: 3600, state: 0 }) },
    removeprocessmsg: {
      auth: 'M',
      msg: (role) => ({ processid: target(f.removeProcess, role) }),
      readBack: () => states(f.removeProcess),
    },
    removeallprocessesmsg: {
      auth: 'CO',
      msg: () => ({ colonyname: A, state: 0 }),
      // a fixture's WAITING process (not the whole list: the schedulers may add to it)
      readBack: async () => ((await process(f.idle)) as any).state ?? 'gone',
      last: true,
    },
    closesuccessfulmsg: {
      auth: 'M',
      msg: () => ({ processid: f.running.closeOk, out: ['ok'] }),
      handler: { UA: notAE('close process as successful') },
      readBack: () => process(f.running.closeOk).then((p: any) => [p.state, p.out]),
    },
    closefailedmsg: {
      auth: 'M',
      msg: () => ({ processid: f.running.closeFailed, errors: ['boom'] }),
      handler: { UA: notAE('close process as failed') },
      readBack: () => process(f.running.closeFailed).then((p: any) => [p.state, p.errors]),
    },
    setoutputmsg: {
      auth: 'M',
      msg: (role) => ({ processid: f.running.output, out: [role] }),
      // Go's text, copied from its close handler
      handler: { UA: notAE('close process as successful') },
      readBack: () => process(f.running.output).then((p: any) => [p.state, p.out]),
    },
    cancelprocessmsg: {
      auth: 'M',
      msg: (role) => ({ processid: target(f.cancelProcess, role) }),
      readBack: () => states(f.cancelProcess),
    },

    // §6.8
    addattributemsg: {
      auth: 'M',
      msg: (role) => ({ attribute: { targetid: f.running.attr, targetcolonyname: A, attributetype: 1, key: `mx-${role}`, value: 'v' } }),
      handler: { UA: `403 Failed to add attribute, only executor with id <${f.keys.EA.id}> is allowed to set attributes` },
      readBack: () => process(f.running.attr).then((p: any) => (p.attributes ?? []).map((a: any) => a.key).sort()),
    },
    getattributemsg: { auth: 'M', msg: () => ({ attributeid: f.attributeid }) },

    // §6.9
    submitworkflowspecmsg: {
      auth: 'M',
      msg: () => ({ spec: { colonyname: A, functionspecs: [{ ...spec(IDLE), nodename: 'n' }] } }),
      // a graph stored by a denied call would carry its caller as initiator
      readBack: (denied) => r.names('getprocessgraphsmsg', { colonyname: A, count: 100, state: 0 }, 'processgraphid', 'UA', byDenied(denied)),
    },
    getprocessgraphmsg: { auth: 'M', msg: () => ({ processgraphid: f.graph }) },
    getprocessgraphsmsg: { auth: 'M', msg: () => ({ colonyname: A, count: 10, state: 0 }) },
    removeprocessgraphmsg: {
      auth: 'M',
      msg: (role) => ({ processgraphid: target(f.removeGraph, role) }),
      readBack: () => graphStates(f.removeGraph),
    },
    removeallprocessgraphsmsg: {
      auth: 'CO',
      msg: () => ({ colonyname: A, state: 0 }),
      readBack: () => graphState(f.graph),
      last: true,
    },
    cancelprocessgraphmsg: {
      auth: 'M',
      msg: (role) => ({ processgraphid: target(f.cancelGraph, role) }),
      readBack: () => graphStates(f.cancelGraph),
    },
    addchildmsg: {
      auth: 'M',
      msg: (role) => ({ processgraphid: '', parentprocessid: f.running.parent, childprocessid: '', spec: { ...spec(IDLE), nodename: `child-${role}` }, insert: false }),
      handler: { UA: `400 Process with Id ${f.running.parent} is not assigned to executor with Id ${f.keys.UA.id}` },
      readBack: () => process(f.running.parent).then((p: any) => p.children),
    },

    // §6.10
    addlogmsg: {
      auth: 'M',
      msg: (role) => ({ processid: f.running.log, message: `mx log by ${role}` }),
      handler: { UA: '403 Failed to add log, not allowed to add log, only the assigned Executor may att logs' },
      readBack: () => r.names('getlogsmsg', { colonyname: A, processid: f.running.log, count: 100 }, 'message'),
    },
    addexecutorlogmsg: {
      auth: 'M',
      msg: (role) => ({ colonyname: A, executorname: f.names.EA, message: `mx executor log by ${role}` }),
      handler: { UA: '403 Failed to add executor log, executor not found' },
      // (the executor's process logs, written by another row meanwhile, are left out)
      readBack: () =>
        r.names('getlogsmsg', { colonyname: A, executorname: f.names.EA, count: 100 }, 'message', 'UA', (l) => l.message.startsWith('mx executor log')),
    },
    getlogsmsg: { auth: 'M', msg: () => ({ colonyname: A, processid: f.running.log, count: 10 }) },
    searchlogsmsg: { auth: 'M', msg: () => ({ colonyname: A, text: 'mx', days: 1, count: 10 }) },
  };
}
