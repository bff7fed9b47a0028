import { createSignal } from 'solid-js';

/**
 * Counts the times the sync connection has come (back) up in this tab. Whatever failed to load while
 * Lounge could not be reached reads this to try again on its own (see createRefreshable).
 */
const [reconnects, setReconnects] = createSignal(0);

export { reconnects };

export function noteReconnected(): void {
  setReconnects((n) => n + 1);
}
