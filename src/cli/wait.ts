// `--wait`: follow a process (over WebSocket) or a workflow until it ends, showing progress on
// a terminal, and turn the outcome into the exit code (0 successful, 1 failed/cancelled).
import type { ColoniesClient } from '../client/client.js';
import { WAIT_TIMEOUT_STATUS } from '../client/realtime.js';
import { processStateName, ProcessState, type Process, type ProcessGraph } from '../client/types.js';
import { ColoniesError } from '../protocol/errors.js';
import { EXIT_FAILED } from './context.js';
import { cellText, type Output } from './output.js';

/** Each subscription asks the server for this long; we re-subscribe until the process ends. */
const SUBSCRIBE_S = 60;

export interface WaitOptions {
  /** give up after this many seconds (0 = never) */
  timeoutS: number;
  prvKey: string;
}

/** Waits for the end of a process; returns it. */
export async function followProcess(out: Output, client: ColoniesClient, processId: string, o: WaitOptions): Promise<Process> {
  let state = 'waiting';
  const started = Date.now();
  const stop = out.spinner(() => `Waiting for process ${processId} (${state}, ${Math.floor((Date.now() - started) / 1000)} s)`);
  // Only for the progress line: learn when it starts running.
  const running = client.subscribeProcess(processId, ProcessState.RUNNING, o.timeoutS || 3600, () => (state = 'running'), o.prvKey);
  try {
    for (;;) {
      const left = o.timeoutS > 0 ? o.timeoutS - (Date.now() - started) / 1000 : SUBSCRIBE_S;
      if (left <= 0) throw new ColoniesError(WAIT_TIMEOUT_STATUS, `gave up waiting for process ${processId} after ${o.timeoutS} s`);
      try {
        return await client.waitForProcessEnd(processId, Math.max(1, Math.ceil(Math.min(left, SUBSCRIBE_S))), o.prvKey);
      } catch (e) {
        if (!(e instanceof ColoniesError) || e.status !== WAIT_TIMEOUT_STATUS) throw e;
      }
    }
  } finally {
    running.close();
    stop();
  }
}

/** Waits for the end of a workflow (polls the graph: its members come and go). */
export async function followWorkflow(out: Output, client: ColoniesClient, graphId: string, o: WaitOptions): Promise<ProcessGraph> {
  const started = Date.now();
  let state = 'waiting';
  const stop = out.spinner(() => `Waiting for workflow ${graphId} (${state}, ${Math.floor((Date.now() - started) / 1000)} s)`);
  try {
    for (;;) {
      const g = await client.getProcessGraph(graphId, o.prvKey);
      state = processStateName(g.state);
      if (g.state >= ProcessState.SUCCESS) return g;
      if (o.timeoutS > 0 && Date.now() - started > o.timeoutS * 1000) {
        throw new ColoniesError(WAIT_TIMEOUT_STATUS, `gave up waiting for workflow ${graphId} after ${o.timeoutS} s`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    stop();
  }
}

/** Prints how a process ended; returns the exit code. */
export function reportProcess(out: Output, p: Process, opts: { json?: boolean; printOutput?: boolean }): number {
  const ok = p.state === ProcessState.SUCCESS;
  if (opts.json) out.json(p);
  else {
    if (ok) out.ok(`Process ${p.processid} successful`);
    else {
      out.line(`${out.red('✘')} Process ${p.processid} ${processStateName(p.state)}`);
      for (const err of p.errors ?? []) out.line(`  ${out.red(err)}`);
    }
    if (opts.printOutput || ok) for (const v of p.out ?? []) out.line(cellText(v));
  }
  return ok ? 0 : EXIT_FAILED;
}

/** Prints how a workflow ended; returns the exit code. */
export function reportWorkflow(out: Output, g: ProcessGraph, json?: boolean): number {
  const ok = g.state === ProcessState.SUCCESS;
  if (json) out.json(g);
  else if (ok) out.ok(`Workflow ${g.processgraphid} successful`);
  else out.line(`${out.red('✘')} Workflow ${g.processgraphid} ${processStateName(g.state)}`);
  return ok ? 0 : EXIT_FAILED;
}
