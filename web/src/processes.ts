// Process views: the list of one state, and one process in detail (spec, input/output,
// errors, attributes, logs).
import type { Attribute, Log, Process } from '../../src/client/index.js';
import { facts, h, idLink, json, section, stateBadge, stateNumber, table, time, type Child } from './dom.js';
import type { Ctx, View } from './view.js';

const ATTRIBUTE_TYPES = ['in', 'out', 'err', 'env'];

export function processList(ctx: Ctx, stateName: string): View | null {
  const state = stateNumber(stateName);
  if (state < 0) return null;
  const title = `${stateName[0].toUpperCase()}${stateName.slice(1)} processes`;
  return {
    title,
    load: () => ctx.client.getProcesses(ctx.colony, state, 100),
    render: (processes: Process[]) => [
      h('h2', { tabindex: -1 }, title),
      table(
        `${processes.length} ${stateName} process${processes.length === 1 ? '' : 'es'} (newest 100) in ${ctx.colony}`,
        ['Process', 'Function', 'Executor type', 'Initiator', 'Submitted', 'Ended', 'State'],
        processes.map((p) => [
          idLink('process', p.processid),
          p.spec?.funcname || '—',
          p.spec?.conditions?.executortype ?? '',
          p.initiatorname || '—',
          time(p.submissiontime),
          time(p.endtime),
          stateBadge(p.state),
        ]),
      ),
    ],
  };
}

function logTime(ns: number | bigint): Child {
  const ms = Number(BigInt(ns) / 1_000_000n);
  return h('time', { datetime: new Date(ms).toISOString() }, new Date(ms).toLocaleString());
}

function attributeRows(attributes: Attribute[]): Child[][] {
  return attributes.map((a) => [ATTRIBUTE_TYPES[a.attributetype] ?? String(a.attributetype), a.key, h('span', { class: 'pre' }, a.value)]);
}

function errorList(errors: string[] | null): Child {
  if (!errors?.length) return h('p', { class: 'muted' }, 'none');
  return h('ul', { class: 'errors' }, errors.map((e) => h('li', {}, e)));
}

export function processDetail(ctx: Ctx, processId: string): View {
  return {
    title: `Process ${processId.slice(0, 12)}`,
    load: async () => {
      const process = await ctx.client.getProcess(processId);
      const logs = await ctx.client.getLogs(ctx.colony, processId, 100, 0, true);
      return { process, logs };
    },
    render: ({ process: p, logs }: { process: Process; logs: Log[] }) => [
      h('h2', { tabindex: -1 }, 'Process ', h('span', { class: 'mono' }, p.processid.slice(0, 12)), ' ', stateBadge(p.state)),
      facts([
        ['Process id', h('span', { class: 'mono' }, p.processid)],
        ['Function', p.spec?.funcname || '—'],
        ['Executor type', p.spec?.conditions?.executortype ?? ''],
        ['Label', p.spec?.label || '—'],
        ['Priority', p.spec?.priority ?? 0],
        ['Initiator', p.initiatorname || '—'],
        ['Assigned executor', p.assignedexecutorid ? h('span', { class: 'mono' }, p.assignedexecutorid) : '—'],
        ['Workflow', idLink('workflow', p.processgraphid)],
        ['Retries', p.retries],
        ['Submitted', time(p.submissiontime)],
        ['Started', time(p.starttime)],
        ['Ended', time(p.endtime)],
      ]),
      section('Arguments', json({ args: p.spec?.args ?? [], kwargs: p.spec?.kwargs ?? {} })),
      section('Input (outputs of the parents)', json(p.in)),
      section('Output', json(p.out)),
      section('Errors', errorList(p.errors)),
      table('Attributes', ['Type', 'Key', 'Value'], attributeRows(p.attributes ?? [])),
      table(
        'Logs (newest 100)',
        ['Time', 'Executor', 'Message'],
        logs.map((l) => [logTime(l.timestamp), l.executorname, h('span', { class: 'pre' }, l.message)]),
      ),
      h('details', {}, h('summary', {}, 'Function spec'), json(p.spec)),
    ],
  };
}
