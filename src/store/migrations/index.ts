import { sql as core } from './001_core.js';
import { sql as workflows } from './002_workflows.js';
import { sql as channels } from './003_channels.js';
import { sql as filesBlueprints } from './004_files_blueprints.js';
import { sql as processIndexes } from './005_process_indexes.js';
import { sql as processCountRollups } from './006_process_count_rollups.js';
import { sql as graphCountRollups } from './007_graph_count_rollups.js';

/** Ordered migrations; a migration is never edited once released, only appended to. */
export const migrations: { version: number; name: string; sql: string }[] = [
  { version: 1, name: 'core', sql: core },
  { version: 2, name: 'workflows', sql: workflows },
  { version: 3, name: 'channels', sql: channels },
  { version: 4, name: 'files_blueprints', sql: filesBlueprints },
  { version: 5, name: 'process_indexes', sql: processIndexes },
  { version: 6, name: 'process_count_rollups', sql: processCountRollups },
  { version: 7, name: 'graph_count_rollups', sql: graphCountRollups },
];
