// Signature recovery beside the event loop. Recovering a signer (libsecp256k1, ~60 µs) is the
// largest piece of CPU in a small request, and it runs on the thread that also reads the
// database's replies: under load, a turn of the event loop that recovers ten submits and closes
// keeps every grouped statement's reply waiting for as long (bench/RESULTS.md, eleventh round).
//
// So the first recovery of a turn runs inline, as before (a lone request pays no thread hop),
// and the turn's further ones go, packed into one message, to a worker thread, which answers
// with the public keys in one message. Every check that needs no curve arithmetic (hex, length,
// recovery id, the digest) is made before, on the event loop, and the rest (a refused point,
// high S, the id) after, with src/crypto/native.ts's own code: callers see the same errors and
// ids either way. Should the worker fail, what it held and everything after is recovered inline.
// The server uses it with PostgreSQL only (server.ts): the embedded database's engine has a
// worker thread of its own, and a second one measured slower there.
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { CryptoProvider } from '../crypto/index.js';
import { finishRecovery, nativeAddonLocation, prepareRecovery, recoverPacked, RECOVERY_INPUT } from '../crypto/native.js';

/** Bytes per answer: 1 (recovered or not) + the 65-byte public key. */
const ANSWER = 66;

// The worker's program: plain JavaScript run with `eval` (the same from dist/ and from the
// TypeScript sources under the test runner). It loads the addon the event loop loaded and
// answers each packed batch (see prepareRecovery) in order.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const lib = new (require(workerData.nodeGypBuild)(workerData.dir).Secp256k1)();
parentPort.on('message', ({ seq, input }) => {
  const n = input.length / ${RECOVERY_INPUT};
  const out = new Uint8Array(n * ${ANSWER});
  for (let i = 0; i < n; i++) {
    const at = i * ${RECOVERY_INPUT};
    const pub = out.subarray(i * ${ANSWER} + 1, (i + 1) * ${ANSWER});
    const ok = lib.ecdsaRecover(pub, input.subarray(at, at + 64), input[at + 64], input.subarray(at + 65, at + ${RECOVERY_INPUT})) === 0;
    out[i * ${ANSWER}] = ok ? 1 : 0;
  }
  parentPort.postMessage({ seq, buf: out.buffer }, [out.buffer]);
});
`;

/** A recovery waiting for the worker: its packed input (see prepareRecovery) and its signature. */
interface Waiting {
  input: Uint8Array;
  sig: Buffer;
  resolve(id: string): void;
  reject(e: unknown): void;
}

export interface Recoverer {
  /** The signer id of (payload, signature): at once, or later when recovered off the event loop. Throws/rejects as recoverId. */
  recoverId(payload: string, signature: string): string | Promise<string>;
  close(): Promise<void>;
}

/** Recovers every signature inline: without the native addon, with the embedded database, or with COLONIES_RECOVER_WORKER=0. */
export function inlineRecoverer(crypto: CryptoProvider): Recoverer {
  return { recoverId: (payload, signature) => crypto.recoverId(payload, signature), close: async () => undefined };
}

export class RecoverOffload implements Recoverer {
  private worker: Worker | null = null;
  /** the worker failed or the offload was closed: everything is recovered inline */
  private down = false;
  /** this event-loop turn made its inline recovery already */
  private inlineUsed = false;
  /** recoveries of this turn for the worker, sent when the turn ends */
  private queued: Waiting[] = [];
  private turnEnd: NodeJS.Immediate | null = null;
  /** batches out with the worker, by sequence number */
  private readonly sent = new Map<number, Waiting[]>();
  private seq = 0;

  /** How many recoveries the worker made (for tests and curiosity). */
  offloaded = 0;

  /**
   * @param addon where the worker loads libsecp256k1 from (default: where native.ts loaded it;
   *   tests pass a wrong one to see a failing worker handled)
   */
  constructor(
    private readonly crypto: CryptoProvider,
    private readonly log?: Logger,
    private readonly addon = nativeAddonLocation,
  ) {}

  recoverId(payload: string, signature: string): string | Promise<string> {
    if (this.down || !this.inlineUsed) {
      this.startTurn();
      return this.crypto.recoverId(payload, signature);
    }
    const input = new Uint8Array(RECOVERY_INPUT);
    const sig = prepareRecovery(payload, signature, input); // bad input throws here, as inline
    return new Promise<string>((resolve, reject) => {
      this.queued.push({ input, sig, resolve, reject });
      this.scheduleTurnEnd();
    });
  }

  /** Marks the turn's inline recovery as made. */
  private startTurn(): void {
    this.inlineUsed = true;
    this.scheduleTurnEnd();
  }

  /** At the end of this turn: the next turn starts afresh, and what was queued goes to the worker. */
  private scheduleTurnEnd(): void {
    this.turnEnd ??= setImmediate(() => {
      this.turnEnd = null;
      this.inlineUsed = false;
      if (this.queued.length > 0) this.send();
    });
  }

  private send(): void {
    const batch = this.queued;
    this.queued = [];
    const worker = this.down ? null : this.ensureWorker();
    if (!worker) {
      inline(batch);
      return;
    }
    const input = new Uint8Array(batch.length * RECOVERY_INPUT);
    batch.forEach((w, i) => input.set(w.input, i * RECOVERY_INPUT));
    const seq = ++this.seq;
    this.sent.set(seq, batch);
    // the worker gets a copy: each input stays here, for an inline retry should the worker fail
    worker.postMessage({ seq, input });
    if (this.sent.size === 1) worker.ref(); // while it holds work, it keeps the process alive
  }

  private ensureWorker(): Worker | null {
    if (this.worker) return this.worker;
    const at = this.addon();
    if (!at) {
      this.down = true;
      return null;
    }
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: at });
    w.unref(); // idle, it keeps no process alive (see send and answered)
    w.on('message', ({ seq, buf }: { seq: number; buf: ArrayBuffer }) => this.answered(seq, new Uint8Array(buf)));
    w.on('error', (e) => this.fail(e));
    w.on('exit', (code) => this.fail(new Error(`signature worker exited (code ${code})`)));
    this.worker = w;
    return w;
  }

  private answered(seq: number, out: Uint8Array): void {
    const batch = this.sent.get(seq);
    if (!batch) return;
    this.sent.delete(seq);
    if (this.sent.size === 0) this.worker?.unref();
    batch.forEach((w, i) => {
      this.offloaded++;
      const ok = out[i * ANSWER] === 1;
      settle(w, ok ? out.subarray(i * ANSWER + 1, (i + 1) * ANSWER) : null);
    });
  }

  private fail(e: unknown): void {
    if (this.down) return;
    this.down = true;
    this.log?.warn({ err: e }, 'signature worker failed; signatures are recovered on the event loop from now on');
    this.worker = null;
    for (const batch of this.sent.values()) inline(batch);
    this.sent.clear();
  }

  async close(): Promise<void> {
    this.down = true;
    // what is still queued or out is recovered inline: nobody waiting is left unanswered
    if (this.turnEnd) {
      clearImmediate(this.turnEnd);
      this.turnEnd = null;
    }
    if (this.queued.length > 0) this.send();
    for (const batch of this.sent.values()) inline(batch);
    this.sent.clear();
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}

/** Recovers a batch on the event loop (the worker failed, or the offload is closed). */
function inline(batch: Waiting[]): void {
  for (const w of batch) settle(w, recoverPacked(w.input));
}

function settle(w: Waiting, pub: Uint8Array | null): void {
  try {
    w.resolve(finishRecovery(w.sig, pub));
  } catch (e) {
    w.reject(e);
  }
}
