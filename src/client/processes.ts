// Processes, attributes and logs (PROTOCOL.md §6.7, §6.8, §6.10).
import type * as O from '../protocol/objects.js';
import { MemberClient } from './members.js';
import type { Attribute, FunctionSpecInput, Log, Process } from './types.js';

/** What the protocol schemas call an arbitrary JSON value. */
type AnyJson = NonNullable<unknown> | null;

export interface ProcessFilter {
  /** only processes for this executor type */
  executorType?: string;
  /** only processes with this label */
  label?: string;
  /** only processes submitted by this user/executor name */
  initiator?: string;
}

export type AttributeInput = Partial<O.Attribute> & { targetid: string; targetcolonyname: string; key: string; value: string };

export class ProcessClient extends MemberClient {
  // §6.7 Processes ----------------------------------------------------------------------

  /** Submits a function spec; returns the new WAITING process (member of spec.conditions.colonyname). */
  submitFunctionSpec(spec: FunctionSpecInput, prvKey?: string): Promise<Process> {
    return this.call('submitfuncspecmsg', { spec }, prvKey);
  }

  /**
   * Asks for a process to run (executor). Waits up to `timeoutS` seconds (a negative value
   * means: try once); rejects with status 404 when nothing came. `cpu`/`mem` ("1000m",
   * "2Gi") limit what may be assigned; "" = unlimited. Aborting `signal` ends the wait.
   */
  assign(colonyName: string, timeoutS: number, cpu = '', mem = '', prvKey?: string, signal?: AbortSignal): Promise<Process> {
    return this.call('assignprocessmsg', { colonyname: colonyName, timeout: timeoutS, availablecpu: cpu, availablemem: mem }, prvKey, signal);
  }

  /** Up to `count` (≤100) processes of a colony in `state` (-1 = all), newest filter first. */
  getProcesses(colonyName: string, state: number, count = 100, filter: ProcessFilter = {}, prvKey?: string): Promise<Process[]> {
    return this.list(
      'getprocessesmsg',
      { colonyname: colonyName, count, state, executortype: filter.executorType ?? '', label: filter.label ?? '', initiator: filter.initiator ?? '' },
      prvKey,
    );
  }

  getProcess(processId: string, prvKey?: string): Promise<Process> {
    return this.call('getprocessmsg', { processid: processId }, prvKey);
  }

  /** Processes in `state` submitted in the last `seconds` (optionally of one executor id). */
  getProcessHistory(colonyName: string, seconds: number, state: number, executorId = '', prvKey?: string): Promise<Process[]> {
    return this.list('getprocesshistmsg', { colonyname: colonyName, executorid: executorId, seconds, state }, prvKey);
  }

  /** Removes a process that is not running and not part of a workflow. */
  removeProcess(processId: string, prvKey?: string): Promise<void> {
    return this.done('removeprocessmsg', { processid: processId, all: false }, prvKey);
  }

  /** Removes the colony's non-workflow processes in `state` (-1 = all but running) (colony owner). */
  removeAllProcesses(colonyName: string, state = -1, prvKey?: string): Promise<void> {
    return this.done('removeallprocessesmsg', { colonyname: colonyName, state }, prvKey);
  }

  /** Closes a RUNNING process as successful (its assigned executor); `out` replaces the output when non-empty. */
  closeSuccessful(processId: string, out: unknown[] = [], prvKey?: string): Promise<void> {
    return this.done('closesuccessfulmsg', { processid: processId, out: out as AnyJson[] }, prvKey);
  }

  /** Closes a process as failed (its assigned executor). */
  closeFailed(processId: string, errors: string[] = [], prvKey?: string): Promise<void> {
    return this.done('closefailedmsg', { processid: processId, errors }, prvKey);
  }

  /** Sets the output of a RUNNING process without closing it (its assigned executor). */
  setOutput(processId: string, out: unknown[], prvKey?: string): Promise<void> {
    return this.done('setoutputmsg', { processid: processId, out: out as AnyJson[] }, prvKey);
  }

  /** Cancels a waiting or running process that is not part of a workflow (member). */
  cancelProcess(processId: string, prvKey?: string): Promise<void> {
    return this.done('cancelprocessmsg', { processid: processId }, prvKey);
  }

  // §6.8 Attributes ---------------------------------------------------------------------

  /** Adds a key/value attribute to a RUNNING process (its assigned executor); type defaults to OUT. */
  addAttribute(attribute: AttributeInput, prvKey?: string): Promise<Attribute> {
    return this.call('addattributemsg', { attribute: { attributetype: 1, ...attribute } }, prvKey);
  }

  getAttribute(attributeId: string, prvKey?: string): Promise<Attribute> {
    return this.call('getattributemsg', { attributeid: attributeId }, prvKey);
  }

  // §6.10 Logs --------------------------------------------------------------------------

  /** Appends a log line to a RUNNING process (its assigned executor). */
  addLog(processId: string, message: string, prvKey?: string): Promise<void> {
    return this.done('addlogmsg', { processid: processId, message }, prvKey);
  }

  /** Appends an executor-level log line (the executor itself). */
  addExecutorLog(colonyName: string, executorName: string, message: string, prvKey?: string): Promise<void> {
    return this.done('addexecutorlogmsg', { colonyname: colonyName, executorname: executorName, message }, prvKey);
  }

  /**
   * Logs of a process: the oldest `count` (≤500), or those after `since` (ns), or with
   * `latest` the newest `count`, always oldest first.
   */
  getLogs(colonyName: string, processId: string, count = 100, since: bigint | number = 0, latest = false, prvKey?: string): Promise<Log[]> {
    return this.list('getlogsmsg', { colonyname: colonyName, processid: processId, executorname: '', count, since, latest }, prvKey);
  }

  /** Logs written by the executor named `executorName` (same paging as getLogs). */
  getExecutorLogs(colonyName: string, executorName: string, count = 100, since: bigint | number = 0, latest = false, prvKey?: string): Promise<Log[]> {
    return this.list('getlogsmsg', { colonyname: colonyName, processid: '', executorname: executorName, count, since, latest }, prvKey);
  }

  /** Log lines of the colony containing `text`, from the last `days` (≤30), at most `count` (≤100). */
  searchLogs(colonyName: string, text: string, days = 1, count = 100, prvKey?: string): Promise<Log[]> {
    return this.list('searchlogsmsg', { colonyname: colonyName, text, days, count }, prvKey);
  }
}
