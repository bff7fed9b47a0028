import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/** What a member may say about themselves in presence; anything else they send is dropped. */
export interface PresenceState {
  user: { id: string; handle: string; name: string };
  /** Server time (ms) the member was last seen typing, or null. Expires after 10 s. */
  typingAt: number | null;
}

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  state: PresenceState | null;
}

export const MAX_AWARENESS_CLIENTS_PER_PEER = 4;

/**
 * Rewrites a client's awareness update so identity comes from the verified connection, never from the
 * client: every state is replaced by the server's user record plus the fields we allow. Throws on a
 * malformed update (the caller closes the connection).
 */
export function stampAwarenessUpdate(
  update: Uint8Array,
  user: PresenceState['user'],
  now: number,
): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  if (count > MAX_AWARENESS_CLIENTS_PER_PEER) throw new Error('too many awareness entries in one update');
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const raw = JSON.parse(decoding.readVarString(decoder)) as unknown;
    if (raw === null) {
      entries.push({ clientId, clock, state: null });
      continue;
    }
    const typing = typeof raw === 'object' && raw !== null && (raw as { typing?: unknown }).typing === true;
    entries.push({ clientId, clock, state: { user, typingAt: typing ? now : null } });
  }
  return entries;
}

export function encodeAwarenessEntries(entries: readonly AwarenessEntry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const e of entries) {
    encoding.writeVarUint(encoder, e.clientId);
    encoding.writeVarUint(encoder, e.clock);
    encoding.writeVarString(encoder, JSON.stringify(e.state));
  }
  return encoding.toUint8Array(encoder);
}
