import OpenAI from 'openai';
import { aiVerdictForScore } from '../../shared/rules/moderation.ts';
import type { ChannelChange } from '../../shared/sync/channel-doc.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { loadMessageView } from '../intents/message-view.ts';
import { appendChange } from '../sync/change-log.ts';
import type { AttachmentStore } from '../attachments/attachment-store.ts';
import { queueForReview } from './layer1-check.ts';

export interface AiClassification {
  /** category -> score in 0..1, as the moderation endpoint returned it. */
  categories: Record<string, number>;
  maxScore: number;
}

/** Layer 2: one call to a moderation endpoint per text or image. Throws when it fails, so the job retries. */
export interface AiModerator {
  classify(text: string): Promise<AiClassification>;
  /** An image's bytes, of its type (image/png, …). */
  classifyImage(bytes: Uint8Array, type: string): Promise<AiClassification>;
}

type ModerationResult = OpenAI.Moderations.Moderation;

function classificationOf(result: ModerationResult | undefined): AiClassification {
  if (!result) throw new Error('the moderation endpoint returned no result');
  const categories: Record<string, number> = {};
  for (const [name, score] of Object.entries(result.category_scores)) {
    if (typeof score === 'number' && Number.isFinite(score)) categories[name] = Math.min(1, Math.max(0, score));
  }
  return { categories, maxScore: Math.max(0, ...Object.values(categories)) };
}

export function createOpenAiModerator(config: NonNullable<Config['moderation']['ai']>): AiModerator {
  // The job queue owns retries (with backoff, across restarts), so the SDK does not retry on its own.
  const client = new OpenAI({
    apiKey: config.apiKey,
    ...(config.baseUrl ? { baseURL: config.baseUrl } : {}),
    timeout: config.timeoutMs,
    maxRetries: 0,
  });
  return {
    async classify(text: string): Promise<AiClassification> {
      const response = await client.moderations.create({ model: config.model, input: text });
      return classificationOf(response.results[0]);
    },
    async classifyImage(bytes: Uint8Array, type: string): Promise<AiClassification> {
      // One image per request: the endpoint scores a request as a whole, and a message's verdict is the
      // worst of its parts anyway.
      const url = `data:${type};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
      const response = await client.moderations.create({
        model: config.model,
        input: [{ type: 'image_url', image_url: { url } }],
      });
      return classificationOf(response.results[0]);
    },
  };
}

export type AiOutcome = 'allow' | 'flag' | 'hide' | 'skipped';

/**
 * Classifies one message — its words and each of its images — and applies the spec's thresholds to the
 * worst score: below 0.3 nothing happens; 0.3–0.7 the message stays posted, flagged and queued for
 * review; 0.7 and above it is hidden (words and files) and queued. The calls to the endpoint happen
 * outside any transaction; the verdict is applied only if the words it judged are still the message's
 * words (an edit gets a job of its own; files cannot be edited).
 */
export async function moderateMessageWithAi(
  deps: { db: Database; moderator: AiModerator; store: AttachmentStore },
  messageId: string,
): Promise<{ outcome: AiOutcome; changes: ChannelChange[]; judgedBody?: string }> {
  const { rows } = await deps.db.query<{ body: string; is_deleted: boolean; is_hidden: boolean }>(
    'SELECT body, is_deleted, is_hidden FROM messages WHERE id = $1',
    [messageId],
  );
  const message = rows[0];
  if (!message || message.is_deleted || message.is_hidden) return { outcome: 'skipped', changes: [] };
  const images = await deps.db.query<{ storage_key: string; content_type: string; filename: string }>(
    `SELECT storage_key, content_type, filename FROM attachments
      WHERE message_id = $1 AND removed_at IS NULL AND content_type LIKE 'image/%' ORDER BY created_at, id`,
    [messageId],
  );
  const parts: Array<{ what: string; classification: AiClassification }> = [];
  if (message.body.trim() !== '')
    parts.push({ what: 'text', classification: await deps.moderator.classify(message.body) });
  for (const image of images.rows) {
    const bytes = await readAll(deps.store, image.storage_key);
    // Bytes already swept (the message was deleted meanwhile): nothing to judge.
    if (bytes)
      parts.push({
        what: `image ${image.filename}`,
        classification: await deps.moderator.classifyImage(bytes, image.content_type),
      });
  }
  if (parts.length === 0) return { outcome: 'skipped', changes: [] };
  const worst = parts.reduce((a, b) => (b.classification.maxScore > a.classification.maxScore ? b : a));
  const classification = worst.classification;
  const verdict = aiVerdictForScore(classification.maxScore);
  if (verdict === 'allow') return { outcome: 'allow', changes: [], judgedBody: message.body };
  return deps.db.transaction(async (tx) => {
    const current = await tx.query<{
      body: string;
      channel_id: string;
      room_id: string | null;
      author_id: string | null;
      is_hidden: boolean;
      is_deleted: boolean;
    }>('SELECT body, channel_id, room_id, author_id, is_hidden, is_deleted FROM messages WHERE id = $1 FOR UPDATE', [
      messageId,
    ]);
    const row = current.rows[0];
    if (!row || row.body !== message.body || row.is_deleted || row.is_hidden)
      return { outcome: 'skipped' as const, changes: [], judgedBody: message.body };
    const top = Object.entries(classification.categories).sort((a, b) => b[1] - a[1])[0];
    const where = worst.what === 'text' ? '' : ` in ${worst.what}`;
    const explanation = top
      ? `Automatic moderation: ${top[0]} (${top[1].toFixed(2)})${where}.`
      : 'Automatic moderation.';
    await queueForReview(tx, messageId, row.room_id, 'ai', explanation, classification);
    if (verdict === 'flag') {
      await tx.query('UPDATE messages SET is_flagged = true, updated_at = now() WHERE id = $1', [messageId]);
    } else {
      await tx.query(
        `UPDATE messages SET is_flagged = true, is_hidden = true, hidden_reason = $2, updated_at = now() WHERE id = $1`,
        [messageId, 'Hidden by automatic moderation, pending review.'],
      );
    }
    await tx.query(
      `INSERT INTO moderation_actions (room_id, message_id, target_user_id, source, action, reason, details)
       VALUES ($1, $2, $3, 'ai', $4, $5, $6)`,
      [
        row.room_id,
        messageId,
        row.author_id,
        verdict === 'flag' ? 'flag' : 'hide',
        explanation,
        JSON.stringify(classification),
      ],
    );
    if (verdict === 'flag') return { outcome: 'flag' as const, changes: [], judgedBody: message.body };
    const view = await loadMessageView(tx, messageId);
    return {
      outcome: 'hide' as const,
      changes: [await appendChange(tx, row.channel_id, { kind: 'message', message: view })],
      judgedBody: message.body,
    };
  });
}

async function readAll(store: AttachmentStore, key: string): Promise<Buffer | null> {
  const object = await store.get(key);
  if (!object) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of object.stream)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
