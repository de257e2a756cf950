// Signature recovery beside the event loop (src/server/recover-offload.ts): a turn's first
// recovery is made inline, the rest on a worker thread; the ids and the errors are those of
// the inline path (and of the Go vectors), whatever happens to the worker.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserCrypto, CryptoError, type CryptoProvider } from '../../src/crypto/index.js';
import { nativeCrypto } from '../../src/crypto/server.js';
import { buildRequest, decodeReply } from '../../src/protocol/envelope.js';
import { dispatch } from '../../src/server/dispatch.js';
import { RecoverOffload, type Recoverer } from '../../src/server/recover-offload.js';
import { testDbKind } from '../helpers/db.js';
import { setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';

interface Vectors {
  keys: { messages: { message: string; signature: string; recovered_id: string }[] }[];
  negative_and_edge_cases: { message?: string; signature?: string; go_result?: string }[];
}
const vectors = JSON.parse(readFileSync(new URL('../vectors/crypto.json', import.meta.url), 'utf8')) as Vectors;
const signed = vectors.keys.flatMap((k) => k.messages);

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const hex32 = (n: bigint) => n.toString(16).padStart(64, '0');

/** What a recovery gave: the id, or the error's class, code and message. */
type Outcome = { id: string } | { error: string };

function outcomeOf(f: () => string): Outcome {
  try {
    return { id: f() };
  } catch (e) {
    return { error: errorText(e) };
  }
}
function errorText(e: unknown): string {
  return e instanceof CryptoError ? `CryptoError ${e.code}: ${e.message}` : `other: ${(e as Error).message}`;
}

/** Asks for every recovery in one event-loop turn; resolves with their outcomes, in order. */
async function inOneTurn(r: Recoverer, cases: [string, string][]): Promise<Outcome[]> {
  const asked = cases.map(([m, s]) => {
    try {
      return r.recoverId(m, s);
    } catch (e) {
      return Promise.reject(e);
    }
  });
  const settled = await Promise.allSettled(asked);
  return settled.map((x) => (x.status === 'fulfilled' ? { id: x.value } : { error: errorText(x.reason) }));
}

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

describe('RecoverOffload', () => {
  const native = nativeCrypto() as CryptoProvider;

  it('runs with the native addon (the server only offloads with it)', () => {
    expect(native).toBeDefined();
  });

  it("makes a turn's first recovery inline and the rest on the worker, with the ids of the Go vectors", async () => {
    const off = new RecoverOffload(native);
    try {
      const cases = signed.map((v) => [v.message, v.signature] as [string, string]);
      expect(await inOneTurn(off, cases)).toEqual(signed.map((v) => ({ id: v.recovered_id })));
      expect(off.offloaded).toBe(cases.length - 1);
      // a later turn with one recovery makes it inline
      await nextTurn();
      expect(off.recoverId(cases[3][0], cases[3][1])).toBe(signed[3].recovered_id);
      expect(off.offloaded).toBe(cases.length - 1);
    } finally {
      await off.close();
    }
  });

  it('refuses bad signatures with the errors of the inline path, in the worker or before it', async () => {
    const { message: msg, signature: sig } = signed[0];
    const r = sig.slice(0, 64);
    const s = sig.slice(64, 128);
    const v = parseInt(sig.slice(128), 16);
    const highS = vectors.negative_and_edge_cases.find((c) => c.go_result?.includes('over half the order'))!;
    const bad: [string, string][] = [
      [highS.message!, highS.signature!], // recovers, then refused (high S)
      [msg, r + hex32(N - BigInt('0x' + s)) + (v ^ 1).toString(16).padStart(2, '0')], // the same, made here
      [msg, hex32(0n) + s + '00'], // R = 0: libsecp256k1 refuses
      [msg, r + hex32(N) + '00'], // S >= N
      [msg, sig.slice(0, 128) + '02'], // v = 2 with an ordinary R
      [msg, sig.slice(0, 128) + '08'], // recovery id out of range: refused before the worker
      [msg, sig.slice(1)], // odd hex
      [msg, sig.slice(0, 128) + 'g1'], // not hex
      [msg, sig.slice(0, 126)], // too short
      ['another message', sig], // a valid signature of something else: another id, no error
    ];
    const cases: [string, string][] = [[msg, sig], ...bad];
    const expected = cases.map(([m, x]) => outcomeOf(() => native.recoverId(m, x)));
    expect(expected.filter((o) => 'error' in o).length).toBe(bad.length - 1);
    const off = new RecoverOffload(native);
    try {
      expect(await inOneTurn(off, cases)).toEqual(expected);
      // those that passed the checks before the curve arithmetic went to the worker
      expect(off.offloaded).toBe(6);
    } finally {
      await off.close();
    }
  });

  it('answers everyone inline when its worker cannot start, then and from then on', async () => {
    const warnings: unknown[] = [];
    const log = { warn: (o: unknown) => warnings.push(o) } as never;
    const off = new RecoverOffload(native, log, () => ({ nodeGypBuild: '/nonexistent/node-gyp-build', dir: '/nonexistent' }));
    try {
      const cases = signed.map((v) => [v.message, v.signature] as [string, string]);
      expect(await inOneTurn(off, cases)).toEqual(signed.map((v) => ({ id: v.recovered_id })));
      expect(warnings.length).toBe(1);
      await nextTurn();
      expect(await inOneTurn(off, cases.slice(0, 5))).toEqual(signed.slice(0, 5).map((v) => ({ id: v.recovered_id })));
      expect(off.offloaded).toBe(0);
      expect(warnings.length).toBe(1);
    } finally {
      await off.close();
    }
  });

  it('answers what is still queued when it is closed', async () => {
    const off = new RecoverOffload(native);
    const cases = signed.slice(0, 8).map((v) => [v.message, v.signature] as [string, string]);
    const asked = cases.map(([m, x]) => off.recoverId(m, x));
    await off.close();
    expect(await Promise.all(asked)).toEqual(signed.slice(0, 8).map((v) => v.recovered_id));
    // closed: inline from now on
    await nextTurn();
    expect(await inOneTurn(off, cases)).toEqual(signed.slice(0, 8).map((v) => ({ id: v.recovered_id })));
    expect(off.offloaded).toBe(0);
  });
});

describe('signature offload in the server', () => {
  let t: TestServer;
  let c: Cast;
  beforeAll(async () => {
    t = await startTestServer();
    c = await setupColony(t, 'dev', 'cli');
  });
  afterAll(() => t?.close());

  // With PostgreSQL the server offloads; the embedded database's engine has a worker thread of
  // its own, and there every recovery stays on the event loop. The answers are the same.
  const offloads = testDbKind === 'postgres';

  it('requests of one turn are authenticated off the event loop (PostgreSQL) as on it; a bad signature is refused alike and changes nothing', async () => {
    const srv = t.server.srv;
    expect(srv.recoverer instanceof RecoverOffload).toBe(offloads);
    const offloaded = () => (srv.recoverer instanceof RecoverOffload ? srv.recoverer.offloaded : 0);
    const before = offloaded();
    const submit = (i: number) =>
      buildRequest('submitfuncspecmsg', { spec: { conditions: { colonyname: 'dev', executortype: 'cli' }, funcname: `offload-${i}` } }, c.user.prv, browserCrypto);
    const good = Array.from({ length: 12 }, (_, i) => submit(i));
    // one of them with its signature's S mirrored (valid curve math, refused as high S)
    const env = JSON.parse(submit(99)) as { signature: string };
    const sig = env.signature;
    const high = sig.slice(0, 64) + hex32(N - BigInt('0x' + sig.slice(64, 128))) + (parseInt(sig.slice(128), 16) ^ 1).toString(16).padStart(2, '0');
    const badBody = JSON.stringify({ ...env, signature: high });
    const noSignal = () => new AbortController().signal;
    const replies = await Promise.all([...good, badBody].map((b) => dispatch(srv, b, noSignal)));
    // PostgreSQL: all 13 but the turn's first (the first good one); PGlite: none
    expect(offloaded() - before).toBe(offloads ? good.length : 0);
    for (const r of replies.slice(0, good.length)) {
      expect(r.status).toBe(200);
      expect((decodeReply(r.body).payload as { initiatorid: string }).initiatorid).toBe(c.user.id);
    }
    // the refusal is the one a lone request gets (recovered inline)
    const alone = await dispatch(srv, badBody, noSignal);
    expect(alone.status).toBe(403);
    expect(replies[good.length]).toEqual(alone);
    const payload = JSON.parse(Buffer.from((JSON.parse(alone.body) as { payload: string }).payload, 'base64').toString('utf8'));
    expect(payload).toEqual({ status: 403, message: 'Failed verify signature: Signature s value is over half the order' });
    // nothing of the refused submit was stored
    const waiting = (await t.call('getprocessesmsg', { colonyname: 'dev', count: 100, state: 0 }, c.user)) as { spec: { funcname: string } }[];
    expect(waiting.map((p) => p.spec.funcname).sort()).toEqual(good.map((_, i) => `offload-${i}`).sort());
  });
});

describe('COLONIES_RECOVER_WORKER=0', () => {
  it('keeps every recovery on the event loop, with the same answers', async () => {
    const t = await startTestServer({ recoverWorker: false });
    try {
      const c = await setupColony(t, 'dev', 'cli');
      expect(t.server.srv.recoverer).not.toBeInstanceOf(RecoverOffload);
      const bodies = Array.from({ length: 6 }, (_, i) =>
        buildRequest('submitfuncspecmsg', { spec: { conditions: { colonyname: 'dev', executortype: 'cli' }, funcname: `inline-${i}` } }, c.user.prv, browserCrypto),
      );
      const replies = await Promise.all(bodies.map((b) => dispatch(t.server.srv, b, () => new AbortController().signal)));
      expect(replies.map((r) => (decodeReply(r.body).payload as { initiatorid: string }).initiatorid)).toEqual(bodies.map(() => c.user.id));
    } finally {
      await t.close();
    }
  });
});
