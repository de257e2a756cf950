// Colony views: overview (statistics), workflows (list and graph), executors, crons, generators.
import { executorStateName, type Cron, type Executor, type Generator, type ProcessGraph, type Statistics } from '../../src/client/index.js';
import { facts, h, idLink, STATES, stateBadge, stateNumber, table, time } from './dom.js';
import { graphSvg, nodeState, type GraphEdge, type GraphNode } from './graph.js';
import type { Ctx, View } from './view.js';

export function overview(ctx: Ctx): View {
  return {
    title: `Overview of ${ctx.colony}`,
    load: async () => {
      const [stats, pause] = await Promise.all([ctx.client.getColonyStatistics(ctx.colony), ctx.client.getPauseStatus(ctx.colony)]);
      return { stats, paused: pause.ispaused };
    },
    render: ({ stats, paused }: { stats: Statistics; paused: boolean }) => {
      const count = (kind: string, state: string) => Number((stats as Record<string, unknown>)[`${state}${kind}`] ?? 0);
      const kinds = ['processes', 'workflows'];
      return [
        h('h2', { tabindex: -1 }, `Colony ${ctx.colony}`),
        facts([
          ['Executors', `${stats.executors} (${stats.activeexecutors} approved, ${stats.unregisteredexecutors} unregistered)`],
          ['Assignments', paused ? 'paused' : 'running'],
        ]),
        table(
          'Processes and workflows by state',
          ['', 'Waiting', 'Running', 'Successful', 'Failed', 'Cancelled'],
          kinds.map((kind) => [
            h('a', { href: kind === 'processes' ? '#/processes/waiting' : '#/workflows/waiting' }, kind[0].toUpperCase() + kind.slice(1)),
            ...['waiting', 'running', 'successful', 'failed', 'cancelled'].map((st) => count(kind, st)),
          ]),
        ),
      ];
    },
  };
}

function stateLinks(base: string, current: string) {
  return h(
    'nav',
    { class: 'tabs', 'aria-label': 'Workflow state' },
    STATES.map((st) => h('a', { href: `#/${base}/${st}`, 'aria-current': st === current ? 'page' : undefined }, st)),
  );
}

export function workflowList(ctx: Ctx, stateName: string): View | null {
  const state = stateNumber(stateName);
  if (state < 0) return null;
  return {
    title: `${stateName} workflows`,
    load: () => ctx.client.getProcessGraphs(ctx.colony, state, 100),
    render: (graphs: ProcessGraph[]) => [
      h('h2', { tabindex: -1 }, 'Workflows'),
      stateLinks('workflows', stateName),
      table(
        `${graphs.length} ${stateName} workflow${graphs.length === 1 ? '' : 's'} (newest 100)`,
        ['Workflow', 'Initiator', 'Processes', 'Submitted', 'Ended', 'State'],
        graphs.map((g) => [idLink('workflow', g.processgraphid), g.initiatorname || '—', g.processids?.length ?? 0, time(g.submissiontime), time(g.endtime), stateBadge(g.state)]),
      ),
    ],
  };
}

export function workflowDetail(ctx: Ctx, graphId: string): View {
  return {
    title: `Workflow ${graphId.slice(0, 12)}`,
    load: () => ctx.client.getProcessGraph(graphId),
    render: (g: ProcessGraph) => {
      const nodes = (g.nodes ?? []) as unknown as GraphNode[];
      const edges = (g.edges ?? []) as unknown as GraphEdge[];
      return [
        h('h2', { tabindex: -1 }, 'Workflow ', h('span', { class: 'mono' }, g.processgraphid.slice(0, 12)), ' ', stateBadge(g.state)),
        facts([
          ['Workflow id', h('span', { class: 'mono' }, g.processgraphid)],
          ['Initiator', g.initiatorname || '—'],
          ['Submitted', time(g.submissiontime)],
          ['Started', time(g.starttime)],
          ['Ended', time(g.endtime)],
        ]),
        h('div', { class: 'graph-wrap' }, graphSvg(nodes, edges)),
        h('p', { class: 'legend' }, 'Colours: ', STATES.map((st) => h('span', { class: `badge state-${st}` }, st))),
        table(
          'Processes',
          ['Node', 'Process', 'State'],
          nodes.map((n) => [n.data?.label || '—', idLink('process', n.id), h('span', { class: `badge state-${nodeState(n)}` }, nodeState(n))]),
        ),
      ];
    },
  };
}

export function executors(ctx: Ctx): View {
  return {
    title: 'Executors',
    load: () => ctx.client.getExecutors(ctx.colony),
    render: (list: Executor[]) => [
      h('h2', { tabindex: -1 }, 'Executors'),
      table(
        `${list.length} executor${list.length === 1 ? '' : 's'} in ${ctx.colony}`,
        ['Name', 'Type', 'State', 'Location', 'Last heard from', 'Commissioned'],
        list.map((e) => [e.executorname, e.executortype, executorStateName(e.state), e.locationname || '—', time(e.lastheardfromtime), time(e.commissiontime)]),
      ),
    ],
  };
}

export function crons(ctx: Ctx): View {
  return {
    title: 'Crons',
    load: () => ctx.client.getCrons(ctx.colony, 100),
    render: (list: Cron[]) => [
      h('h2', { tabindex: -1 }, 'Crons'),
      table(
        `${list.length} cron${list.length === 1 ? '' : 's'} in ${ctx.colony}`,
        ['Name', 'Schedule', 'Next run', 'Last run', 'Last workflow', 'Waits for previous'],
        list.map((c) => [
          c.name,
          c.interval > 0 ? `every ${c.interval} s${c.random ? ' (random)' : ''}` : h('code', {}, c.cronexpression),
          time(c.nextrun),
          time(c.lastrun),
          idLink('workflow', c.prevprocessgraphid),
          c.waitforprevprocessgraph ? 'yes' : 'no',
        ]),
      ),
    ],
  };
}

export function generators(ctx: Ctx): View {
  return {
    title: 'Generators',
    load: () => ctx.client.getGenerators(ctx.colony, 100),
    render: (list: Generator[]) => [
      h('h2', { tabindex: -1 }, 'Generators'),
      table(
        `${list.length} generator${list.length === 1 ? '' : 's'} in ${ctx.colony}`,
        ['Name', 'Trigger (args)', 'Timeout (s)', 'First pack', 'Last run'],
        list.map((g) => [g.name, g.trigger, g.timeout > 0 ? g.timeout : '—', time(g.firstpack), time(g.lastrun)]),
      ),
    ],
  };
}
