import type { Logger } from 'pino';
import { firstLink } from '../../shared/markdown/message-markdown.ts';
import type { ChannelChange, LinkPreview } from '../../shared/sync/channel-doc.ts';
import type { Database } from '../../sync-server/db/database.ts';
import { loadMessageView } from '../../sync-server/intents/message-view.ts';
import { appendChange } from '../../sync-server/sync/change-log.ts';
import type { JobData } from '../job-queue.ts';

export interface UnfurlDeps {
  db: Database;
  logger: Logger;
  /** Reads the page behind an address (fetch-page + read-preview in production). */
  preview: (url: string) => Promise<LinkPreview | null>;
  onChanges: (changes: ChannelChange[]) => Promise<void>;
}

/** A page read less than a day ago is not read again for another message. */
const CACHE_SQL = `SELECT preview FROM link_previews WHERE url = $1 AND fetched_at > now() - interval '1 day'`;

/**
 * Gives a new or edited message the card of its first web address: the page is read once a day whatever
 * the number of messages linking it (`link_previews`), a page that cannot be read gives no card, and the
 * card reaches every replica as a change of the message. An edit that removed the link removes the card;
 * a message hidden, deleted or edited again meanwhile is left alone (the edit schedules its own run).
 */
export async function unfurlMessage(deps: UnfurlDeps, data: JobData<'unfurl-message'>): Promise<{ preview: boolean }> {
  const { rows } = await deps.db.query<{
    body: string;
    channel_id: string;
    is_hidden: boolean;
    is_deleted: boolean;
    link_preview: LinkPreview | null;
  }>('SELECT body, channel_id, is_hidden, is_deleted, link_preview FROM messages WHERE id = $1', [data.messageId]);
  const message = rows[0];
  if (!message || message.is_hidden || message.is_deleted) return { preview: false };
  const url = firstLink(message.body);
  if (url && message.link_preview?.url === url) return { preview: true };
  let preview: LinkPreview | null = null;
  if (url) {
    const cached = await deps.db.query<{ preview: LinkPreview | null }>(CACHE_SQL, [url]);
    if (cached.rows[0]) preview = cached.rows[0].preview;
    else {
      preview = await deps.preview(url).catch((err: unknown) => {
        deps.logger.info({ url, reason: (err as Error).message }, 'no link preview');
        return null;
      });
      await deps.db.query(
        `INSERT INTO link_previews (url, preview) VALUES ($1, $2)
         ON CONFLICT (url) DO UPDATE SET preview = EXCLUDED.preview, fetched_at = now()`,
        [url, preview === null ? null : JSON.stringify(preview)],
      );
    }
  }
  if (preview?.image) {
    // The picture is in use again: the sweep keeps it (and learns of it, the first time).
    await deps.db.query('INSERT INTO link_images (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET stored_at = now()', [
      preview.image.id,
    ]);
  }
  if (preview === null && message.link_preview === null) return { preview: false };
  const changes = await deps.db.transaction(async (tx) => {
    const updated = await tx.query(
      `UPDATE messages SET link_preview = $2
        WHERE id = $1 AND body = $3 AND NOT is_hidden AND NOT is_deleted`,
      [data.messageId, preview === null ? null : JSON.stringify(preview), message.body],
    );
    if (updated.rowCount === 0) return [];
    return [
      await appendChange(tx, message.channel_id, {
        kind: 'message',
        message: await loadMessageView(tx, data.messageId),
      }),
    ];
  });
  if (changes.length > 0)
    await deps
      .onChanges(changes)
      .catch((err: unknown) => deps.logger.warn({ err }, 'publishing a link preview failed; catch-up repairs it'));
  return { preview: preview !== null && changes.length > 0 };
}
