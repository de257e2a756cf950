// Where PGlite's engine runs. An engine takes a buffer of frontend protocol messages and returns
// the backend's reply bytes; everything else (statements, rows, transactions) lives on the
// server's side in pglite.ts.
//
// By default the engine runs in a worker thread: the WASM PostgreSQL is CPU-bound and
// synchronous, and on the server's main thread every statement would stop HTTP, signature checks
// and JSON for as long as it runs. In a worker the two run on separate cores.
// COLONIES_PGLITE_WORKER=0 keeps it on the main thread (simpler to profile).
//
// Durability is PGlite's own, unchanged: PostgreSQL runs with synchronous_commit on and fsync off
// (PGlite's -F), on Emscripten's Node file system, which passes every write straight to the data
// folder with write(). So a COMMIT has handed its WAL to the operating system before its reply
// leaves the engine: a killed server process loses no acknowledged work (test/store/pglite.test.ts
// kills one); a crash of the operating system itself may lose what the kernel had not yet
// written to disk, as before. PGlite's syncToFs step after each statement (skipped here) does
// nothing on Node: only its browser file systems (IndexedDB, OPFS) implement it, and its
// relaxedDurability option only stops awaiting that step.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PGlite } from '@electric-sql/pglite';

export interface EngineOptions {
  /** a folder, or memory:// */
  dataDir: string;
  /** a data-folder tarball (dumpPglite) to start an in-memory database from */
  template?: string;
}

export interface Engine {
  /** Runs frontend messages; resolves with the backend's reply. One call at a time. */
  run(messages: Uint8Array): Promise<Uint8Array>;
  /** The data folder as an uncompressed tarball. */
  dump(): Promise<Uint8Array>;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** PGlite's CommonJS entry (for the worker) and its compiled engine, shared by all workers. */
function pglitePaths(): { entry: string; wasm: string } {
  const entry = require.resolve('@electric-sql/pglite');
  return { entry, wasm: join(dirname(entry), 'pglite.wasm') };
}

let compiled: Promise<WebAssembly.Module | undefined> | undefined;
function compiledEngine(): Promise<WebAssembly.Module | undefined> {
  compiled ??= (async () => {
    const { wasm } = pglitePaths();
    // When the package's layout changes, each worker lets PGlite find and compile it instead.
    if (!existsSync(wasm)) return undefined;
    return WebAssembly.compile(readFileSync(wasm));
  })();
  return compiled;
}

export function useWorker(): boolean {
  const v = process.env.COLONIES_PGLITE_WORKER;
  return v !== '0' && v !== 'false';
}

export function openEngine(o: EngineOptions): Promise<Engine> {
  return useWorker() ? openWorkerEngine(o) : openInlineEngine(o);
}

/** Collects the reply chunks the engine writes while it runs one buffer of messages. */
class ReplyBuffer {
  private buf = new Uint8Array(64 * 1024);
  private len = 0;

  push = (chunk: Uint8Array): void => {
    if (this.len + chunk.length > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + chunk.length));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
  };

