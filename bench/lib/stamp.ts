import * as Y from 'yjs';

/**
 * Every benchmark message carries its identity and its send time in the body, so a reader needs no
 * side channel: `bench message <index> step <step> sent <epoch ms> ` padded with plain words to
 * BODY_CHARS. Plain words and no dots, so no rule of the server (links for new members, moderation)
 * treats it differently from an ordinary chat line.
 */
export const BODY_CHARS = 200;
const FILLER = 'the quick brown fox jumps over the lazy dog while everyone in the room keeps chatting about prompts ';
const STAMP = /^bench message (\d+) step (\d+) sent (\d+) /;

export interface Stamp {
  index: number;
  step: number;
  sentAt: number;
  /** The message's seq, where the value carries one (Lounge messages; the peers' have none). */
  seq?: number;
}

export function stampBody(index: number, step: number, sentAt: number): string {
  let body = `bench message ${index} step ${step} sent ${sentAt} `;
  while (body.length < BODY_CHARS) body += FILLER;
  return body.slice(0, BODY_CHARS).trimEnd();
}

export function parseStamp(body: unknown): Stamp | undefined {
  if (typeof body !== 'string') return undefined;
  const m = STAMP.exec(body);
  if (!m) return undefined;
  return { index: Number(m[1]), step: Number(m[2]), sentAt: Number(m[3]) };
}

/**
 * The stamps inside one Yjs update, read without a doc: `Y.decodeUpdate` parses every struct (the
 * same decoding a client does before integrating), and map values of messages are `ContentAny` items
 * whose objects carry `body`. Lounge segment docs and the peers' writer use the same value shape.
 */
export function stampsInUpdate(update: Uint8Array, out: Stamp[] = []): Stamp[] {
  const { structs } = Y.decodeUpdate(update);
  for (const struct of structs) {
    if (!(struct instanceof Y.Item) || !(struct.content instanceof Y.ContentAny)) continue;
    for (const value of struct.content.arr as unknown[]) {
      if (value && typeof value === 'object' && 'body' in value) {
        const stamp = parseStamp((value as { body: unknown }).body);
        const seq = (value as { seq?: unknown }).seq;
        if (stamp) out.push(typeof seq === 'number' ? { ...stamp, seq } : stamp);
      }
    }
  }
  return out;
}
