// Ids the server makes up itself (processes, functions, ...): 64 random lowercase hex chars,
// the same shape as Go's SHA3-256 of a random UUID (clients never derive them).
import { randomBytes } from 'node:crypto';

export function randomId(): string {
  return randomBytes(32).toString('hex');
}

/** Colony, executor and user ids are the ids of keys: exactly 64 characters (Go checks only the length). */
export function isKeyIdLength(id: string): boolean {
  return id.length === 64;
}
