// Types the SDK hands out and accepts. Replies are the server's JSON verbatim (decoded with
// exact int64s), so a value typed `bigint` in the protocol schemas may arrive as a plain
// number when it is small: `Wire<T>` says so. Inputs are any subset of an object's fields;
// missing fields are Go zero values on the server.
import type * as O from '../protocol/objects.js';

/** A protocol object as it arrives on the wire: int64 → number | bigint, []byte → base64 string. */
export type Wire<T> = T extends bigint
  ? number | bigint
  : T extends Uint8Array
    ? string
    : T extends string | number | boolean | null | undefined
      ? T
      : T extends readonly (infer U)[]
        ? Wire<U>[]
        : T extends object
          ? { [K in keyof T]: Wire<T[K]> }
          : T;

/** Any subset of an object's fields, recursively (what a client sends). */
export type Input<T> = T extends bigint
  ? bigint | number
  : T extends Uint8Array | string | number | boolean | null | undefined
    ? T
    : T extends readonly (infer U)[]
      ? Input<U>[]
      : T extends object
        ? { [K in keyof T]?: Input<T[K]> }
        : T;

export type Colony = Wire<O.Colony>;
export type Executor = Wire<O.Executor>;
export type User = Wire<O.User>;
export type Location = Wire<O.Location>;
export type FunctionSpec = Wire<O.FunctionSpec>;
export type Conditions = Wire<O.Conditions>;
export type Process = Wire<O.Process>;
export type Attribute = Wire<O.Attribute>;
export type WorkflowSpec = Wire<O.WorkflowSpec>;
export type ProcessGraph = Wire<O.ProcessGraph>;
export type ColonyFunction = Wire<O.Function>;
export type Log = Wire<O.Log>;
export type Cron = Wire<O.Cron>;
export type Generator = Wire<O.Generator>;
export type File = Wire<O.File>;
export type FileData = Wire<O.FileData>;
export type Label = Wire<O.Label>;
export type Snapshot = Wire<O.Snapshot>;
export type Statistics = Wire<O.Statistics>;
export type ServerInfo = Wire<O.ServerInfo>;
export type VersionReply = Wire<O.VersionReply>;
export type PauseStatus = Wire<O.PauseStatusReply>;
export type Cluster = Wire<O.Cluster>;
export type MsgEntry = Wire<O.MsgEntry>;
export type Capabilities = Wire<O.Capabilities>;
export type Allocations = Wire<O.Allocations>;
export type Blueprint = Wire<O.Blueprint>;
export type BlueprintDefinition = Wire<O.BlueprintDefinition>;
export type BlueprintHistory = Wire<O.BlueprintHistory>;

export type FunctionSpecInput = Input<O.FunctionSpec>;
export type WorkflowSpecInput = Input<O.WorkflowSpec>;

/** Process and process-graph states (OBJECTS.md §2). */
export const ProcessState = Object.freeze({ WAITING: 0, RUNNING: 1, SUCCESS: 2, FAILED: 3, CANCELLED: 4 } as const);
export type ProcessStateValue = (typeof ProcessState)[keyof typeof ProcessState];

/** Executor states (OBJECTS.md §2). */
export const ExecutorState = Object.freeze({ PENDING: 0, APPROVED: 1, REJECTED: 2, UNREGISTERED: 3 } as const);

/** Attribute types (OBJECTS.md §2). */
export const AttributeType = Object.freeze({ IN: 0, OUT: 1, ERR: 2, ENV: 3 } as const);

const STATE_NAMES = ['waiting', 'running', 'successful', 'failed', 'cancelled'];

/** "waiting", "running", "successful", "failed", "cancelled" (or "state N"). */
export function processStateName(state: number): string {
  return STATE_NAMES[state] ?? `state ${state}`;
}

const EXECUTOR_STATE_NAMES = ['pending', 'approved', 'rejected', 'unregistered'];

export function executorStateName(state: number): string {
  return EXECUTOR_STATE_NAMES[state] ?? `state ${state}`;
}
