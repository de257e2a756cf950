// THE table: payloadtype → { schema (from the protocol catalogue), access rule, handler }.
// Handler files register their rows with `rpc(...)`; src/server/handlers/index.ts imports them.
import type { Msg, PayloadType } from '../protocol/messages.js';
import type { Rule } from './access.js';
import type { ServerContext } from './context.js';

export interface Call<T extends PayloadType> {
  readonly type: T;
  readonly msg: Msg<T>;
  /** id recovered from the signature ('' for unauthenticated types) */
  readonly callerId: string;
  readonly srv: ServerContext;
  /** aborted when the client goes away (long polls stop waiting) */
  readonly signal: AbortSignal;
}

/** A reply whose payloadtype differs from the request's (getpausestatusmsg). */
export class Reply {
  constructor(
    readonly payloadtype: string,
    readonly payload: unknown,
  ) {}
}

export interface RpcDef<T extends PayloadType> {
  readonly access: Rule<Msg<T>>;
  /**
   * The handler's own statement enforces `access` in the same round trip as the work (the hot
   * path: submit and assign) and throws the same errors as the rule would; the dispatcher
   * then skips its separate check. The declared rule stays the documentation and the test.
   */
  readonly enforcedByHandler?: boolean;
  /** returns the reply payload; undefined → `{}` */
  handle(call: Call<T>): Promise<unknown>;
}

const rows = new Map<PayloadType, RpcDef<any>>();

export function rpc<T extends PayloadType>(type: T, def: RpcDef<T>): void {
  if (rows.has(type)) throw new Error(`duplicate registry row for ${type}`);
  rows.set(type, def);
}

export function lookup(type: string): RpcDef<any> | undefined {
  return rows.get(type as PayloadType);
}

export function registeredTypes(): PayloadType[] {
  return [...rows.keys()];
}
