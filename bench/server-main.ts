// Minimal server entry for the bench runner (used when the CLI's `server start` is not built):
// configuration from the usual COLONIES_* environment, clean exit on SIGINT/SIGTERM so that
// `node --cpu-prof` writes its profile.
import { configFromEnv } from '../src/server/config.js';
import { startServer } from '../src/server/server.js';

const server = await startServer(configFromEnv());
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void server.close().finally(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
