// CPU per call of the SDK (ColoniesClient) with the global fetch vs nodeFetch (undici's request
// API), against our server in a child process (PGlite in memory), C calls in flight.
// Rounds alternate the transports; each figure is the median over rounds of this process's
// CPU time (user + system) per call.
// Run: npx tsx bench/sdk-transport.ts [calls per round=4000] [in flight=16] [rounds=5]
import { ColoniesClient, type FetchLike } from '../src/client/index.js';
import { nodeFetch } from '../src/client/node-transport.js';
import { openTarget } from './lib/target.js';

const [calls = 4000, inflight = 16, rounds = 5] = process.argv.slice(2).map(Number);
const target = await openTarget({ spec: 'self', db: 'pglite', dataDir: 'memory://', dbUrl: '', serverEntry: 'auto' });
const serverPrv = target.serverKey.prv;

const transports: Record<string, FetchLike> = { 'global fetch': globalThis.fetch.bind(globalThis), nodeFetch: nodeFetch() };
// versionmsg: unsigned, almost no server work (the transport alone); getcoloniesmsg: signed
// with the SDK's default (@noble) crypto, as every executor and CLI call is.
const kinds: Record<string, (c: ColoniesClient) => Promise<unknown>> = {
  version: (c) => c.getVersion(),
  'getcolonies (signed)': (c) => c.getColonies(serverPrv),
};

async function cpuPerCall(c: ColoniesClient, call: (c: ColoniesClient) => Promise<unknown>, n: number): Promise<number> {
  let left = n;
  const t0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (left-- > 0) await call(c);
    }),
  );
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const clients = Object.fromEntries(Object.entries(transports).map(([name, fetch]) => [name, new ColoniesClient({ url: `http://${target.address}`, fetch })]));
  for (const [kind, call] of Object.entries(kinds)) {
    const samples: Record<string, number[]> = {};
    for (const c of Object.values(clients)) await cpuPerCall(c, call, 2000); // warm-up (JIT, sockets)
    for (let r = 0; r < rounds; r++) {
      for (const [name, c] of Object.entries(clients)) (samples[name] ??= []).push(await cpuPerCall(c, call, calls));
    }
    const line = Object.entries(samples).map(([name, xs]) => `${name} ${median(xs).toFixed(0)} µs`);
    console.log(`${kind}: CPU per call (median of ${rounds} rounds of ${calls}, ${inflight} in flight): ${line.join(', ')}`);
  }
} finally {
  await target.stop();
}
