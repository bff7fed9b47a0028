import { parseDocName } from '../../shared/sync/doc-names.ts';
import * as Y from 'yjs';
import { coalescedRead } from '../db/coalesced-read.ts';
import type { Database } from '../db/database.ts';

/**
 * A member's private doc (drafts, outbox, read markers) is the one doc clients write. It is stored as
 * a merged Yjs state: writes merge with what is stored, so two nodes persisting the same doc can never
 * drop each other's updates.
 */
export async function loadPrivateDoc(db: Database, docName: string): Promise<Y.Doc> {
  // Read together with every other member's private doc asked for in this turn (a reconnect storm).
  const state = await coalescedRead(db, 'private-docs', readPrivateStates)(docName);
  // A given guid spares Yjs generating a random one (16 crypto calls): it showed up per connection.
  const doc = new Y.Doc({ guid: docName });
  if (state) Y.applyUpdate(doc, state);
  return doc;
}

async function readPrivateStates(db: Database, docNames: readonly string[]): Promise<Map<string, Uint8Array>> {
  const { rows } = await db.query<{ doc_name: string; state: Uint8Array }>(
    'SELECT doc_name, state FROM doc_snapshots WHERE doc_name = ANY($1::text[])',
    [docNames],
  );
  return new Map(rows.map((r) => [r.doc_name, new Uint8Array(r.state)]));
}

/** `private.<userId>` → the user id (doc names are validated where they enter the server). */
const userIdOf = (docName: string): string | null => {
  const parsed = parseDocName(docName);
  return parsed?.kind === 'private' ? parsed.userId : null;
};

export async function persistPrivateDoc(db: Database, docName: string, doc: Y.Doc): Promise<void> {
  const state = Y.encodeStateAsUpdate(doc);
  await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ state: Uint8Array }>(
      'SELECT state FROM doc_snapshots WHERE doc_name = $1 FOR UPDATE',
      [docName],
    );
    const merged = rows[0] ? Y.mergeUpdates([new Uint8Array(rows[0].state), state]) : state;
    // A deleted account's drafts and outbox must not come back when a node that still held the doc
    // writes it after the deletion.
    await tx.query(
      `INSERT INTO doc_snapshots (doc_name, state, change_seq, updated_at)
       SELECT $1, $2, 0, now() WHERE NOT EXISTS (SELECT 1 FROM users WHERE id = $3 AND anonymized_at IS NOT NULL)
       ON CONFLICT (doc_name) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`,
      [docName, merged, userIdOf(docName)],
    );
  });
}

export interface Debounced {
  /**
   * Runs fn after `waitMs` of quiet, at most `maxWaitMs` after the first call. A lazy call uses the lazy
   * waits instead and never postpones a run already due sooner.
   */
  schedule(options?: { lazy?: boolean }): void;
  flush(): Promise<void>;
}

/** Debounced with a maximum wait, so a doc that never stops changing is still persisted. */
export function debounce(
  fn: () => Promise<void>,
  waits: { waitMs: number; maxWaitMs: number; lazyWaitMs?: number; lazyMaxWaitMs?: number },
): Debounced {
  let timer: NodeJS.Timeout | undefined;
  let dueAt = Infinity;
  let firstScheduledAt: number | undefined;
  let running: Promise<void> = Promise.resolve();
  // Methods, not named arrows: one of these per hosted private doc (see HostedDoc.onUpdate on why).
  const debounced: Debounced & { run(): Promise<void> } = {
    run(): Promise<void> {
      clearTimeout(timer);
      timer = undefined;
      dueAt = Infinity;
      firstScheduledAt = undefined;
      running = running.then(fn, fn);
      return running;
    },
    schedule(options) {
      const lazy = options?.lazy === true;
      const now = Date.now();
      firstScheduledAt ??= now;
      const wait = lazy ? (waits.lazyWaitMs ?? waits.waitMs) : waits.waitMs;
      const maxWait = lazy ? (waits.lazyMaxWaitMs ?? waits.maxWaitMs) : waits.maxWaitMs;
      const due = Math.max(now, Math.min(now + wait, firstScheduledAt + maxWait));
      if (lazy && timer && dueAt <= due) return;
      clearTimeout(timer);
      dueAt = due;
      timer = setTimeout(() => void debounced.run(), due - now);
      timer.unref();
    },
    flush() {
      return timer ? debounced.run() : running;
    },
  };
  return debounced;
}
