// SQL for users (PROTOCOL §6.4, SEMANTICS §14).
import type { User } from '../protocol/objects.js';
import type { Queryable } from './db.js';

const COLUMNS = 'colonyname, userid, name, email, phone';

const toUser = (r: User): User => ({ colonyname: r.colonyname, userid: r.userid, name: r.name, email: r.email, phone: r.phone });

export async function getUserByName(q: Queryable, colonyname: string, name: string): Promise<User | null> {
  const rows = await q.query<User>(`SELECT ${COLUMNS} FROM users WHERE colonyname = $1 AND name = $2`, [colonyname, name]);
  return rows[0] ? toUser(rows[0]) : null;
}

export async function getUserById(q: Queryable, colonyname: string, userid: string): Promise<User | null> {
  const rows = await q.query<User>(`SELECT ${COLUMNS} FROM users WHERE colonyname = $1 AND userid = $2`, [colonyname, userid]);
  return rows[0] ? toUser(rows[0]) : null;
}

export async function listUsers(q: Queryable, colonyname: string): Promise<User[]> {
  const rows = await q.query<User>(`SELECT ${COLUMNS} FROM users WHERE colonyname = $1 ORDER BY seq`, [colonyname]);
  return rows.map(toUser);
}

/** Returns false when the name or the id is already registered in the colony. */
export async function insertUser(q: Queryable, u: User): Promise<boolean> {
  const rows = await q.query(
    `INSERT INTO users (colonyname, userid, name, email, phone) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING RETURNING name`,
    [u.colonyname, u.userid, u.name, u.email, u.phone],
  );
  return rows.length === 1;
}

export async function removeUser(q: Queryable, colonyname: string, name: string): Promise<boolean> {
  const rows = await q.query('DELETE FROM users WHERE colonyname = $1 AND name = $2 RETURNING name', [colonyname, name]);
  return rows.length === 1;
}

/** Returns false when newId is already taken in the colony. */
export async function changeUserId(q: Queryable, colonyname: string, oldId: string, newId: string): Promise<boolean> {
  const rows = await q.query(
    `UPDATE users SET userid = $3 WHERE colonyname = $1 AND userid = $2
       AND NOT EXISTS (SELECT 1 FROM users WHERE colonyname = $1 AND userid = $3)
     RETURNING name`,
    [colonyname, oldId, newId],
  );
  return rows.length === 1;
}
