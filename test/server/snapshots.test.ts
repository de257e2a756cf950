/**
 * ColonyFS snapshots: createsnapshotmsg, getsnapshotmsg, getsnapshotsmsg, removesnapshotmsg,
 * removeallsnapshotmsg (PROTOCOL §6.13, SEMANTICS §12, observed Go replies).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKey, setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';

let t: TestServer;
let c: Cast;
let other: Cast;
const stranger = newKey();

function addFile(label: string, name: string, colony = 'snap') {
  return t.call(
    'addfilemsg',
    { file: { colonyname: colony, label, name, size: 1, checksum: 'x', checksumalg: 'SHA256', ref: { protocol: 's3', s3object: { object: name } } } },
    colony === 'snap' ? c.executor : other.executor,
  );
}

const snapshots = (colony = 'snap') => t.call('getsnapshotsmsg', { colonyname: colony }, colony === 'snap' ? c.user : other.user);

beforeAll(async () => {
  t = await startTestServer();
  c = await setupColony(t, 'snap');
  other = await setupColony(t, 'snap-other');
});
afterAll(async () => {
  await t?.close();
});

describe('createsnapshotmsg', () => {
  let a2: any;
  let b: any;
  beforeAll(async () => {
    await addFile('/data', 'a.txt');
    a2 = await addFile('/data', 'a.txt');
    b = await addFile('/data/sub', 'b.txt');
    await addFile('/database', 'not-below.txt');
  });

  it('captures the newest revision of every file in the label and below; a trailing / is stripped', async () => {
    const before = Date.now();
    const s = await t.call('createsnapshotmsg', { colonyname: 'snap', label: '/data/', name: 's1' }, c.executor);
    expect(s).toMatchObject({ colonyname: 'snap', label: '/data', name: 's1' });
    expect(s.snapshotid).toMatch(/^[0-9a-f]{64}$/);
    expect([...s.fileids].sort()).toEqual([a2.fileid, b.fileid].sort());
    expect(Date.parse(s.added)).toBeGreaterThanOrEqual(before - 1000);
    // later revisions do not change a snapshot
    await addFile('/data', 'a.txt');
    expect(await t.call('getsnapshotmsg', { colonyname: 'snap', name: 's1' }, c.user)).toEqual(s);
  });

  it('captures nothing (fileids null) when the label itself has no files, as Go', async () => {
    const s = await t.call('createsnapshotmsg', { colonyname: 'snap', label: '/da', name: 'empty' }, c.user);
    expect(s.fileids).toBeNull();
  });

  it('refuses a duplicate name with 500 (as Go) and non-members with 403, creating nothing', async () => {
    const before = await snapshots();
    expect(await t.fail('createsnapshotmsg', { colonyname: 'snap', label: '/data', name: 's1' }, c.user)).toEqual({
      status: 500,
      message: 'Snapshot with name <s1> in Colony <snap> already exists',
    });
    expect(await t.fail('createsnapshotmsg', { colonyname: 'snap', label: '/data', name: 's9' }, stranger)).toEqual({
      status: 403,
      message: 'Access denied, not a member of Colony with name <snap>',
    });
    expect((await t.fail('createsnapshotmsg', { colonyname: 'snap', label: '/data', name: 's9' }, c.owner)).status).toBe(403);
    expect(await snapshots()).toEqual(before);
  });

  it('names are unique per colony, not globally', async () => {
    await addFile('/data', 'o.txt', 'snap-other');
    const s = await t.call('createsnapshotmsg', { colonyname: 'snap-other', label: '/data', name: 's1' }, other.user);
    expect(s.fileids).toHaveLength(1);
  });
});

describe('getsnapshotmsg / getsnapshotsmsg', () => {
  it('gets by id or by name', async () => {
    const s = await t.call('createsnapshotmsg', { colonyname: 'snap', label: '/data', name: 'g1' }, c.user);
    expect(await t.call('getsnapshotmsg', { colonyname: 'snap', snapshotid: s.snapshotid }, c.user)).toEqual(s);
    expect(await t.call('getsnapshotmsg', { colonyname: 'snap', snapshotid: '', name: 'g1' }, c.executor)).toEqual(s);
  });

  it('missing → 500 with Go’s texts; neither id nor name → 500', async () => {
    expect(await t.fail('getsnapshotmsg', { colonyname: 'snap', snapshotid: '', name: 'nope' }, c.user)).toEqual({
      status: 500,
      message: 'Snapshot not found with name <nope> in Colony <snap> does not exists',
    });
    expect(await t.fail('getsnapshotmsg', { colonyname: 'snap', snapshotid: 'abc' }, c.user)).toEqual({
      status: 500,
      message: 'Snapshot not found with Id <abc> in Colony <snap> does not exists',
    });
    expect(await t.fail('getsnapshotmsg', { colonyname: 'snap' }, c.user)).toEqual({
      status: 500,
      message: 'Failed to get snapshot, malformatted msg',
    });
  });

  it('does not reach into another colony, and refuses non-members', async () => {
    const mine = await t.call('getsnapshotmsg', { colonyname: 'snap', name: 's1' }, c.user);
    expect((await t.fail('getsnapshotmsg', { colonyname: 'snap-other', snapshotid: mine.snapshotid }, other.user)).status).toBe(500);
    expect((await t.fail('getsnapshotmsg', { colonyname: 'snap', name: 's1' }, stranger)).status).toBe(403);
    expect((await t.fail('getsnapshotsmsg', { colonyname: 'snap' }, other.user)).status).toBe(403);
  });

  it('lists newest first; null when the colony has none', async () => {
    const list: any[] = await snapshots();
    const added = list.map((s) => Date.parse(s.added));
    expect(added).toEqual([...added].sort((x, y) => y - x));
    expect(list[0].name).toBe('g1');
    const empty = await setupColony(t, 'snap-empty');
    expect(await t.call('getsnapshotsmsg', { colonyname: 'snap-empty' }, empty.user)).toBeNull();
  });
});

describe('removesnapshotmsg / removeallsnapshotmsg', () => {
  it('removes by id and by name; an unknown snapshot is not an error (as Go)', async () => {
    const r1 = await t.call('createsnapshotmsg', { colonyname: 'snap', label: '/data', name: 'r1' }, c.user);
    await t.call('createsnapshotmsg', { colonyname: 'snap', label: '/data', name: 'r2' }, c.user);
    expect(await t.call('removesnapshotmsg', { colonyname: 'snap', snapshotid: r1.snapshotid }, c.user)).toEqual({});
    expect(await t.call('removesnapshotmsg', { colonyname: 'snap', name: 'r2' }, c.executor)).toEqual({});
    expect(await t.call('removesnapshotmsg', { colonyname: 'snap', name: 'never' }, c.user)).toEqual({});
    const names = ((await snapshots()) as any[]).map((s) => s.name);
    expect(names).not.toContain('r1');
    expect(names).not.toContain('r2');
  });

  it('refuses a malformed message and non-members, removing nothing', async () => {
    const before = await snapshots();
    expect(await t.fail('removesnapshotmsg', { colonyname: 'snap' }, c.user)).toEqual({
      status: 500,
      message: 'Failed to remove snapshot, malformatted msg',
    });
    expect((await t.fail('removesnapshotmsg', { colonyname: 'snap', name: 's1' }, stranger)).status).toBe(403);
    expect((await t.fail('removeallsnapshotmsg', { colonyname: 'snap' }, other.user)).status).toBe(403);
    expect((await t.fail('removeallsnapshotmsg', { colonyname: 'snap' }, c.owner)).status).toBe(403);
    // another colony's id or name does not reach this colony's snapshot
    const s1 = await t.call('getsnapshotmsg', { colonyname: 'snap', name: 's1' }, c.user);
    await t.call('removesnapshotmsg', { colonyname: 'snap-other', snapshotid: s1.snapshotid }, other.user);
    expect(await snapshots()).toEqual(before);
  });

  it('removeall removes every snapshot of the colony only; file metadata stays', async () => {
    expect(await t.call('removeallsnapshotmsg', { colonyname: 'snap' }, c.user)).toEqual({});
    expect(await snapshots()).toBeNull();
    expect(await snapshots('snap-other')).toHaveLength(1);
    expect(await t.call('getfilesmsg', { colonyname: 'snap', label: '/data' }, c.user)).toHaveLength(1);
  });
});
