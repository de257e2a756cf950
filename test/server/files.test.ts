/**
 * ColonyFS file metadata: addfilemsg, getfilemsg, getfilesmsg, getfilelabelsmsg, removefilemsg
 * (PROTOCOL §6.13, SEMANTICS §12, observed Go replies in test/vectors/observed-go-server.json).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKey, setupColony, startTestServer, type Cast, type Key, type TestServer } from '../helpers/server.js';

let t: TestServer;
let c: Cast;
let other: Cast;
const stranger = newKey();

const s3 = (object: string) => ({
  protocol: 's3',
  s3object: {
    server: 'minio',
    port: 9000,
    tls: false,
    accesskey: 'ak',
    secretkey: 'sk',
    region: 'eu',
    encryptionkey: 'ek',
    encryptionalg: 'aes',
    object,
    bucket: 'b',
  },
});

function addFile(label: string, name: string, object: string, opts: { colony?: string; key?: Key; checksum?: string } = {}) {
  return t.call(
    'addfilemsg',
    {
      file: {
        colonyname: opts.colony ?? c.colonyName,
        label,
        name,
        size: 3,
        checksum: opts.checksum ?? object,
        checksumalg: 'SHA256',
        ref: s3(object),
      },
    },
    opts.key ?? c.executor,
  );
}

const labels = (name = '', exact = false, colony = c.colonyName) =>
  t.call('getfilelabelsmsg', { colonyname: colony, name, exact }, c.user);

beforeAll(async () => {
  t = await startTestServer();
  c = await setupColony(t, 'fs');
  other = await setupColony(t, 'fs-other');
});
afterAll(async () => {
  await t?.close();
});

describe('addfilemsg', () => {
  it('stores a revision with a generated id, a global sequence number and added = now', async () => {
    const before = Date.now();
    const a = await addFile('/add', 'a.txt', 'o1');
    expect(a).toMatchObject({ colonyname: 'fs', label: '/add', name: 'a.txt', size: 3, checksum: 'o1', checksumalg: 'SHA256', ref: s3('o1') });
    expect(a.fileid).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(a.added)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(a.added)).toBeLessThanOrEqual(Date.now() + 1000);
    // one counter for the whole server: other colonies' files take numbers too
    const b = await addFile('/add', 'b.txt', 'o2', { colony: other.colonyName, key: other.user });
    const a2 = await addFile('/add', 'a.txt', 'o3', { key: c.user });
    expect(b.sequencenr).toBeGreaterThan(a.sequencenr);
    expect(a2.sequencenr).toBeGreaterThan(b.sequencenr);
    expect(a2.fileid).not.toBe(a.fileid);
  });

  it('ignores a client-chosen id and sequence number and keeps int64 sizes exact', async () => {
    const f = await t.call(
      'addfilemsg',
      {
        file: { fileid: 'mine', sequencenr: 1, colonyname: 'fs', label: '/big', name: 'huge.bin', size: 9007199254740993n, ref: s3('h') },
      },
      c.executor,
    );
    expect(f.fileid).not.toBe('mine');
    expect(f.sequencenr).toBeGreaterThan(1);
    expect(f.size).toBe(9007199254740993n);
    const [got] = await t.call('getfilemsg', { colonyname: 'fs', fileid: f.fileid }, c.user);
    expect(got.size).toBe(9007199254740993n);
  });

  it('refuses a missing file, non-members and the colony owner, storing nothing', async () => {
    const before = await labels('/refused');
    expect(await t.fail('addfilemsg', { file: null }, c.executor)).toEqual({ status: 400, message: 'Failed to add file, msg.File is nil' });
    const file = { colonyname: 'fs', label: '/refused', name: 'x', ref: s3('x') };
    expect(await t.fail('addfilemsg', { file }, stranger)).toEqual({
      status: 403,
      message: 'Access denied, not a member of Colony with name <fs>',
    });
    // the colony owner is not a member (PROTOCOL §5)
    expect((await t.fail('addfilemsg', { file }, c.owner)).status).toBe(403);
    expect(await t.fail('addfilemsg', { file: { ...file, colonyname: 'nope' } }, c.executor)).toEqual({
      status: 403,
      message: 'Colony with name <nope> does not exists',
    });
    expect(before).toBeNull();
    expect(await labels('/refused')).toBeNull();
  });
});

describe('getfilemsg', () => {
  let r1: any;
  let r2: any;
  beforeAll(async () => {
    r1 = await addFile('/get', 'f.txt', 'g1');
    r2 = await addFile('/get', 'f.txt', 'g2');
  });

  it('by id returns a one-element list', async () => {
    expect(await t.call('getfilemsg', { colonyname: 'fs', fileid: r1.fileid }, c.user)).toEqual([r1]);
  });

  it('by label and name returns all revisions newest first, or only the newest', async () => {
    expect(await t.call('getfilemsg', { colonyname: 'fs', label: '/get', name: 'f.txt', latest: false }, c.user)).toEqual([r2, r1]);
    expect(await t.call('getfilemsg', { colonyname: 'fs', label: '/get', name: 'f.txt', latest: true }, c.user)).toEqual([r2]);
  });

  it('unknown id → 400, unknown name → 404, neither → 500 (as Go)', async () => {
    expect(await t.fail('getfilemsg', { colonyname: 'fs', fileid: 'nope' }, c.user)).toEqual({ status: 400, message: 'Failed to get file' });
    expect(await t.fail('getfilemsg', { colonyname: 'fs', label: '/get', name: 'nope' }, c.user)).toEqual({
      status: 404,
      message: 'Failed to get file',
    });
    expect(await t.fail('getfilemsg', { colonyname: 'fs' }, c.user)).toEqual({ status: 500, message: 'malformatted get file msg' });
    expect(await t.fail('getfilemsg', { colonyname: 'fs', label: '/get' }, c.user)).toEqual({
      status: 500,
      message: 'malformatted get file msg',
    });
  });

  it('never returns another colony’s file, and refuses non-members', async () => {
    expect((await t.fail('getfilemsg', { colonyname: 'fs-other', fileid: r1.fileid }, other.user)).status).toBe(400);
    expect((await t.fail('getfilemsg', { colonyname: 'fs', fileid: r1.fileid }, other.user)).status).toBe(403);
    expect((await t.fail('getfilemsg', { colonyname: 'fs', fileid: r1.fileid }, stranger)).status).toBe(403);
  });
});

describe('getfilesmsg', () => {
  it('lists the newest revision of each name with exactly that label', async () => {
    await addFile('/list', 'a.txt', 'l1', { checksum: 'c1' });
    await addFile('/list', 'a.txt', 'l2', { checksum: 'c2' });
    await addFile('/list', 'b.txt', 'l3', { checksum: 'c3' });
    await addFile('/list/sub', 'c.txt', 'l4');
    expect(await t.call('getfilesmsg', { colonyname: 'fs', label: '/list' }, c.user)).toEqual([
      { name: 'a.txt', checksum: 'c2', size: 3, s3filename: 'l2' },
      { name: 'b.txt', checksum: 'c3', size: 3, s3filename: 'l3' },
    ]);
  });

  it('answers [] (not null) for an empty label, as Go', async () => {
    expect(await t.call('getfilesmsg', { colonyname: 'fs', label: '/none' }, c.user)).toEqual([]);
  });

  it('refuses non-members', async () => {
    expect(await t.fail('getfilesmsg', { colonyname: 'fs', label: '/list' }, stranger)).toEqual({
      status: 403,
      message: 'Access denied, not a member of Colony with name <fs>',
    });
  });
});

describe('getfilelabelsmsg', () => {
  beforeAll(async () => {
    await addFile('/lab', 'a', 'x');
    await addFile('/lab', 'a', 'x');
    await addFile('/lab/sub', 'b', 'x');
    await addFile('/label_x', 'c', 'x');
    await addFile('/nofiles/deep', 'd', 'x');
  });

  it('lists every label with its number of file rows (all revisions)', async () => {
    const all: { name: string; files: number }[] = await labels();
    expect(all).toEqual(expect.arrayContaining([{ name: '/lab', files: 2 }, { name: '/lab/sub', files: 1 }, { name: '/label_x', files: 1 }]));
    expect(all.every((l) => l.files > 0)).toBe(true);
  });

  it('name without exact: labels starting with name (a literal prefix)', async () => {
    expect(await labels('/lab')).toEqual([
      { name: '/lab', files: 2 },
      { name: '/lab/sub', files: 1 },
      { name: '/label_x', files: 1 },
    ]);
    // `_` is not a wildcard
    expect(await labels('/lab_')).toBeNull();
  });

  it('exact: the label itself and labels under it, nothing if the label itself has no files (Go quirk)', async () => {
    expect(await labels('/lab', true)).toEqual([
      { name: '/lab', files: 2 },
      { name: '/lab/sub', files: 1 },
    ]);
    expect(await labels('/nofiles', true)).toBeNull();
    expect(await labels('/nofiles', false)).toEqual([{ name: '/nofiles/deep', files: 1 }]);
  });

  it('null for a colony without files, and refuses non-members', async () => {
    const empty = await setupColony(t, 'fs-empty');
    expect(await t.call('getfilelabelsmsg', { colonyname: 'fs-empty', name: '', exact: false }, empty.user)).toBeNull();
    expect((await t.fail('getfilelabelsmsg', { colonyname: 'fs', name: '' }, stranger)).status).toBe(403);
  });
});

describe('removefilemsg', () => {
  it('by id removes that revision only', async () => {
    const r1 = await addFile('/rm', 'f', 'r1');
    const r2 = await addFile('/rm', 'f', 'r2');
    expect(await t.call('removefilemsg', { colonyname: 'fs', fileid: r1.fileid }, c.user)).toEqual({});
    expect(await t.call('getfilemsg', { colonyname: 'fs', label: '/rm', name: 'f' }, c.user)).toEqual([r2]);
  });

  it('by label and name removes every revision', async () => {
    await addFile('/rm2', 'f', 'a');
    await addFile('/rm2', 'f', 'b');
    const keep = await addFile('/rm2', 'g', 'c');
    await t.call('removefilemsg', { colonyname: 'fs', label: '/rm2', name: 'f' }, c.executor);
    expect((await t.fail('getfilemsg', { colonyname: 'fs', label: '/rm2', name: 'f' }, c.user)).status).toBe(404);
    expect(await t.call('getfilemsg', { colonyname: 'fs', label: '/rm2', name: 'g' }, c.user)).toEqual([keep]);
  });

  it('refuses a malformed message and non-members, removing nothing', async () => {
    const f = await addFile('/rm3', 'f', 'a');
    expect(await t.fail('removefilemsg', { colonyname: 'fs', label: '/rm3' }, c.user)).toEqual({
      status: 400,
      message: 'malformatted remove file msg',
    });
    expect((await t.fail('removefilemsg', { colonyname: 'fs', fileid: f.fileid }, stranger)).status).toBe(403);
    expect((await t.fail('removefilemsg', { colonyname: 'fs', label: '/rm3', name: 'f' }, other.user)).status).toBe(403);
    // another colony's id does not reach this colony's file
    await t.call('removefilemsg', { colonyname: 'fs-other', fileid: f.fileid }, other.user);
    expect(await t.call('getfilemsg', { colonyname: 'fs', fileid: f.fileid }, c.user)).toEqual([f]);
  });
});
