// The process state machine of SEMANTICS.md §5: which transitions the server allows and the
// exact Go message for each refused one (all 400).
export const WAITING = 0;
export const RUNNING = 1;
export const SUCCESS = 2;
export const FAILED = 3;
export const CANCELLED = 4;
/** removeallprocessesmsg / getprocessesmsg: every state */
export const ALL_STATES = -1;

export function isProcessState(s: number): boolean {
  return Number.isInteger(s) && s >= WAITING && s <= CANCELLED;
}

/** closesuccessfulmsg: RUNNING → SUCCESS, and SUCCESS → SUCCESS again (Go quirk). */
export function closeSuccessfulRefusal(state: number): string | null {
  switch (state) {
    case WAITING:
      return 'Tried to set waiting process as successful without being running';
    case FAILED:
      return 'Tried to set failed process as successful';
    case CANCELLED:
      return 'Tried to set cancelled process as successful';
    default:
      return null;
  }
}

/** closefailedmsg: RUNNING (or WAITING, as Go's MarkFailed) → FAILED. */
export function closeFailedRefusal(state: number): string | null {
  switch (state) {
    case SUCCESS:
      return 'Tried to set successful process as failed';
    case FAILED:
      return 'Tried to set failed process as failed';
    case CANCELLED:
      return 'Tried to set cancelled process as failed';
    default:
      return null;
  }
}

/** cancelprocessmsg: WAITING or RUNNING → CANCELLED. */
export function cancelRefusal(state: number): string | null {
  switch (state) {
    case SUCCESS:
      return 'Tried to cancel successful process';
    case FAILED:
      return 'Tried to cancel failed process';
    case CANCELLED:
      return 'Tried to cancel already cancelled process';
    default:
      return null;
  }
}

/** Errors the timeout loop writes into `errors`. */
export const EXEC_TIMEOUT_ERROR = 'Maximum execution time limit exceeded';
export const WAIT_TIMEOUT_ERROR = 'Maximum waiting time limit exceeded';
