// colonies workflow submit|ps|psw|pss|psf|get|remove|removeall|cancel
import type { Command } from 'commander';
import { processStateName, ProcessState, type WorkflowSpecInput } from '../../client/types.js';
import { intArg, UsageError, type Cli } from '../context.js';
import { showTime } from '../output.js';
import { graphTable } from '../tables.js';
import { followWorkflow, reportWorkflow } from '../wait.js';
import { addRemoveAll } from './removeall.js';

const LISTS: [string, number, string][] = [
  ['ps', ProcessState.RUNNING, 'List running workflows'],
  ['psw', ProcessState.WAITING, 'List waiting workflows'],
  ['pss', ProcessState.SUCCESS, 'List successful workflows'],
  ['psf', ProcessState.FAILED, 'List failed workflows'],
];

/**
 * A workflow spec file is either a list of function specs (the Go CLI's format) or a
 * WorkflowSpec object {colonyname, functionspecs}.
 */
export function toWorkflowSpec(v: unknown, file: string, colonyName: () => string): WorkflowSpecInput {
  const spec: WorkflowSpecInput = Array.isArray(v) ? { functionspecs: v } : (v as WorkflowSpecInput);
  if (!spec || typeof spec !== 'object' || !Array.isArray(spec.functionspecs) || spec.functionspecs.length === 0) {
    throw new UsageError(`workflow spec file ${file} must hold a list of function specs (or {"functionspecs": [...]})`);
  }
  spec.colonyname ||= colonyName();
  return spec;
}

export function registerWorkflow(program: Command, cli: Cli): void {
  const g = program.command('workflow').description('Submit and manage workflows (process graphs)').addHelpText(
    'after',
    `
Examples:
  $ colonies workflow submit --spec ./workflow.json --wait
  $ colonies workflow get --processgraphid <id>`,
  );

  g.command('submit')
    .description('Submit a workflow from a JSON file (a list of function specs with nodename/dependencies)')
    .requiredOption('--spec <file>', 'workflow spec (JSON)')
    .option('--wait', 'wait for the workflow to finish; exit code 0 = successful, 1 = failed')
    .option('--timeout <s>', 'with --wait: give up after this many seconds (0 = never)', intArg, 0)
    .option('--json', 'print the process graph as JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const spec = toWorkflowSpec(await cli.readJson(o.spec), o.spec, () => cli.colonyName(cmd));
        const client = cli.client(cmd);
        const prvKey = cli.prvKey(cmd);
        const graph = await client.submitWorkflowSpec(spec, prvKey);
        if (!o.wait) return o.json ? cli.out.json(graph) : cli.out.ok(`Workflow ${graph.processgraphid} submitted`);
        if (!o.json) cli.out.note(`Workflow ${graph.processgraphid} submitted`);
        const end = await followWorkflow(cli.out, client, graph.processgraphid, { timeoutS: o.timeout, prvKey });
        return reportWorkflow(cli.out, end, o.json);
      }),
    );

  for (const [name, state, description] of LISTS) {
    g.command(name)
      .description(description)
      .option('--count <n>', 'how many (at most 100)', intArg, 100)
      .option('--json', 'print JSON')
      .action(
        cli.action(async (o, cmd: Command) => {
          const gs = await cli.client(cmd).getProcessGraphs(cli.colonyName(cmd), state, o.count, cli.prvKey(cmd));
          if (o.json) return cli.out.json(gs);
          if (!gs.length) return cli.out.note(`No ${processStateName(state)} workflows found`);
          graphTable(cli.out, gs, state);
        }),
      );
  }

  g.command('get')
    .description('Show a workflow and its processes')
    .requiredOption('-i, --processgraphid <id>', 'process graph id')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (o, cmd: Command) => {
        const client = cli.client(cmd);
        const prvKey = cli.prvKey(cmd);
        const graph = await client.getProcessGraph(o.processgraphid, prvKey);
        if (o.json) return cli.out.json(graph);
        cli.out.kv('Workflow', [
          ['Id', graph.processgraphid],
          ['State', processStateName(graph.state)],
          ['Colony', graph.colonyname],
          ['Initiator', graph.initiatorname],
          ['Submitted', showTime(graph.submissiontime)],
          ['Started', showTime(graph.starttime)],
          ['Ended', showTime(graph.endtime)],
        ]);
        const ps = await Promise.all((graph.processids ?? []).map((id) => client.getProcess(id, prvKey)));
        cli.out.line();
        cli.out.table(
          ['node', 'funcname', 'state', 'dependencies', 'output', 'process id'],
          ps.map((p) => [p.spec?.nodename, p.spec?.funcname, processStateName(p.state), p.spec?.conditions?.dependencies ?? [], p.out ?? [], p.processid]),
        );
      }),
    );

  g.command('remove')
    .description('Remove a workflow that is not running, with its processes')
    .requiredOption('-i, --processgraphid <id>', 'process graph id')
    .action(
      cli.action(async (o, cmd: Command) => {
        await cli.client(cmd).removeProcessGraph(o.processgraphid, cli.prvKey(cmd));
        cli.out.ok(`Workflow ${o.processgraphid} removed`);
      }),
    );

  g.command('cancel')
    .description('Cancel a workflow and its unfinished processes')
    .requiredOption('-i, --processgraphid <id>', 'process graph id')
    .action(
      cli.action(async (o, cmd: Command) => {
        await cli.client(cmd).cancelProcessGraph(o.processgraphid, cli.prvKey(cmd));
        cli.out.ok(`Workflow ${o.processgraphid} cancelled`);
      }),
    );

  addRemoveAll(g, cli, {
    noun: 'workflows',
    description: "Remove the colony's workflows (colony owner)",
    remove: (client, colony, state, key) => client.removeAllProcessGraphs(colony, state, key),
  });
}
