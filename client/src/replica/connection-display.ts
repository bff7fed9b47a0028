import type { ConnectionState } from '../sync/sync-client.ts';

export type DisplayState = 'online' | 'connecting' | 'offline';

/** A connection down for longer than this reads "offline"; shorter drops read "connecting". */
export const OFFLINE_AFTER_MS = 6000;

/**
 * What the header says about the connection. "Connecting…" for a connection being set up or just lost,
 * "Offline" once it has been down a while (or the browser has no network at all): measured from the last
 * moment the connection was up, however long it was up before.
 */
export class ConnectionDisplay {
  private lastUpAt: number;

  constructor(now: number) {
    // A page that has just opened counts as "just lost": it reads "connecting" for the first seconds.
    this.lastUpAt = now;
  }

  /** The connection's new state; `was` is the one it leaves. */
  changed(was: ConnectionState, state: ConnectionState, now: number): void {
    if (state === 'online' || was === 'online') this.lastUpAt = now;
  }

  state(raw: ConnectionState, deviceOnline: boolean, now: number): DisplayState {
    if (!deviceOnline) return 'offline';
    if (raw === 'online') return 'online';
    return now - this.lastUpAt > OFFLINE_AFTER_MS ? 'offline' : 'connecting';
  }
}
