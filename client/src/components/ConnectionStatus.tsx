import { Show, type JSX } from 'solid-js';
import { useReplica } from '../replica/context.ts';

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** "2 messages and 1 other change waiting to send": a reaction or an edit is not a message. */
const pendingText = ({ sends, others }: { sends: number; others: number }): string => {
  const parts = [
    ...(sends > 0 ? [plural(sends, 'message', 'messages')] : []),
    ...(others > 0
      ? [plural(others, sends > 0 ? 'other change' : 'change', sends > 0 ? 'other changes' : 'changes')]
      : []),
  ];
  return `${parts.join(' and ')} waiting to send`;
};

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
        // The device has a network but Lounge does not answer (a server restart, a captive portal): the app
        // keeps trying, and "Offline" would send the member to check a connection that works.
        return replica.deviceOnline() ? 'Reconnecting…' : 'Offline';
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
      title={
        state() === 'offline'
          ? `You can keep writing: messages are sent when Lounge is back.${pending() > 0 ? ` ${pendingText(replica.pendingKinds())}.` : ''}`
          : undefined
      }
    >
      <span class="connection__dot" aria-hidden="true" />
      <span class="connection__label">{label()}</span>
      <Show when={state() !== 'online' && pending() > 0}>
        <span class="connection__pending" data-testid="pending-count">
          <span aria-hidden="true">{pending()}</span>
          <span class="visually-hidden">{pendingText(replica.pendingKinds())}</span>
        </span>
      </Show>
    </div>
  );
}

/**
 * The connection state in words on a row of its own, for small phones only (CSS), where the header's chip
 * has room for its dot and count alone and a touch screen never shows its tooltip. The chip is the live
 * region; this repeats it for the eyes only.
 */
export function ConnectionBanner(): JSX.Element {
  const replica = useReplica();
  const state = () => replica.displayState();
  const waiting = () => (replica.pendingCount() > 0 ? ` · ${pendingText(replica.pendingKinds())}` : '');
  return (
    <Show when={state() !== 'online'}>
      <p
        class="connection-banner"
        classList={{ 'connection-banner--connecting': state() === 'connecting' }}
        aria-hidden="true"
        data-testid="connection-banner"
      >
        {state() === 'connecting'
          ? 'Connecting…'
          : replica.deviceOnline()
            ? 'Reconnecting to Lounge: you can keep writing'
            : 'Offline: you can keep writing'}
        {waiting()}
      </p>
    </Show>
  );
}
