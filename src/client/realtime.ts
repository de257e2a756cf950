// WebSocket subscriptions on GET /pubsub (PROTOCOL.md §7): one signed subscribe envelope out,
// reply envelopes back, until the server closes the socket after the requested timeout.
import { decodeReply } from '../protocol/envelope.js';
import { ColoniesError } from '../protocol/errors.js';
import { BlueprintClient } from './blueprints.js';
import { ConnectionError, frameText, type SocketLike } from './transport.js';
import { processStateName, ProcessState, type MsgEntry, type Process } from './types.js';

export interface Subscription {
  /** Ends the subscription (closes the socket). */
  close(): void;
  /**
   * Settles when the subscription ends: resolves when the server closed it (its timeout) or
   * close() was called; rejects with ColoniesError on an error frame, ConnectionError when
   * the socket could not be opened, or whatever the frame callback threw.
   */
  readonly done: Promise<void>;
}

/** Status of the error waitFor* reject with when the timeout passes first. */
export const WAIT_TIMEOUT_STATUS = 408;

const CLOSED = 3;

export class RealtimeClient extends BlueprintClient {
  /** Opens /pubsub, sends `envelope`, calls onPayload for every success frame. */
  protected subscribe(envelope: string, onPayload: (payload: unknown) => void): Subscription {
    let socket: SocketLike | undefined;
    let closedByUs = false;
    let settled = false;
    let resolveDone!: () => void;
    let rejectDone!: (e: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolveDone = res;
      rejectDone = rej;
    });
    // Callers often only await their own promise; an unobserved rejection must not crash Node.
    done.catch(() => undefined);
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      if (err === undefined) resolveDone();
      else rejectDone(err);
      if (socket && socket.readyState !== CLOSED) socket.close();
    };
    let opened = false;
    const url = `${this.wsUrl}/pubsub`;
    Promise.resolve()
      .then(() => this.socketFactory(url))
      .then(
        (s) => {
          socket = s;
          if (closedByUs) {
            finish();
            return;
          }
          s.onopen = () => {
            opened = true;
            s.send(envelope);
          };
          s.onmessage = (ev) => {
            if (settled) return;
            try {
              onPayload(decodeReply(frameText(ev.data)).payload);
            } catch (e) {
              finish(e);
            }
          };
          s.onerror = (ev) => {
            if (!opened) finish(new ConnectionError(this.baseUrl, (ev as { message?: string })?.message || 'WebSocket connection failed'));
          };
          s.onclose = () => finish();
        },
        (e) => finish(new ConnectionError(this.baseUrl, (e as Error)?.message ?? String(e))),
      );
    return {
      close() {
        closedByUs = true;
        finish();
      },
      done,
    };
  }

  /**
   * Calls `onProcess` each time process `processId` enters `state` (and once at once if it is
   * already there), for `timeoutS` seconds.
   */
  subscribeProcess(processId: string, state: number, timeoutS: number, onProcess: (p: Process) => void, prvKey?: string): Subscription {
    const env = this.envelope('subscribeprocessmsg', { colonyname: '', processid: processId, executortype: '', state, timeout: timeoutS }, prvKey);
    return this.subscribe(env, (p) => onProcess(p as Process));
  }

  /** Calls `onProcess` for every process of `executorType` entering `state` (caller: an executor). */
  subscribeProcesses(executorType: string, state: number, timeoutS: number, onProcess: (p: Process) => void, colonyName = '', prvKey?: string): Subscription {
    const env = this.envelope('subscribeprocessesmsg', { colonyname: colonyName, executortype: executorType, state, timeout: timeoutS }, prvKey);
    return this.subscribe(env, (p) => onProcess(p as Process));
  }

  /** Streams channel entries from index `afterSeq` on; each frame is a batch of entries. */
  subscribeChannel(processId: string, name: string, afterSeq: number | bigint, timeoutS: number, onEntries: (entries: MsgEntry[]) => void, prvKey?: string): Subscription {
    const env = this.envelope('subscribechannelmsg', { processid: processId, name, afterseq: afterSeq, timeout: timeoutS }, prvKey);
    return this.subscribe(env, (entries) => onEntries((entries as MsgEntry[] | null) ?? []));
  }

  /**
   * Resolves with the process as soon as it is in `state` (also if it already is). Rejects
   * with status 408 when `timeoutS` passes first.
   */
  waitForProcess(processId: string, state: number, timeoutS: number, prvKey?: string): Promise<Process> {
    return this.waitForAny(processId, [state], timeoutS, prvKey);
  }

  /** Resolves with the process once it is SUCCESS, FAILED or CANCELLED. */
  waitForProcessEnd(processId: string, timeoutS: number, prvKey?: string): Promise<Process> {
    return this.waitForAny(processId, [ProcessState.SUCCESS, ProcessState.FAILED, ProcessState.CANCELLED], timeoutS, prvKey);
  }

  private waitForAny(processId: string, states: number[], timeoutS: number, prvKey?: string): Promise<Process> {
    return new Promise<Process>((resolve, reject) => {
      let result: Process | undefined;
      let failure: unknown;
      const subs = states.map((s) =>
        this.subscribeProcess(processId, s, timeoutS, (p) => {
          result ??= p;
          for (const sub of subs) sub.close();
        }, prvKey),
      );
      void Promise.all(
        subs.map((s) =>
          s.done.catch((e) => {
            failure ??= e;
            for (const sub of subs) sub.close();
          }),
        ),
      ).then(() => {
        if (result) resolve(result);
        else if (failure) reject(failure);
        else {
          const what = states.map(processStateName).join(' or ');
          reject(new ColoniesError(WAIT_TIMEOUT_STATUS, `timed out after ${timeoutS} s waiting for process ${processId} to be ${what}`));
        }
      });
    });
  }
}
