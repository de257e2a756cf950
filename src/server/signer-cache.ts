// Who signed an envelope is a pure function of (payload, signature): signing is deterministic
// (RFC 6979), so a client that sends the same message again (an executor's assign long poll, a
// dashboard polling a process) sends the same signature again. Remembering the last few
// thousand successful recoveries spares the signature check (~60 µs of CPU, the biggest single
// cost of a small request) for those repeats. Only successes are kept, and only for payloads up
// to MAX_PAYLOAD characters, so the cache is small and a bad signature is always checked afresh.

const MAX_ENTRIES = 4096;
const MAX_PAYLOAD = 2048;

interface Entry {
  payload: string;
  id: string;
}

export class SignerCache {
  /** by signature (a signature practically never repeats over another payload; if it does, the payload comparison refuses the entry) */
  private readonly bySignature = new Map<string, Entry>();

  constructor(private readonly maxEntries = MAX_ENTRIES) {}

  /** The signer id of (payload, signature), recovered by `recover` unless remembered. */
  signer(payload: string, signature: string, recover: (payload: string, signature: string) => string): string {
    if (payload.length > MAX_PAYLOAD) return recover(payload, signature);
    const hit = this.bySignature.get(signature);
    if (hit !== undefined && hit.payload === payload) {
      // most recently used last: Map keeps insertion order
      this.bySignature.delete(signature);
      this.bySignature.set(signature, hit);
      return hit.id;
    }
    const id = recover(payload, signature);
    this.bySignature.delete(signature);
    this.bySignature.set(signature, { payload, id });
    if (this.bySignature.size > this.maxEntries) this.bySignature.delete(this.bySignature.keys().next().value as string);
    return id;
  }

  get size(): number {
    return this.bySignature.size;
  }
}
