// Matrix rows of PROTOCOL §6.11–§6.15: generators, crons, files, snapshots, channels, blueprints.
import { A, RECONCILER, blueprint, definition, file, idleWorkflow } from './fixtures.js';
import { reader, startsWith } from './read.js';
import type { Ctx, Role, Table } from './roles.js';

export function addonRows(ctx: Ctx): Table {
  const { f } = ctx;
  const r = reader(ctx);
  const target = (per: { EA: string; UA: string }, role: Role) => (role === 'UA' ? per.UA : per.EA);
  const byName = (names: string[]) => (x: any) => names.includes(x.name ?? x.metadata?.name);
  const generators = (filter: (x: any) => boolean) => r.names('getgeneratorsmsg', { colonyname: A, count: 100 }, 'name', 'UA', filter);
  const crons = (filter: (x: any) => boolean) => r.names('getcronsmsg', { colonyname: A, count: 100 }, 'name', 'UA', filter);
  const snapshots = (filter: (x: any) => boolean) => r.names('getsnapshotsmsg', { colonyname: A }, 'name', 'UA', filter);
  const blueprints = (filter: (x: any) => boolean) =>
    r.get('getblueprintsmsg', { namespace: A, kind: '', locationname: '' }).then((l: any[] | null) =>
      (l ?? []).filter(filter).map((b) => b.metadata.name).sort(),
    );
  const getBp = (name: string) => r.get('getblueprintmsg', { namespace: A, name });

  return {
    // §6.11
    addgeneratormsg: {
      auth: 'M',
      msg: (role) => ({ generator: { colonyname: A, name: `mx-gen-new-${role}`, workflowspec: idleWorkflow(), trigger: 1000, timeout: -1 } }),
      readBack: () => generators(startsWith('name', 'mx-gen-new-')),
    },
    getgeneratormsg: { auth: 'M', msg: () => ({ generatorid: f.generatorid }) },
    resolvegeneratormsg: { auth: 'M', msg: () => ({ colonyname: A, generatorname: 'mx-gen' }) },
    getgeneratorsmsg: { auth: 'M', msg: () => ({ colonyname: A, count: 10 }) },
    packgeneratormsg: {
      auth: 'M',
      msg: (role) => ({ generatorid: f.packGeneratorid, arg: role }),
      readBack: async () => (await r.get('getgeneratormsg', { generatorid: f.packGeneratorid })).queuesize,
    },
    removegeneratormsg: {
      auth: 'M',
      msg: (role) => ({ generatorid: target(f.removeGenerator, role) }),
      readBack: () => generators(byName(['mx-gen-rm-EA', 'mx-gen-rm-UA'])),
    },

    // §6.12
    addcronmsg: {
      auth: 'M',
      msg: (role) => ({ cron: { colonyname: A, name: `mx-cron-new-${role}`, interval: 3600, workflowspec: idleWorkflow() } }),
      readBack: () => crons(startsWith('name', 'mx-cron-new-')),
    },
    getcronmsg: { auth: 'M', msg: () => ({ cronid: f.cronid }) },
    getcronsmsg: { auth: 'M', msg: () => ({ colonyname: A, count: 10 }) },
    runcronmsg: {
      auth: 'M',
      msg: () => ({ cronid: f.runCronid }),
      // DECISIONS: nothing runs for a non-member (nextrun is left out: the scheduler sets it)
      readBack: async () => {
        const c = await r.get('getcronmsg', { cronid: f.runCronid });
        return [c.lastrun, c.prevprocessgraphid];
      },
    },
    removecronmsg: {
      auth: 'M',
      msg: (role) => ({ cronid: target(f.removeCron, role) }),
      readBack: () => crons(byName(['mx-cron-rm-EA', 'mx-cron-rm-UA'])),
    },

    // §6.13
    addfilemsg: {
      auth: 'M',
      msg: (role) => ({ file: file('/mx-add', role) }),
      readBack: () => r.names('getfilesmsg', { colonyname: A, label: '/mx-add' }, 'name'),
    },
    getfilemsg: { auth: 'M', msg: () => ({ colonyname: A, fileid: f.fileid, label: '', name: '', latest: false }) },
    getfilesmsg: { auth: 'M', msg: () => ({ colonyname: A, label: '/mx' }) },
    getfilelabelsmsg: { auth: 'M', msg: () => ({ colonyname: A, name: '', exact: false }) },
    removefilemsg: {
      auth: 'M',
      msg: (role) => ({ colonyname: A, fileid: target(f.removeFile, role), label: '', name: '' }),
      readBack: () => r.names('getfilesmsg', { colonyname: A, label: '/mx-rm' }, 'name'),
    },
    createsnapshotmsg: {
      auth: 'M',
      msg: (role) => ({ colonyname: A, label: '/mx', name: `mx-snap-new-${role}` }),
      readBack: () => snapshots(startsWith('name', 'mx-snap-new-')),
    },
    getsnapshotmsg: { auth: 'M', msg: () => ({ colonyname: A, snapshotid: f.snapshotid, name: '' }) },
    getsnapshotsmsg: { auth: 'M', msg: () => ({ colonyname: A }) },
    removesnapshotmsg: {
      auth: 'M',
      msg: (role) => ({ colonyname: A, snapshotid: '', name: role === 'UA' ? 'mx-snap-rm-UA' : 'mx-snap-rm-EA' }),
      readBack: () => snapshots(startsWith('name', 'mx-snap-rm-')),
    },
    removeallsnapshotmsg: {
      auth: 'M',
      msg: () => ({ colonyname: A }),
      readBack: () => snapshots(() => true),
      last: true,
    },

    // §6.14: members that are parties (the user initiated the process, the executor runs it)
    channelappendmsg: {
      auth: 'M',
      msg: (role) => ({ processid: f.running.chan, name: 'chat', sequence: 1 + ['EA', 'UA'].indexOf(role), payload: 'aGk=' }),
      readBack: () => r.get('channelreadmsg', { processid: f.running.chan, name: 'chat', afterseq: 0, limit: 0 }).then((l: any[]) => l.length),
    },
    channelreadmsg: { auth: 'M', msg: () => ({ processid: f.running.chan, name: 'ws', afterseq: 0, limit: 0 }) },

    // §6.15
    addblueprintdefinitionmsg: {
      auth: 'CO',
      msg: (role) => ({ blueprintdefinition: definition(`mx-def-new-${role}`, `MxNew${role}`, {}) }),
      readBack: () =>
        r
          .get('getblueprintdefinitionsmsg', { colonyname: A })
          .then((l: any[]) => l.map((d) => d.metadata.name).filter((n: string) => n.startsWith('mx-def-new-'))),
    },
    getblueprintdefinitionmsg: { auth: 'M|CO', msg: () => ({ colonyname: A, name: 'mx-def' }) },
    getblueprintdefinitionsmsg: { auth: 'M|CO', msg: () => ({ colonyname: A }) },
    removeblueprintdefinitionmsg: {
      auth: 'CO',
      msg: () => ({ namespace: A, name: 'mx-def-victim' }),
      readBack: () =>
        r.get('getblueprintdefinitionsmsg', { colonyname: A }).then((l: any[]) => l.filter((d) => d.metadata.name === 'mx-def-victim').length),
    },
    addblueprintmsg: {
      auth: 'M|CO',
      msg: (role) => ({ blueprint: blueprint(`mx-bp-new-${role}`, 'MxPassive') }),
      readBack: () => blueprints((b) => b.metadata.name.startsWith('mx-bp-new-')),
    },
    getblueprintmsg: { auth: 'M|CO', msg: () => ({ namespace: A, name: 'mx-bp' }) },
    getblueprintsmsg: { auth: 'M|CO', msg: () => ({ namespace: A, kind: 'MxPassive', locationname: '' }) },
    updateblueprintmsg: {
      auth: 'M|CO',
      msg: (role) => ({ blueprint: blueprint('mx-bp-upd', 'MxPassive', { by: role }), forcegeneration: false }),
      readBack: async () => (await getBp('mx-bp-upd')).spec,
    },
    removeblueprintmsg: {
      auth: 'M|CO',
      msg: (role) => ({ namespace: A, name: role === 'UA' || role === 'CO' ? `mx-bp-rm-${role}` : 'mx-bp-rm-EA' }),
      readBack: () => blueprints((b) => b.metadata.name.startsWith('mx-bp-rm-')),
    },
    getblueprinthistorymsg: { auth: 'M|CO', msg: () => ({ blueprintid: f.blueprintid }) },
    // M, not M|CO: the colony owner may not write status nor trigger a reconciliation
    updateblueprintstatusmsg: {
      auth: 'M',
      msg: (role) => ({ colonyname: A, blueprintname: 'mx-bp-status', status: { by: role } }),
      readBack: async () => (await getBp('mx-bp-status')).status ?? null,
    },
    reconcileblueprintmsg: {
      auth: 'M',
      msg: () => ({ namespace: A, name: 'mx-bp-rec', force: false }),
      // a reconcile process submitted by a denied call would carry its caller as initiator
      readBack: (denied) =>
        r.names('getprocessesmsg', { colonyname: A, count: 100, state: 0, executortype: RECONCILER }, 'processid', 'UA', (p) => denied.includes(p.initiatorid)),
    },
  };
}
