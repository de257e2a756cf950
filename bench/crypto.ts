/**
 * Crypto micro-benchmark: native (libsecp256k1) vs browser (@noble) providers.
 *
 *   npx tsx bench/crypto.ts [--json] [--ms 1000] [--runs 5]
 *   node dist/bench/crypto.js [--json]
 *
 * Each figure is the median ops/s of `runs` runs of ~`ms` milliseconds on one core.
 */
import { browserCrypto, type CryptoProvider } from '../src/crypto/index.js';
import { nativeCrypto } from '../src/crypto/server.js';

// addcolonymsg vector (test/vectors/crypto.json envelopes[0]): server owner registers colony "dev"
const SIGNER_PRVKEY = 'fcc79953d8a751bf41db661592dc34d30004b1a651ffa0725b03ac227641499d';
const SIGNER_ID = '039231c7644e04b6895471dd5335cf332681c54e27f81fac54f9067b3f2c0103';
const RPCMSG_JSON =
  '{"signature":"ae6d33a12c670db06439bc13de1f08f1f8aa0686c1da56928e22d91af5c71e63143b6f3a6e1b44ba04d015802adc28ba3ebb8cb1b7c7c662bfdc47bef4ef509400","payloadtype":"addcolonymsg","payload":"eyJjb2xvbnkiOnsiY29sb255aWQiOiI0Nzg3YTUwNzE4NTZhNGFjZjcwMmIyZmZjZWE0MjJlMzIzN2E2NzljNjgxMzE0MTEzZDg2MTM5NDYxMjkwY2Y0IiwibmFtZSI6ImRldiJ9LCJtc2d0eXBlIjoiYWRkY29sb255bXNnIn0="}';

interface Envelope {
  signature: string;
  payloadtype: string;
  payload: string;
}

function argValue(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`bad value for ${name}`);
  return v;
}

const jsonOnly = process.argv.includes('--json');
const runMs = argValue('--ms', 1000);
const runs = argValue('--runs', 5);

let sink = 0; // defeats dead-code elimination

/** ops/s of one run of ~runMs; checks the clock every `batch` calls. */
function runOnce(fn: () => string): number {
  let batch = 1;
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < runMs) {
    for (let i = 0; i < batch; i++) sink += fn().length;
    count += batch;
    elapsed = performance.now() - start;
    if (elapsed < runMs / 20) batch *= 2;
  }
  return (count * 1000) / elapsed;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function measure(fn: () => string): number {
  for (let i = 0; i < 200; i++) sink += fn().length; // warm-up / JIT
  const results: number[] = [];
  for (let r = 0; r < runs; r++) results.push(runOnce(fn));
  return Math.round(median(results));
}

type Op = 'sha3_1k' | 'sign' | 'recoverId' | 'authenticate';
const OPS: Op[] = ['sha3_1k', 'sign', 'recoverId', 'authenticate'];

function benchProvider(P: CryptoProvider): Record<Op, number> {
  const env = JSON.parse(RPCMSG_JSON) as Envelope;
  // correctness guard: the benchmarked paths must produce the vector's answers
  if (P.recoverId(env.payload, env.signature) !== SIGNER_ID) throw new Error(`${P.name}: wrong recovered id`);
  if (P.sign(env.payload, SIGNER_PRVKEY) !== env.signature) throw new Error(`${P.name}: wrong signature`);
  const kib = 'x'.repeat(1024);
  const payload = env.payload;
  const signature = env.signature;
  return {
    sha3_1k: measure(() => P.sha3Hex(kib)),
    sign: measure(() => P.sign(payload, SIGNER_PRVKEY)),
    recoverId: measure(() => P.recoverId(payload, signature)),
    authenticate: measure(() => {
      const e = JSON.parse(RPCMSG_JSON) as Envelope;
      return P.recoverId(e.payload, e.signature);
    }),
  };
}

const native = nativeCrypto();
const results: Record<string, Record<Op, number> | null> = {
  native: native ? benchProvider(native) : null,
  browser: benchProvider(browserCrypto),
};

if (!jsonOnly) {
  const fmt = (n: number | undefined) => (n === undefined ? 'n/a' : n.toLocaleString('en-US')).padStart(12);
  console.log(`crypto bench — node ${process.version}, ${runs} runs × ~${runMs} ms, median ops/s (one core)`);
  if (!native) console.log('WARNING: native secp256k1 addon not available');
  console.log(`${'operation'.padEnd(14)}${'native'.padStart(12)}${'browser'.padStart(12)}${'ratio'.padStart(8)}`);
  for (const op of OPS) {
    const n = results.native?.[op];
    const b = results.browser![op];
    const ratio = n === undefined ? '' : `${(n / b).toFixed(1)}x`;
    console.log(`${op.padEnd(14)}${fmt(n)}${fmt(b)}${ratio.padStart(8)}`);
  }
}
console.log(
  JSON.stringify({
    bench: 'crypto',
    node: process.version,
    runs,
    run_ms: runMs,
    unit: 'ops/s',
    native_available: native !== undefined,
    native: results.native,
    browser: results.browser,
  }),
);
if (sink < 0) console.log(sink);