  /** The reply so far, in a buffer of its own; empties this one. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.len);
    this.len = 0;
    if (this.buf.length > 1024 * 1024) this.buf = new Uint8Array(64 * 1024); // a big reply does not stay
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// On the main thread

async function openInlineEngine(o: EngineOptions): Promise<Engine> {
  const { PGlite } = await import('@electric-sql/pglite');
  const pgl: PGlite = o.template
    ? await PGlite.create('memory://', { loadDataDir: new Blob([readFileSync(o.template)]) })
    : await PGlite.create(o.dataDir);
  const reply = new ReplyBuffer();
  return {
    async run(messages) {
      await pgl.execProtocolRawStream(messages, { syncToFs: false, onRawData: reply.push });
      return reply.take();
    },
    async dump() {
      const blob = await pgl.dumpDataDir('none');
      return new Uint8Array(await blob.arrayBuffer());
    },
    async close() {
      await pgl.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// In a worker thread

// The worker's program. It is plain JavaScript run with `eval` (so it works the same from the
// compiled dist/ and from TypeScript sources under the test runner) and knows nothing of the
// protocol: it opens PGlite, then answers each request { op: 'run' | 'dump' | 'close', buf } with
// { buf } or { error }, in order. Reply bytes are copied out of the WASM heap while the engine
// writes them (the heap view is only valid during the callback) and transferred, not cloned.
const WORKER_SOURCE = `
'use strict';
// Loaded with import() only: the same text runs as a CommonJS script or, when the process was
// started with --input-type=module (workers inherit it), as a module.
(async () => {
  const { parentPort, workerData } = await import('node:worker_threads');
  const fail = (e) => parentPort.postMessage({ error: { message: String((e && e.message) || e), stack: e && e.stack } });
  try {
    const { readFileSync } = await import('node:fs');
    const { createRequire } = await import('node:module');
    const { PGlite } = createRequire(workerData.entry)(workerData.entry);

    const INITIAL = 64 * 1024;
    let buf = new Uint8Array(INITIAL);
    let len = 0;
    const push = (chunk) => {
      if (len + chunk.length > buf.length) {
        const next = new Uint8Array(Math.max(buf.length * 2, len + chunk.length));
        next.set(buf.subarray(0, len));
        buf = next;
      }
      buf.set(chunk, len);
      len += chunk.length;
    };
    const take = () => {
      const out = buf.slice(0, len);
      len = 0;
      if (buf.length > 16 * INITIAL) buf = new Uint8Array(INITIAL); // a big reply does not stay
      return out;
    };

    const options = {};
    if (workerData.wasmModule) options.pgliteWasmModule = workerData.wasmModule;
    if (workerData.template) options.loadDataDir = new Blob([readFileSync(workerData.template)]);
    const pgl = await PGlite.create(workerData.template ? 'memory://' : workerData.dataDir, options);
    parentPort.on('message', async (m) => {
      try {
        if (m.op === 'run') {
          len = 0;
          await pgl.execProtocolRawStream(m.buf, { syncToFs: false, onRawData: push });
          const out = take();
          parentPort.postMessage({ buf: out }, [out.buffer]);
        } else if (m.op === 'dump') {
          const blob = await pgl.dumpDataDir('none');
          const out = new Uint8Array(await blob.arrayBuffer());
          parentPort.postMessage({ buf: out }, [out.buffer]);
        } else if (m.op === 'close') {
          await pgl.close();
          parentPort.postMessage({});
        }
      } catch (e) {
        fail(e);
      }
    });
    parentPort.postMessage({ ready: true });
  } catch (e) {
    fail(e);
  }
})();
`;

interface Reply {
  ready?: boolean;
  buf?: Uint8Array;
  error?: { message: string; stack?: string };
}

async function openWorkerEngine(o: EngineOptions): Promise<Engine> {
  // A new data folder is made by initdb, a second PGlite engine whose memory (hundreds of MB)
  // would stay with the worker for good: make it in a worker of its own that then ends.
  if (!o.template && !o.dataDir.startsWith('memory://') && !existsSync(join(o.dataDir, 'PG_VERSION'))) {
    await (await startWorker(o)).close();
  }
  return startWorker(o);
}

async function startWorker(o: EngineOptions): Promise<Engine> {
  const { entry } = pglitePaths();
  const wasmModule = await compiledEngine();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { entry, wasmModule, dataDir: o.dataDir, template: o.template },
  });
  const pending: Array<{ resolve: (r: Reply) => void; reject: (e: Error) => void }> = [];
  let dead: Error | null = null;
  const failAll = (e: Error) => {
    dead ??= e;
    for (const p of pending.splice(0)) p.reject(e);
  };
  worker.on('message', (r: Reply) => {
    const p = pending.shift();
    if (!p) return;
    if (pending.length === 0) worker.unref();
    if (r.error) {
      const e = new Error(r.error.message);
      if (r.error.stack) e.stack = r.error.stack;
      p.reject(e);
    } else p.resolve(r);
  });
  worker.on('error', (e) => failAll(e instanceof Error ? e : new Error(String(e))));
  worker.on('exit', (code) => failAll(new Error(`PGlite worker exited (code ${code})`)));

  // While a request is out the worker keeps the process alive; idle, it does not (as PGlite
  // on the main thread does not).
  const request = (op: string, buf?: Uint8Array): Promise<Reply> => {
    if (dead) return Promise.reject(dead);
    return new Promise<Reply>((resolve, reject) => {
      pending.push({ resolve, reject });
      worker.ref();
      worker.postMessage({ op, buf }, buf ? [buf.buffer as ArrayBuffer] : []);
    });
  };

  // the first message is 'ready' (or the error that stopped the start)
  await new Promise<Reply>((resolve, reject) => {
    pending.push({ resolve, reject });
  }).catch(async (e) => {
    await worker.terminate();
    throw e;
  });

  return {
    async run(messages) {
      return (await request('run', messages)).buf!;
    },
    async dump() {
      return (await request('dump')).buf!;
    },
    async close() {
      if (dead) return;
      try {
        await request('close');
      } finally {
        dead = new Error('PGlite is closed');
        await worker.terminate();
      }
    },
  };
}
