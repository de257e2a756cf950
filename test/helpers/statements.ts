// Watching the statements a server sends: how many of a kind, how many at once, and holding
// the first one back so that the requests arriving meanwhile are sure to queue behind it (the
// grouping tests would otherwise depend on how fast the database answers the first one).
import type { Db } from '../../src/store/db.js';
import { sleep } from './workflow.js';

export interface StatementWatch {
  /** statements of the kind sent so far */
  readonly count: number;
  /** most statements of the kind in the database at once */
  readonly most: number;
  /** puts the database's own `query` back */
  restore(): void;
}

/** Watches the statements for which `kind(sql)` holds; the first one waits `holdFirstMs` before it goes. */
export function watchStatements(db: Db, kind: (sql: string) => boolean, holdFirstMs = 0): StatementWatch {
  const query = db.query;
  let count = 0;
  let most = 0;
  let inFlight = 0;
  db.query = (async (sql: string, params?: unknown[]) => {
    if (!kind(sql)) return query.call(db, sql, params);
    const first = count === 0;
    count++;
    most = Math.max(most, ++inFlight);
    try {
      if (first && holdFirstMs > 0) await sleep(holdFirstMs);
      return await query.call(db, sql, params);
    } finally {
      inFlight--;
    }
  }) as typeof query;
  return {
    get count() {
      return count;
    },
    get most() {
      return most;
    },
    restore: () => {
      db.query = query;
    },
  };
}
