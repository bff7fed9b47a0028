import { Show, type JSX } from 'solid-js';
import { useReplica } from '../replica/context.ts';

const pendingText = (count: number): string => `${count} ${count === 1 ? 'message' : 'messages'} waiting to send`;

/**
 * Whether Lounge is live, reconnecting or offline, and how much is waiting in the outbox. A polite
 * live region, so a screen reader hears "Offline" once rather than every reconnect attempt.
 */
export function ConnectionStatus(): JSX.Element {
  const replica = useReplica();
  const state = () => replica.displayState();
  const pending = () => replica.pendingCount();
  const label = () => {
    switch (state()) {
      case 'online':
        // Not "Sending…" for every message: this is a live region, and that would chatter.
        return 'Online';
      case 'connecting':
        return 'Connecting…';
      case 'offline':
        return 'Offline';
    }
  };
  return (
    <div
      class="connection"
      classList={{
        'connection--online': state() === 'online',
        'connection--connecting': state() === 'connecting',
        'connection--offline': state() === 'offline',
      }}
      role="status"
      aria-live="polite"
      data-state={state()}
      title={state() === 'offline' ? 'You can keep writing: messages are sent when Lounge is back.' : undefined}
    >
      <span class="connection__dot" aria-hidden="true" />
      <span class="connection__label">{label()}</span>
      <Show when={state() !== 'online' && pending() > 0}>
        <span class="connection__pending" data-testid="pending-count">
          <span aria-hidden="true">{pending()}</span>
          <span class="visually-hidden">{pendingText(pending())}</span>
        </span>
      </Show>
    </div>
  );
}
