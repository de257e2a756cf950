// Registry rows for ColonyFS file metadata (PROTOCOL §6.13, SEMANTICS §12).
// The server only catalogues files; clients move the bytes to and from S3 themselves.
import { badRequest, internal, notFound } from '../../protocol/errors.js';
import {
  getFileById,
  getFileData,
  getFileLabels,
  getFilesByName,
  insertFile,
  removeFileById,
  removeFilesByName,
} from '../../store/files.js';
import { member } from '../access.js';
import { rpc } from '../registry.js';

rpc('addfilemsg', {
  access: member((m) => {
    if (!m.file) throw badRequest('Failed to add file, msg.File is nil');
    return m.file.colonyname;
  }),
  async handle({ msg, srv }) {
    const f = msg.file!;
    return insertFile(srv.db, {
      colonyname: f.colonyname,
      label: f.label,
      name: f.name,
      size: f.size,
      checksum: f.checksum,
      checksumalg: f.checksumalg,
      ref: f.ref,
    });
  },
});

rpc('getfilemsg', {
  access: member((m) => m.colonyname),
  async handle({ msg, srv }) {
    if (msg.fileid !== '') {
      const file = await getFileById(srv.db, msg.colonyname, msg.fileid);
      // Go: an unknown id is a 400, an unknown name a 404 (same text)
      if (!file) throw badRequest('Failed to get file');
      return [file];
    }
    if (msg.label === '' || msg.name === '') throw internal('malformatted get file msg');
    const files = await getFilesByName(srv.db, msg.colonyname, msg.label, msg.name, msg.latest);
    if (files.length === 0) throw notFound('Failed to get file');
    return files;
  },
});

rpc('getfilesmsg', {
  access: member((m) => m.colonyname),
  // `[]` when empty, unlike most lists (OBJECTS §0)
  handle: async ({ msg, srv }) => getFileData(srv.db, msg.colonyname, msg.label),
});

rpc('getfilelabelsmsg', {
  access: member((m) => m.colonyname),
  async handle({ msg, srv }) {
    const labels = await getFileLabels(srv.db, msg.colonyname, msg.name, msg.exact);
    return labels.length > 0 ? labels : null;
  },
});

rpc('removefilemsg', {
  access: member((m) => m.colonyname),
  async handle({ msg, srv }) {
    if (msg.fileid !== '') await removeFileById(srv.db, msg.colonyname, msg.fileid);
    else if (msg.label !== '' && msg.name !== '') await removeFilesByName(srv.db, msg.colonyname, msg.label, msg.name);
    else throw badRequest('malformatted remove file msg');
  },
});
