import { sql as core } from './001_core.js';

/** Ordered migrations; a migration is never edited once released, only appended to. */
export const migrations: { version: number; name: string; sql: string }[] = [
  { version: 1, name: 'core', sql: core },
];
