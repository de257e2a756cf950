// The web dashboard, served from web/ by the server. Filled in by the dashboard work.
import type { IncomingMessage, ServerResponse } from 'node:http';

export function serveDashboard(_req: IncomingMessage, _res: ServerResponse): boolean {
  return false;
}
