import type { MessageView } from '../../../shared/sync/channel-doc.ts';

/** A room's newest messages kept for its next cold open: a screenful and then some. */
const KEPT_MESSAGES = 50;
/** Rooms kept, most recently shown first (each entry is tens of KB of localStorage). */
const KEPT_ROOMS = 12;
const SAVE_AFTER_MS = 1000;

/**
 * The newest messages of the rooms this device showed, kept in localStorage so that a cold open paints
 * the room at once: localStorage is read synchronously as the page starts, while the room's Yjs docs
 * take a few hundred milliseconds to come out of IndexedDB. The docs replace this list the moment they
 * are loaded, and every later change of the room is saved back (at most once a second, and when the
 * page is hidden), so it shows what the docs showed when the member last looked.
 *
 * It follows the docs' rules: wiped when the member signs out with a wipe, dropped when access to the
 * room is lost. A broken or foreign entry reads as nothing (the docs then paint as before).
 */
export class FirstPaintCache {
  private readonly pending = new Map<string, MessageView[]>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onHide = () => {
    if (document.visibilityState === 'hidden') this.flush();
  };

  constructor(private readonly userId: string) {
    document.addEventListener('visibilitychange', this.onHide);
    addEventListener('pagehide', this.onHide);
  }

  private get prefix(): string {
    return `lounge.firstpaint.v1.${this.userId}.`;
  }

  private get indexKey(): string {
    return `lounge.firstpaint.v1.${this.userId}`;
  }

  /** The messages kept for this room, oldest first; empty when there are none (or they are unreadable). */
  read(channelId: string): MessageView[] {
    try {
      const raw = localStorage.getItem(this.prefix + channelId);
      const list: unknown = raw ? JSON.parse(raw) : [];
      if (!Array.isArray(list)) return [];
      return list.filter(
        (m): m is MessageView =>
          typeof m === 'object' &&
          m !== null &&
          (m as MessageView).channelId === channelId &&
          typeof (m as MessageView).id === 'string' &&
          typeof (m as MessageView).seq === 'number' &&
          typeof (m as MessageView).body === 'string',
      );
    } catch {
      return [];
    }
  }

  /** Remembers what the room shows now (its newest messages); written shortly after. */
  save(channelId: string, messages: readonly MessageView[]): void {
    this.pending.set(channelId, messages.slice(-KEPT_MESSAGES));
    this.timer ??= setTimeout(() => this.flush(), SAVE_AFTER_MS);
  }

  /** Access to the room is gone: nothing of it stays. */
  drop(channelId: string): void {
    this.pending.delete(channelId);
    this.write(() => {
      localStorage.removeItem(this.prefix + channelId);
      this.writeIndex(this.readIndex().filter((id) => id !== channelId));
    });
  }

  /** Sign-out with a wipe: every room of this member. */
  dropAll(): void {
    this.close();
    this.pending.clear();
    this.write(() => {
      for (const id of this.readIndex()) localStorage.removeItem(this.prefix + id);
      localStorage.removeItem(this.indexKey);
    });
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    document.removeEventListener('visibilitychange', this.onHide);
    removeEventListener('pagehide', this.onHide);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const saved = [...this.pending];
    this.pending.clear();
    this.write(() => {
      let index = this.readIndex();
      for (const [channelId, messages] of saved) {
        index = index.filter((id) => id !== channelId);
        // Nothing to paint is nothing to keep: a room shown empty (new, or one this member can no longer
        // read, opened again after its data left the device) leaves no entry behind.
        if (messages.length === 0) {
          localStorage.removeItem(this.prefix + channelId);
          continue;
        }
        localStorage.setItem(this.prefix + channelId, JSON.stringify(messages));
        index.unshift(channelId);
      }
      for (const evicted of index.slice(KEPT_ROOMS)) localStorage.removeItem(this.prefix + evicted);
      this.writeIndex(index.slice(0, KEPT_ROOMS));
    });
  }

  private readIndex(): string[] {
    try {
      const list: unknown = JSON.parse(localStorage.getItem(this.indexKey) ?? '[]');
      return Array.isArray(list) ? list.filter((id): id is string => typeof id === 'string') : [];
    } catch {
      return [];
    }
  }

  private writeIndex(ids: string[]): void {
    localStorage.setItem(this.indexKey, JSON.stringify(ids));
  }

  private write(fn: () => void): void {
    try {
      fn();
    } catch {
      // Storage full or disabled: the next cold open paints from the docs instead, as without the cache.
    }
  }
}
