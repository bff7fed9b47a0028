import type { AttachmentType, AttachmentView } from '../../shared/sync/channel-doc.ts';
import type { Queryable } from '../db/database.ts';
import { opaqueArray } from '../db/opaque-array.ts';
import { IntentRefusal } from '../intents/refusal.ts';

/** An upload as the send checks see it. */
export interface UploadRecord {
  id: string;
  uploaderId: string | null;
  messageId: string | null;
  removed: boolean;
  view: AttachmentView;
}

export interface AttachmentRow {
  id: string;
  uploader_id: string | null;
  message_id: string | null;
  removed_at: Date | null;
  filename: string;
  content_type: AttachmentType;
  byte_size: number;
  width: number | null;
  height: number | null;
}

const COLUMNS = [
  'id',
  'uploader_id',
  'message_id',
  'removed_at',
  'filename',
  'content_type',
  'byte_size',
  'width',
  'height',
];

/** The columns an AttachmentRow is read from, of `attachments` as `alias` when a query joins it. */
export const attachmentColumns = (alias?: string): string =>
  COLUMNS.map((c) => (alias ? `${alias}.${c}` : c)).join(', ');

/** The public description every replica gets (what `messages.attachments` holds, in the order sent). */
export function attachmentViewOf(row: AttachmentRow): AttachmentView {
  return {
    id: row.id,
    name: row.filename,
    type: row.content_type,
    size: row.byte_size,
    ...(row.width !== null && row.height !== null ? { width: row.width, height: row.height } : {}),
  };
}

/** The uploads a batch of sends names, read once for the whole batch (only when some send has files). */
export async function loadUploads(db: Queryable, ids: readonly string[]): Promise<Map<string, UploadRecord>> {
  const uploads = new Map<string, UploadRecord>();
  if (ids.length === 0) return uploads;
  const { rows } = await db.query<AttachmentRow>(
    `SELECT ${attachmentColumns()} FROM attachments WHERE id = ANY($1::uuid[])`,
    [[...new Set(ids)]],
  );
  for (const row of rows) {
    uploads.set(row.id, {
      id: row.id,
      uploaderId: row.uploader_id,
      messageId: row.message_id,
      removed: row.removed_at !== null,
      view: attachmentViewOf(row),
    });
  }
  return uploads;
}

/**
 * The files a send may carry: each one the sender's own upload that no message has yet, and not named
 * twice (by this send, or by an earlier accepted send of the same batch: `taken`). Refuses with a
 * sentence the member can act on; nothing is claimed here (the write does it, see claimUploadsSql).
 */
export function pickUploads(
  senderId: string,
  ids: readonly string[],
  uploads: ReadonlyMap<string, UploadRecord>,
  taken: ReadonlySet<string>,
): AttachmentView[] {
  const views: AttachmentView[] = [];
  for (const [i, id] of ids.entries()) {
    const upload = uploads.get(id);
    if (!upload || upload.removed || upload.uploaderId !== senderId) {
      throw new IntentRefusal('attachment_missing', 'One of the files is no longer available; attach it again.');
    }
    if (upload.messageId !== null || taken.has(id) || ids.indexOf(id) !== i) {
      throw new IntentRefusal('attachment_used', 'One of the files is already on another message; attach it again.');
    }
    views.push(upload.view);
  }
  return views;
}

/**
 * A CTE claiming uploads for their messages, given the parameter numbers of three parallel arrays
 * (attachment ids, message ids, uploader ids). The claim holds only for an upload still unclaimed and
 * not removed, so two sends racing for one file cannot both get it: the write checks the count
 * (`claimedCount` rows) and refuses the send that lost.
 */
export function claimUploadsCte(ids: `$${number}`, messages: `$${number}`, uploaders: `$${number}`): string {
  return `claimed AS (
       UPDATE attachments a SET message_id = v.m
         FROM unnest(${opaqueArray(ids, 'uuid[]')}, ${opaqueArray(messages, 'uuid[]')}, ${opaqueArray(uploaders, 'uuid[]')}) AS v(id, m, u)
        WHERE a.id = v.id AND a.uploader_id = v.u AND a.message_id IS NULL AND a.removed_at IS NULL
       RETURNING a.id)`;
}

/** What a send claims: one row per file, in parallel arrays for claimUploadsCte. */
export function claimRows(
  sends: ReadonlyArray<{ messageId: string; senderId: string; attachments: readonly AttachmentView[] }>,
): [string[], string[], string[]] {
  const rows = sends.flatMap((s) => s.attachments.map((a) => [a.id, s.messageId, s.senderId] as const));
  return [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])];
}

/** A claim that got fewer rows than files: another send took one first (a retry racing its original). */
export function ensureAllClaimed(expected: number, claimed: number): void {
  if (claimed !== expected) {
    throw new IntentRefusal('attachment_used', 'One of the files is already on another message; attach it again.');
  }
}

/** A deleted message's files can no longer be fetched; the sweep deletes their bytes. */
export async function removeMessageAttachments(tx: Queryable, messageId: string): Promise<void> {
  await tx.query(`UPDATE attachments SET removed_at = now() WHERE message_id = $1 AND removed_at IS NULL`, [messageId]);
}
