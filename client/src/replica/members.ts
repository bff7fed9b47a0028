import { createSignal } from 'solid-js';
import { apiRequest } from '../api/http.ts';

/** What the app knows about a member it has seen: enough to name an author. */
export interface MemberInfo {
  id: string;
  handle: string;
  name: string;
}

const MAX_MEMBERS = 500;
/** GET /api/users answers at most this many ids at once. */
const LOOKUP_BATCH = 100;
const LOOKUP_DELAY_MS = 150;
const RETRY_AFTER_MS = 30_000;

interface PublicUser {
  id: string;
  handle: string | null;
  displayName: string;
}
const storageKey = (userId: string) => `lounge.members.v1.${userId}`;

/**
 * Names of the members this device has met: the signed-in member, everyone the server stamped into
 * presence, and authors looked up by id (GET /api/users?ids=…, batched). Kept in localStorage (bounded,
 * most recently seen first) so authors keep their names offline. An author not known yet shows as
 * "Member 1a2b3c" until the lookup answers (or, offline, until the member is seen).
 */
export class MemberCache {
  private readonly members = new Map<string, MemberInfo>();
  private readonly version = createSignal(0);
  private saveTimer: ReturnType<typeof setTimeout> | undefined;

  private readonly wanted = new Set<string>();
  /** Names read back from the server in this session (a cached name may be outdated: renamed, deleted). */
  private readonly checked = new Set<string>();
  private readonly askedAt = new Map<string, number>();
  private lookupTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly userId: string,
    private readonly token: () => string,
  ) {
    try {
      const raw = localStorage.getItem(storageKey(userId));
      const list: unknown = raw ? JSON.parse(raw) : [];
      if (Array.isArray(list)) {
        for (const item of list) {
          const m = item as Partial<MemberInfo>;
          if (typeof m.id === 'string' && typeof m.handle === 'string' && typeof m.name === 'string') {
            this.members.set(m.id, { id: m.id, handle: m.handle, name: m.name });
          }
        }
      }
    } catch {
      // A broken cache only costs names until members are seen again.
    }
  }

  /** Records what was seen; cheap when nothing changed. */
  remember(member: MemberInfo): void {
    if (!member.id) return;
    const known = this.members.get(member.id);
    const name = member.name || member.handle;
    if (known && known.handle === member.handle && known.name === name) return;
    this.members.delete(member.id);
    this.members.set(member.id, { id: member.id, handle: member.handle, name });
    const [, setVersion] = this.version;
    setVersion((v) => v + 1);
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.save(), 500);
  }

  /** Reactive: re-runs when a new name arrives. */
  get(id: string | null): MemberInfo | undefined {
    this.version[0]();
    return id ? this.members.get(id) : undefined;
  }

  /** Reactive: every member this device knows by name (most recently seen last). */
  all(): MemberInfo[] {
    this.version[0]();
    return [...this.members.values()];
  }

  /**
   * The display name, or a stable short fallback while the name is looked up. A name cached by an
   * earlier session is shown at once and checked once per session in the background, so a renamed
   * member, or a deleted account ("Deleted user"), is named as they are now.
   */
  nameOf(id: string | null): string {
    if (!id) return 'Someone';
    const known = this.get(id);
    if (!this.checked.has(id)) {
      this.checked.add(id);
      this.lookUp(id);
    }
    if (known) return known.name;
    this.lookUp(id);
    return `Member ${id.slice(0, 6)}`;
  }

  /** Asks the server for names this device does not know, a batch at a time. */
  private lookUp(id: string): void {
    const asked = this.askedAt.get(id);
    if (asked !== undefined && Date.now() - asked < RETRY_AFTER_MS) return;
    this.wanted.add(id);
    if (this.lookupTimer !== undefined) return;
    this.lookupTimer = setTimeout(() => {
      this.lookupTimer = undefined;
      const ids = [...this.wanted].slice(0, LOOKUP_BATCH);
      for (const wanted of ids) {
        this.wanted.delete(wanted);
        this.askedAt.set(wanted, Date.now());
      }
      if (this.wanted.size > 0) this.lookUp([...this.wanted][0]!);
      void apiRequest<{ users: PublicUser[] }>(`/api/users?ids=${ids.map(encodeURIComponent).join(',')}`, {
        token: this.token(),
      }).then(
        ({ users }) => {
          for (const user of users) {
            this.remember({
              id: user.id,
              handle: user.handle ?? '',
              name: user.displayName || user.handle || 'Member',
            });
          }
        },
        () => {
          // Offline or refused: the cached name or the short fallback stays, and the next read after a
          // while asks again.
          for (const asked of ids) this.checked.delete(asked);
        },
      );
    }, LOOKUP_DELAY_MS);
  }

  private save(): void {
    const list = [...this.members.values()].reverse().slice(0, MAX_MEMBERS);
    try {
      localStorage.setItem(storageKey(this.userId), JSON.stringify(list));
    } catch {
      // Full or disabled storage: names stay for this tab.
    }
  }
}
