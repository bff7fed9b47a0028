import { createSignal } from 'solid-js';

/** What the app knows about a member it has seen: enough to name an author. */
export interface MemberInfo {
  id: string;
  handle: string;
  name: string;
}

const MAX_MEMBERS = 500;
const storageKey = (userId: string) => `lounge.members.v1.${userId}`;

/**
 * Names of the members this device has met: the signed-in member, and everyone the server stamped into
 * presence. Kept in localStorage (bounded, most recently seen first) so authors keep their names
 * offline and after they leave the room. Messages carry only author ids; a member this device never met
 * shows as "Member 1a2b3c" until they are seen.
 */
export class MemberCache {
  private readonly members = new Map<string, MemberInfo>();
  private readonly version = createSignal(0);
  private saveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly userId: string) {
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

  /** The display name, or a stable short fallback. */
  nameOf(id: string | null): string {
    if (!id) return 'Someone';
    return this.get(id)?.name ?? `Member ${id.slice(0, 6)}`;
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
