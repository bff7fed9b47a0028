import * as Y from 'yjs';
import { isFinalVerdict, type Intent, type Verdict } from '../../../shared/sync/intents.ts';

type IntentInput = Intent extends infer I ? (I extends Intent ? Omit<I, 'n' | 'createdAt'> : never) : never;

export interface PendingIntent {
  id: string;
  intent: Intent;
}

/** The member's private doc maps: written here, synced to the server and to their other devices. */
export function privateMaps(doc: Y.Doc) {
  return {
    outbox: doc.getMap<Intent>('outbox'),
    failed: doc.getMap<{ intent: Intent; verdict: Verdict }>('failed'),
    drafts: doc.getMap<string>('drafts'),
    read: doc.getMap<number>('read'),
  };
}

/**
 * Records an intent in the outbox: it survives reloads and offline (y-indexeddb), and the server
 * processes it exactly once whenever it arrives. Returns the client-made intent id.
 */
export function enqueueIntent(
  doc: Y.Doc,
  input: IntentInput,
  makeId: () => string = () => crypto.randomUUID(),
): string {
  const { outbox } = privateMaps(doc);
  const id = makeId();
  let n = 0;
  for (const intent of outbox.values()) n = Math.max(n, intent.n);
  const intent = { ...input, n: Math.max(n + 1, Date.now()), createdAt: Date.now() } as Intent;
  outbox.set(id, intent);
  return id;
}

export function pendingIntents(doc: Y.Doc): PendingIntent[] {
  return [...privateMaps(doc).outbox.entries()]
    .map(([id, intent]) => ({ id, intent }))
    .sort((a, b) => a.intent.n - b.intent.n);
}

/**
 * Settles outbox entries against the inbox's verdicts: accepted ones leave the outbox (the message
 * itself arrives through the channel doc); refused ones move to `failed` with the reason, where the
 * member can retry, edit or discard them. Returns a function that stops watching.
 */
export function settleVerdicts(privateDoc: Y.Doc, inboxDoc: Y.Doc): () => void {
  const { outbox, failed } = privateMaps(privateDoc);
  const verdicts = inboxDoc.getMap<Verdict>('verdicts');
  const settle = () => {
    // A waiting intent stays: the server decides it again when its limit runs out.
    const done = [...outbox.keys()].filter((id) => {
      const verdict = verdicts.get(id);
      return verdict !== undefined && isFinalVerdict(verdict);
    });
    if (done.length === 0) return;
    privateDoc.transact(() => {
      for (const id of done) {
        const verdict = verdicts.get(id)!;
        const intent = outbox.get(id)!;
        if (verdict.status === 'rejected') failed.set(id, { intent, verdict });
        outbox.delete(id);
      }
    });
  };
  verdicts.observe(settle);
  outbox.observe(settle);
  settle();
  return () => {
    verdicts.unobserve(settle);
    outbox.unobserve(settle);
  };
}
