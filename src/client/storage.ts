// CFS file/snapshot metadata and process channels (PROTOCOL.md §6.13, §6.14).
import type * as O from '../protocol/objects.js';
import { base64ToUtf8, bytesToBase64, utf8ToBase64 } from '../protocol/wire.js';
import { WorkflowClient } from './workflows.js';
import type { File, FileData, Input, Label, MsgEntry, Snapshot } from './types.js';

export type FileInput = Input<O.File> & { colonyname: string; label: string; name: string };

/** A file by id, or the revisions of a file by label + name. */
export type FileRef = { fileId: string } | { label: string; name: string };

/** A snapshot by id or by name. */
export type SnapshotRef = { snapshotId: string } | { name: string };

export interface ChannelAppendOptions {
  /** sequence number of the message this one answers */
  inReplyTo?: number | bigint;
  /** "" (data, default), "end" or "error" */
  type?: '' | 'data' | 'end' | 'error';
}

export class StorageClient extends WorkflowClient {
  // §6.13 Files -------------------------------------------------------------------------

  /** Records a file's metadata (the bytes live in S3; the server never sees them). */
  addFile(file: FileInput, prvKey?: string): Promise<File> {
    return this.call('addfilemsg', { file }, prvKey);
  }

  /** A file by id (one element), or all revisions of label+name newest first (`latest`: only the newest). */
  getFile(colonyName: string, ref: FileRef, latest = false, prvKey?: string): Promise<File[]> {
    const by = 'fileId' in ref ? { fileid: ref.fileId, label: '', name: '' } : { fileid: '', label: ref.label, name: ref.name };
    return this.list('getfilemsg', { colonyname: colonyName, ...by, latest }, prvKey);
  }

  /** Newest revision of every file with exactly this label. */
  getFiles(colonyName: string, label: string, prvKey?: string): Promise<FileData[]> {
    return this.list('getfilesmsg', { colonyname: colonyName, label }, prvKey);
  }

  /** Labels (optionally starting with `name`, or `name` and below with `exact`) and their file counts. */
  getFileLabels(colonyName: string, name = '', exact = false, prvKey?: string): Promise<Label[]> {
    return this.list('getfilelabelsmsg', { colonyname: colonyName, name, exact }, prvKey);
  }

  /** Removes a file by id, or every revision of label+name. */
  removeFile(colonyName: string, ref: FileRef, prvKey?: string): Promise<void> {
    const by = 'fileId' in ref ? { fileid: ref.fileId, label: '', name: '' } : { fileid: '', label: ref.label, name: ref.name };
    return this.done('removefilemsg', { colonyname: colonyName, ...by }, prvKey);
  }

  // §6.13 Snapshots ---------------------------------------------------------------------

  /** Captures the newest revision of every file under `label` as snapshot `name`. */
  createSnapshot(colonyName: string, label: string, name: string, prvKey?: string): Promise<Snapshot> {
    return this.call('createsnapshotmsg', { colonyname: colonyName, label, name }, prvKey);
  }

  getSnapshot(colonyName: string, ref: SnapshotRef, prvKey?: string): Promise<Snapshot> {
    const by = 'snapshotId' in ref ? { snapshotid: ref.snapshotId, name: '' } : { snapshotid: '', name: ref.name };
    return this.call('getsnapshotmsg', { colonyname: colonyName, ...by }, prvKey);
  }

  getSnapshots(colonyName: string, prvKey?: string): Promise<Snapshot[]> {
    return this.list('getsnapshotsmsg', { colonyname: colonyName }, prvKey);
  }

  removeSnapshot(colonyName: string, ref: SnapshotRef, prvKey?: string): Promise<void> {
    const by = 'snapshotId' in ref ? { snapshotid: ref.snapshotId, name: '' } : { snapshotid: '', name: ref.name };
    return this.done('removesnapshotmsg', { colonyname: colonyName, ...by }, prvKey);
  }

  removeAllSnapshots(colonyName: string, prvKey?: string): Promise<void> {
    return this.done('removeallsnapshotmsg', { colonyname: colonyName }, prvKey);
  }

  // §6.14 Channels ----------------------------------------------------------------------

  /**
   * Appends a message to a process channel (the process initiator or its assigned executor).
   * `sequence` is chosen by the sender and orders its own messages.
   */
  channelAppend(processId: string, name: string, sequence: number | bigint, payload: string | Uint8Array, opts: ChannelAppendOptions = {}, prvKey?: string): Promise<void> {
    const b64 = typeof payload === 'string' ? utf8ToBase64(payload) : bytesToBase64(payload);
    const type = opts.type === 'data' ? '' : (opts.type ?? '');
    // payload goes out as Go's []byte (base64 text); buildRequest writes strings verbatim.
    return this.done(
      'channelappendmsg',
      { processid: processId, name, sequence, inreplyto: opts.inReplyTo || undefined, payload: b64 as never, payloadtype: type || undefined },
      prvKey,
    );
  }

  /** Entries of a channel from index `afterSeq` on (an index into the log, not a sequence), at most `limit` (0 = all). */
  channelRead(processId: string, name: string, afterSeq: number | bigint = 0, limit = 0, prvKey?: string): Promise<MsgEntry[]> {
    return this.list('channelreadmsg', { processid: processId, name, afterseq: afterSeq, limit }, prvKey);
  }
}

/** The UTF-8 text of a channel entry's base64 payload. */
export function entryText(entry: Pick<MsgEntry, 'payload'>): string {
  return typeof entry.payload === 'string' ? (base64ToUtf8(entry.payload) ?? '') : '';
}
