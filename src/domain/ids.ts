// Ids the server makes up itself (processes, functions, ...): 64 random lowercase hex chars,
// the same shape as Go's SHA3-256 of a random UUID (clients never derive them).
import { randomBytes } from 'node:crypto';

// Drawn from the CSPRNG in blocks: one call per 128 ids instead of one per id.
const ID_BYTES = 32;
const ID_BLOCK = 128;
let pool = Buffer.alloc(0);
let offset = 0;

export function randomId(): string {
  if (offset + ID_BYTES > pool.length) {
    pool = randomBytes(ID_BYTES * ID_BLOCK);
    offset = 0;
  }
  const id = pool.toString('hex', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}

/** Colony, executor and user ids are the ids of keys: exactly 64 characters (Go checks only the length). */
export function isKeyIdLength(id: string): boolean {
  return id.length === 64;
}
