// SQL for locations (PROTOCOL §6.5).
import type { Location } from '../protocol/objects.js';
import type { Queryable } from './db.js';

const COLUMNS = 'locationid, name, colonyname, description, long, lat';

const toLocation = (r: Location): Location => ({
  locationid: r.locationid,
  name: r.name,
  colonyname: r.colonyname,
  description: r.description,
  long: Number(r.long),
  lat: Number(r.lat),
});

export async function getLocation(q: Queryable, colonyname: string, name: string): Promise<Location | null> {
  const rows = await q.query<Location>(`SELECT ${COLUMNS} FROM locations WHERE colonyname = $1 AND name = $2`, [colonyname, name]);
  return rows[0] ? toLocation(rows[0]) : null;
}

export async function listLocations(q: Queryable, colonyname: string): Promise<Location[]> {
  const rows = await q.query<Location>(`SELECT ${COLUMNS} FROM locations WHERE colonyname = $1 ORDER BY seq`, [colonyname]);
  return rows.map(toLocation);
}

/** Returns false when the name is already taken in the colony. */
export async function insertLocation(q: Queryable, l: Location): Promise<boolean> {
  const rows = await q.query(
    `INSERT INTO locations (locationid, name, colonyname, description, long, lat) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (colonyname, name) DO NOTHING RETURNING name`,
    [l.locationid, l.name, l.colonyname, l.description, l.long, l.lat],
  );
  return rows.length === 1;
}

export async function removeLocation(q: Queryable, colonyname: string, name: string): Promise<boolean> {
  const rows = await q.query('DELETE FROM locations WHERE colonyname = $1 AND name = $2 RETURNING name', [colonyname, name]);
  return rows.length === 1;
}
