// Workflows (process graphs), generators and crons (PROTOCOL.md §6.9, §6.11, §6.12).
import { stringifyJson } from '../protocol/json.js';
import type * as O from '../protocol/objects.js';
import { ProcessClient } from './processes.js';
import type { Cron, FunctionSpecInput, Generator, Input, Process, ProcessGraph, WorkflowSpecInput } from './types.js';

/** Crons and generators carry their workflow as JSON text; the SDK also takes the object. */
type WithSpec<T> = Omit<Input<T>, 'workflowspec'> & { workflowspec: string | WorkflowSpecInput };

export type CronInput = WithSpec<O.Cron> & { colonyname: string; name: string };
export type GeneratorInput = WithSpec<O.Generator> & { colonyname: string; name: string; trigger: number };

function specText(spec: string | WorkflowSpecInput): string {
  return typeof spec === 'string' ? spec : stringifyJson(spec);
}

export class WorkflowClient extends ProcessClient {
  // §6.9 Workflows ----------------------------------------------------------------------

  /** Submits a DAG of function specs (dependencies by nodename); returns the new graph. */
  submitWorkflowSpec(spec: WorkflowSpecInput, prvKey?: string): Promise<ProcessGraph> {
    return this.call('submitworkflowspecmsg', { spec }, prvKey);
  }

  /** A graph with its nodes and edges. */
  getProcessGraph(processGraphId: string, prvKey?: string): Promise<ProcessGraph> {
    return this.call('getprocessgraphmsg', { processgraphid: processGraphId }, prvKey);
  }

  /** Up to `count` (≤100) graphs of a colony in `state`, newest first. */
  getProcessGraphs(colonyName: string, state: number, count = 100, prvKey?: string): Promise<ProcessGraph[]> {
    return this.list('getprocessgraphsmsg', { colonyname: colonyName, count, state }, prvKey);
  }

  /** Removes a graph that is not running, with its processes. */
  removeProcessGraph(processGraphId: string, prvKey?: string): Promise<void> {
    return this.done('removeprocessgraphmsg', { processgraphid: processGraphId, all: false }, prvKey);
  }

  /** Removes the colony's graphs in `state` (-1 = all; the wire default 0 = waiting only) (colony owner). */
  removeAllProcessGraphs(colonyName: string, state = -1, prvKey?: string): Promise<void> {
    return this.done('removeallprocessgraphsmsg', { colonyname: colonyName, state }, prvKey);
  }

  cancelProcessGraph(processGraphId: string, prvKey?: string): Promise<void> {
    return this.done('cancelprocessgraphmsg', { processgraphid: processGraphId }, prvKey);
  }

  /**
   * Adds a child to a running workflow member (its assigned executor). With `insert` the
   * child goes between the parent and the parent's current children.
   */
  addChild(processGraphId: string, parentProcessId: string, spec: FunctionSpecInput, insert = false, childProcessId = '', prvKey?: string): Promise<Process> {
    return this.call(
      'addchildmsg',
      { processgraphid: processGraphId, parentprocessid: parentProcessId, childprocessid: childProcessId, spec, insert },
      prvKey,
    );
  }

  // §6.11 Generators --------------------------------------------------------------------

  /** Adds a generator: every `trigger` packed args (or after `timeout` s) spawn the workflow. */
  addGenerator(generator: GeneratorInput, prvKey?: string): Promise<Generator> {
    return this.call('addgeneratormsg', { generator: { ...generator, workflowspec: specText(generator.workflowspec) } }, prvKey);
  }

  getGenerator(generatorId: string, prvKey?: string): Promise<Generator> {
    return this.call('getgeneratormsg', { generatorid: generatorId }, prvKey);
  }

  /** A generator by name. */
  resolveGenerator(colonyName: string, generatorName: string, prvKey?: string): Promise<Generator> {
    return this.call('resolvegeneratormsg', { colonyname: colonyName, generatorname: generatorName }, prvKey);
  }

  getGenerators(colonyName: string, count = 100, prvKey?: string): Promise<Generator[]> {
    return this.list('getgeneratorsmsg', { colonyname: colonyName, count }, prvKey);
  }

  /** Queues one argument for the generator's next workflow. */
  packGenerator(generatorId: string, arg: string, prvKey?: string): Promise<void> {
    return this.done('packgeneratormsg', { generatorid: generatorId, arg }, prvKey);
  }

  removeGenerator(generatorId: string, prvKey?: string): Promise<void> {
    return this.done('removegeneratormsg', { generatorid: generatorId, all: false }, prvKey);
  }

  // §6.12 Crons -------------------------------------------------------------------------

  /** Adds a cron: `interval` > 0 seconds, or -1 with a 6-field `cronexpression`. */
  addCron(cron: CronInput, prvKey?: string): Promise<Cron> {
    return this.call('addcronmsg', { cron: { ...cron, workflowspec: specText(cron.workflowspec) } }, prvKey);
  }

  getCron(cronId: string, prvKey?: string): Promise<Cron> {
    return this.call('getcronmsg', { cronid: cronId }, prvKey);
  }

  getCrons(colonyName: string, count = 100, prvKey?: string): Promise<Cron[]> {
    return this.list('getcronsmsg', { colonyname: colonyName, count }, prvKey);
  }

  /** Runs a cron now; returns the cron as it was before the run. */
  runCron(cronId: string, prvKey?: string): Promise<Cron> {
    return this.call('runcronmsg', { cronid: cronId }, prvKey);
  }

  removeCron(cronId: string, prvKey?: string): Promise<void> {
    return this.done('removecronmsg', { cronid: cronId, all: false }, prvKey);
  }
}
