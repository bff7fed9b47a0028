import { createSignal, type Accessor } from 'solid-js';
import type { AttachmentView } from '../../../shared/sync/channel-doc.ts';
import type { IntentInput } from './replica.ts';
import { isApiError } from '../api/http.ts';

/** A file of a deferred send: its bytes until uploaded, then what the server made of it. */
export interface DeferredFile {
  name: string;
  size: number;
  blob?: Blob;
  view?: AttachmentView;
}

/**
 * A message whose files wait to be uploaded: it goes to the outbox once they are. A message without files
 * waits here too when an earlier one of its conversation does, to keep the order they were written in.
 */
export interface DeferredSend {
  id: string;
  channelId: string;
  body: string;
  replyToId: string | null;
  createdAt: number;
  files: DeferredFile[];
  /** Why it cannot go (a file the server refuses); it waits for the member to edit or discard it. */
  failure: string | null;
}

export interface DeferredSendsOptions {
  userId: string;
  upload: (file: Blob, name: string) => Promise<AttachmentView>;
  enqueue: (intent: IntentInput) => void;
  online: () => boolean;
}

const STORE = 'sends';
const RETRY_MS = 15_000;

/**
 * Messages with files written while the files could not be uploaded (offline, on a train): kept with
 * their bytes in IndexedDB, so a reload or a closed tab loses nothing, shown as pending in their
 * conversation, and sent by themselves — files uploaded first, then the send written to the outbox like
 * any other, in the order they were written. A file the server refuses (too large, a type it does not
 * take) stops its message with the server's sentence until the member edits or discards it.
 *
 * Why not the outbox directly: the server processes the outbox as soon as the private doc syncs, and a
 * send naming files that are not uploaded yet would be refused.
 */
export class DeferredSends {
  private readonly state = createSignal<DeferredSend[]>([]);
  private db: Promise<IDBDatabase | null>;
  /** The database once open: a write starts in the same task as the send, not a microtask later. */
  private openDb: IDBDatabase | null = null;
  private working = false;
  /** Asked to work while working: the list may have grown after the pass read it. */
  private again = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly onOnline = () => this.kick();

  constructor(private readonly options: DeferredSendsOptions) {
    this.db = openDatabase(databaseName(options.userId));
    void this.db.then(async (db) => {
      if (!db) return;
      this.openDb = db;
      const stored = await readAll(db);
      this.state[1](stored.sort((a, b) => a.createdAt - b.createdAt));
      this.kick();
    });
    window.addEventListener('online', this.onOnline);
  }

  /** Reactive: every deferred send, oldest first. */
  readonly all: Accessor<DeferredSend[]> = () => this.state[0]();

  /**
   * Whether a message of this conversation is still waiting here (not stopped by a refusal). A message
   * written after it must wait behind it, files or not: straight to the outbox, it would arrive first.
   */
  waitingIn(channelId: string): boolean {
    return this.state[0]().some((s) => s.channelId === channelId && !s.failure);
  }

  /** Keeps a message until its files are uploaded; answers its id. */
  add(send: Omit<DeferredSend, 'id' | 'createdAt' | 'failure'>): string {
    const entry: DeferredSend = { ...send, id: crypto.randomUUID(), createdAt: Date.now(), failure: null };
    this.state[1]((list) => [...list, entry]);
    void this.persist(entry);
    this.kick();
    return entry.id;
  }

  /** Takes a stopped message back (to edit it, or to drop it). */
  remove(id: string): DeferredSend | undefined {
    const entry = this.state[0]().find((s) => s.id === id);
    this.state[1]((list) => list.filter((s) => s.id !== id));
    void this.db.then((db) => db && request(db.transaction(STORE, 'readwrite').objectStore(STORE).delete(id)));
    return entry;
  }

  /** Tries again now: the connection is back, or the member asked. */
  kick(): void {
    clearTimeout(this.timer);
    if (this.closed) return;
    if (this.working) {
      this.again = true;
      return;
    }
    this.working = true;
    this.again = false;
    void this.work().finally(() => {
      this.working = false;
      if (this.again) this.kick();
    });
  }

  async close(options: { wipe?: boolean } = {}): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    window.removeEventListener('online', this.onOnline);
    const db = await this.db;
    db?.close();
    if (options.wipe) await request(indexedDB.deleteDatabase(databaseName(this.options.userId))).catch(() => undefined);
  }

  private async work(): Promise<void> {
    for (const send of this.state[0]()) {
      if (this.closed || !this.options.online()) return;
      if (send.failure) continue;
      const files = [...send.files];
      for (const [i, file] of files.entries()) {
        if (file.view || !file.blob) continue;
        try {
          const view = await this.options.upload(file.blob, file.name);
          files[i] = { name: file.name, size: file.size, view };
          this.update({ ...send, files });
        } catch (err) {
          // Unreachable or busy: later. Refused: the member decides.
          if (!isApiError(err) || err.status === 0 || err.status === 429 || err.status >= 500) {
            this.timer = setTimeout(() => this.kick(), RETRY_MS);
            return;
          }
          this.update({ ...send, files, failure: `“${file.name}”: ${err.message}` });
          break;
        }
      }
      const current = this.state[0]().find((s) => s.id === send.id);
      if (!current || current.failure || current.files.some((f) => !f.view)) continue;
      this.options.enqueue({
        kind: 'send',
        channelId: current.channelId,
        body: current.body,
        replyToId: current.replyToId,
        attachmentIds: current.files.map((f) => f.view!.id),
      });
      this.remove(current.id);
    }
  }

  private update(entry: DeferredSend): void {
    this.state[1]((list) => list.map((s) => (s.id === entry.id ? entry : s)));
    void this.persist(entry);
  }

  private async persist(entry: DeferredSend): Promise<void> {
    // Started at once when the database is open: a reload or a closed tab right after "send" must find
    // the message kept (awaiting the open promise first left a window where it was only in memory).
    const db = this.openDb ?? (await this.db);
    if (!db || this.closed) return;
    await request(db.transaction(STORE, 'readwrite').objectStore(STORE).put(entry)).catch((err: unknown) =>
      console.warn('Lounge could not keep a message with files on this device', err),
    );
  }
}

const databaseName = (userId: string) => `lounge-deferred-sends-${userId}`;

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

/** The device's store of deferred sends; null where IndexedDB is unavailable (they then live in memory). */
function openDatabase(name: string): Promise<IDBDatabase | null> {
  return new Promise((resolve) => {
    let open: IDBOpenDBRequest;
    try {
      open = indexedDB.open(name, 1);
    } catch {
      resolve(null);
      return;
    }
    open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: 'id' });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => resolve(null);
  });
}

async function readAll(db: IDBDatabase): Promise<DeferredSend[]> {
  return request(db.transaction(STORE, 'readonly').objectStore(STORE).getAll() as IDBRequest<DeferredSend[]>).catch(
    () => [],
  );
}
