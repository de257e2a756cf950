// How processes, workflows and executors look in the terminal.
import { executorStateName, processStateName, type Executor, type Process, type ProcessGraph } from '../client/types.js';
import { cellText, showTime, type Output } from './output.js';

function timeColumn(state: number): [string, (p: Process) => string] {
  if (state === 0) return ['submitted', (p) => showTime(p.submissiontime)];
  if (state === 1) return ['started', (p) => showTime(p.starttime)];
  return ['ended', (p) => showTime(p.endtime)];
}

export function processTable(out: Output, processes: Process[], state: number): void {
  const [timeName, time] = timeColumn(state);
  out.table(
    ['id', 'funcname', 'args', 'kwargs', timeName, 'executor type', 'initiator'],
    processes.map((p) => [p.processid, p.spec?.funcname, p.spec?.args ?? [], kwargsText(p.spec?.kwargs), time(p), p.spec?.conditions?.executortype, p.initiatorname]),
  );
}

function kwargsText(kw: Record<string, unknown> | null | undefined): string {
  if (!kw) return '';
  return Object.entries(kw)
    .map(([k, v]) => `${k}:${cellText(v)}`)
    .join(' ');
}

export function processDetail(out: Output, p: Process): void {
  out.kv('Process', [
    ['Id', p.processid],
    ['State', processStateName(p.state)],
    ['Initiator', p.initiatorname],
    ['Assigned executor', p.assignedexecutorid],
    ['Workflow', p.processgraphid],
    ['Submitted', showTime(p.submissiontime)],
    ['Started', showTime(p.starttime)],
    ['Ended', showTime(p.endtime)],
    ['Wait deadline', showTime(p.waitdeadline)],
    ['Exec deadline', showTime(p.execdeadline)],
    ['Retries', p.retries],
    ['Input', p.in ?? []],
    ['Output', p.out ?? []],
    ['Errors', p.errors ?? []],
  ]);
  const s = p.spec;
  out.line();
  out.kv('Function spec', [
    ['Funcname', s?.funcname],
    ['Nodename', s?.nodename],
    ['Args', s?.args ?? []],
    ['Kwargs', kwargsText(s?.kwargs)],
    ['Priority', s?.priority],
    ['Max wait time', s?.maxwaittime],
    ['Max exec time', s?.maxexectime],
    ['Max retries', s?.maxretries],
    ['Label', s?.label],
  ]);
  const c = s?.conditions;
  out.line();
  out.kv('Conditions', [
    ['Colony', c?.colonyname],
    ['Executor type', c?.executortype],
    ['Executor names', c?.executornames ?? []],
    ['Dependencies', c?.dependencies ?? []],
    ['CPU', c?.cpu],
    ['Memory', c?.mem],
  ]);
  const attrs = p.attributes ?? [];
  if (attrs.length) {
    out.line();
    out.line(out.bold('Attributes'));
    out.table(['id', 'key', 'value', 'type'], attrs.map((a) => [a.attributeid, a.key, a.value, ['in', 'out', 'err', 'env'][a.attributetype] ?? a.attributetype]));
  }
}

export function graphTable(out: Output, graphs: ProcessGraph[], state: number): void {
  const [name, time] =
    state === 0 ? ['submitted', (g: ProcessGraph) => g.submissiontime] : state === 1 ? ['started', (g: ProcessGraph) => g.starttime] : ['ended', (g: ProcessGraph) => g.endtime];
  out.table(['id', 'state', name, 'processes', 'initiator'], graphs.map((g) => [g.processgraphid, processStateName(g.state), showTime(time(g)), (g.processids ?? []).length, g.initiatorname]));
}

export function executorTable(out: Output, executors: Executor[]): void {
  out.table(
    ['name', 'type', 'state', 'location', 'last heard from', 'id'],
    executors.map((e) => [e.executorname, e.executortype, executorStateName(e.state), e.locationname ?? '', showTime(e.lastheardfromtime), e.executorid]),
  );
}
