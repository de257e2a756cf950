// Who signed an envelope is a pure function of (payload, signature): signing is deterministic
// (RFC 6979), so a client that sends the same message again (an executor's assign long poll, a
// dashboard polling a process) sends the same signature again. Remembering the last few
// thousand successful recoveries spares the signature check (~60 µs of CPU, the biggest single
// cost of a small request) for those repeats. Only successes are kept, and only for payloads up
// to MAX_PAYLOAD characters, so the cache is small and a bad signature is always checked afresh.

const MAX_ENTRIES = 4096;
const MAX_PAYLOAD = 2048;

export class SignerCache {
  private readonly ids = new Map<string, string>();

  constructor(private readonly maxEntries = MAX_ENTRIES) {}

  /** The signer id of (payload, signature), recovered by `recover` unless remembered. */
  signer(payload: string, signature: string, recover: (payload: string, signature: string) => string): string {
    if (payload.length > MAX_PAYLOAD) return recover(payload, signature);
    // the signature is fixed-length hex (checked by recover before anything is stored), so
    // signature + payload is an unambiguous key
    const key = signature + payload;
    const hit = this.ids.get(key);
    if (hit !== undefined) {
      // most recently used last: Map keeps insertion order
      this.ids.delete(key);
      this.ids.set(key, hit);
      return hit;
    }
    const id = recover(payload, signature);
    this.ids.set(key, id);
    if (this.ids.size > this.maxEntries) this.ids.delete(this.ids.keys().next().value as string);
    return id;
  }

  get size(): number {
    return this.ids.size;
  }
}
