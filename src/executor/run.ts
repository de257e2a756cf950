// Running one assigned process: pick the handler by funcname, give it a context, and turn
// whatever it returns or throws into the output or error the process is closed with.
import type { ColoniesClient } from '../client/client.js';
import type { Process } from '../client/types.js';
import type { Identity } from './register.js';

export interface ExecutorContext {
  /** the process being run */
  readonly process: Process;
  /** spec.args (never null) */
  readonly args: unknown[];
  /** spec.kwargs (never null) */
  readonly kwargs: Record<string, unknown>;
  /** outputs of the parent processes in a workflow (never null) */
  readonly input: unknown[];
  /** aborted when the process's maxexectime passes (it can no longer be closed) or the executor stops */
  readonly signal: AbortSignal;
  readonly client: ColoniesClient;
  readonly executorName: string;
  readonly colonyName: string;
  /**
   * Appends a line to the process log. A request the server did not answer (it is restarting, a
   * proxy's 5xx) is sent again until answered or `signal` aborts; an answered error rejects.
   */
  log(message: string): Promise<void>;
  /** Sets the output now, without closing the process (sent again like log). */
  setOutput(out: unknown[]): Promise<void>;
}

/** Runs a request until the server answers it (see ExecutorContext.log). */
export type UntilAnswered = <T>(what: string, send: () => Promise<T>, signal: AbortSignal) => Promise<T>;

/** Returns the output: an array is used as is, undefined means [], anything else becomes [value]. */
export type ProcessHandler = (process: Process, ctx: ExecutorContext) => unknown;

export type RunResult = { ok: true; out: unknown[] } | { ok: false; error: string };

export function toOutput(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return typeof e === 'string' ? e : JSON.stringify(e) ?? String(e);
}

export async function runProcess(
  client: ColoniesClient,
  me: Identity,
  functions: Record<string, ProcessHandler>,
  p: Process,
  signal: AbortSignal,
  untilAnswered: UntilAnswered = (_what, send) => send(),
): Promise<RunResult> {
  const funcname = p.spec?.funcname ?? '';
  const handler = Object.prototype.hasOwnProperty.call(functions, funcname) ? functions[funcname] : undefined;
  if (!handler) {
    const known = Object.keys(functions).join(', ') || 'none';
    return { ok: false, error: `executor ${me.name} has no function "${funcname}" (it serves: ${known})` };
  }
  const ctx: ExecutorContext = {
    process: p,
    args: p.spec?.args ?? [],
    kwargs: (p.spec?.kwargs as Record<string, unknown> | null) ?? {},
    input: p.in ?? [],
    signal,
    client,
    executorName: me.name,
    colonyName: me.colonyName,
    log: (message) => untilAnswered(`log a line of process ${p.processid}`, () => client.addLog(p.processid, message, me.prvKey), signal),
    setOutput: (out) => untilAnswered(`set the output of process ${p.processid}`, () => client.setOutput(p.processid, out, me.prvKey), signal),
  };
  try {
    return { ok: true, out: toOutput(await handler(p, ctx)) };
  } catch (e) {
    return { ok: false, error: errorText(e) };
  }
}
