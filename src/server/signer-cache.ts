// Who signed an envelope is a pure function of (payload, signature): signing is deterministic
// (RFC 6979), so a client that sends the same message again (an executor's assign long poll, a
// dashboard polling a process) sends the same signature again. Remembering the last few
// thousand successful recoveries spares the signature check (~60 µs of CPU, the biggest single
// cost of a small request) for those repeats. Only successes are kept, and only for payloads up
// to MAX_PAYLOAD characters, so the cache is small and a bad signature is always checked afresh.
//
// A pair enters the cache on its second sighting, not its first. Most envelopes are never sent
// twice (every submit, every close): kept from their first sighting, they filled the cache with
// entries that were never hit and lived for seconds, long enough for V8 to copy each one out of
// the young generation and promote it (a megabyte or more per second at a thousand processes a
// second), which made every young-generation pause longer and the old generation churn. First
// sightings are remembered as a small number each (a prefix of the signature), in two
// generations of at most `maxEntries` numbers.

const MAX_ENTRIES = 4096;
const MAX_PAYLOAD = 2048;
/** hex digits of the signature kept for a first sighting: 28 bits, a small integer to V8 (no allocation) */
const SIGHTING_DIGITS = 7;

interface Entry {
  payload: string;
  id: string;
}

export class SignerCache {
  /** by signature (a signature practically never repeats over another payload; if it does, the payload comparison refuses the entry) */
  private readonly bySignature = new Map<string, Entry>();
  /** signatures seen once (their first SIGHTING_DIGITS hex digits); `older` is the previous generation */
  private sighted = new Set<number>();
  private older = new Set<number>();

  constructor(private readonly maxEntries = MAX_ENTRIES) {}

  /**
   * The signer id of (payload, signature), recovered by `recover` unless remembered: at once when
   * it is remembered or `recover` answers at once, else when `recover`'s promise settles.
   */
  signer(payload: string, signature: string, recover: (payload: string, signature: string) => string | Promise<string>): string | Promise<string> {
    const known = this.known(payload, signature);
    if (known !== undefined) return known;
    const id = recover(payload, signature);
    if (typeof id === 'string') {
      this.recovered(payload, signature, id);
      return id;
    }
    return id.then((v) => {
      this.recovered(payload, signature, v);
      return v;
    });
  }

  private known(payload: string, signature: string): string | undefined {
    if (payload.length > MAX_PAYLOAD) return undefined;
    const hit = this.bySignature.get(signature);
    if (hit === undefined || hit.payload !== payload) return undefined;
    // most recently used last: Map keeps insertion order
    this.bySignature.delete(signature);
    this.bySignature.set(signature, hit);
    return hit.id;
  }

  /** Remembers a successful recovery (from its second sighting on, see above). */
  private recovered(payload: string, signature: string, id: string): void {
    if (payload.length > MAX_PAYLOAD || this.firstSighting(signature)) return;
    this.bySignature.delete(signature);
    this.bySignature.set(signature, { payload, id });
    if (this.bySignature.size > this.maxEntries) this.bySignature.delete(this.bySignature.keys().next().value as string);
  }

  /**
   * True the first time a signature is seen (by its prefix; a prefix shared by chance only lets a
   * pair in one sighting early, and the payload is still compared on every hit).
   */
  private firstSighting(signature: string): boolean {
    const h = parseInt(signature.slice(0, SIGHTING_DIGITS), 16);
    if (this.sighted.has(h) || this.older.has(h)) return false;
    this.sighted.add(h);
    if (this.sighted.size >= this.maxEntries) {
      this.older = this.sighted;
      this.sighted = new Set();
    }
    return true;
  }

  get size(): number {
    return this.bySignature.size;
  }
}
