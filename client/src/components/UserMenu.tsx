import { createSignal, onMount, Show, type JSX } from 'solid-js';
import type { User } from '../api/types.ts';
import { useReplica } from '../replica/context.ts';
import { Avatar } from './Avatar.tsx';
import { paths } from '../router.ts';
import { SettingsIcon, SignOutIcon } from './icons.tsx';
import { Link } from './Link.tsx';

const messagesText = (count: number) => `${count} ${count === 1 ? 'message' : 'messages'}`;

/** Who is signed in, their settings, and the way out. */
export function UserMenu(props: { user: User; onSignOut: () => void }): JSX.Element {
  const replica = useReplica();
  // What signing out would lose: messages and changes still in the outbox (offline, or on their way),
  // and messages waiting for their files. Signing out takes them off this device with everything else.
  const unsent = () => replica.pendingCount() + replica.deferred.all().length;
  const [confirming, setConfirming] = createSignal(false);
  let button: HTMLButtonElement | undefined;
  return (
    <div class="user-menu">
      <div class="user-chip" title={`Signed in as @${props.user.handle}`}>
        <Avatar user={props.user} size={32} />
        <span class="user-chip__text">
          <span class="user-chip__name" data-testid="member-name">
            {props.user.displayName}
          </span>
          <span class="user-chip__handle">@{props.user.handle}</span>
        </span>
      </div>
      <Link
        class="button button--ghost button--icon-on-phone"
        href={paths.settings}
        aria-label="Settings"
        title="Settings"
        data-testid="settings-link"
      >
        <SettingsIcon />
      </Link>
      <button
        ref={(el) => (button = el)}
        type="button"
        class="button button--ghost button--icon-below-wide"
        title="Sign out"
        onClick={() => (unsent() > 0 ? setConfirming(true) : props.onSignOut())}
      >
        <SignOutIcon />
        <span class="button__label">Sign out</span>
      </button>
      <Show when={confirming()}>
        <SignOutDialog
          unsent={unsent}
          online={() => replica.displayState() === 'online'}
          onSignOut={props.onSignOut}
          onStay={() => {
            setConfirming(false);
            button?.focus();
          }}
        />
      </Show>
    </div>
  );
}

/**
 * Asked before signing out with unsent messages: signing out wipes this device's copy, outbox included,
 * so what was written on the train would be gone. The count is live: online, it falls as they go out.
 */
function SignOutDialog(props: {
  unsent: () => number;
  online: () => boolean;
  onSignOut: () => void;
  onStay: () => void;
}): JSX.Element {
  let dialog: HTMLDialogElement | undefined;
  onMount(() => dialog?.showModal());
  return (
    <dialog
      ref={(el) => (dialog = el)}
      class="room-settings"
      aria-labelledby="sign-out-title"
      aria-describedby="sign-out-text"
      onClose={() => props.onStay()}
    >
      <h2 id="sign-out-title" class="room-settings__title">
        Sign out?
      </h2>
      <p id="sign-out-text" role="status">
        <Show when={props.unsent() > 0} fallback={<>Everything you wrote has been sent. You can sign out.</>}>
          {messagesText(props.unsent())} you wrote {props.unsent() === 1 ? 'has' : 'have'} not been sent yet
          {props.online() ? ' (sending now)' : ': Lounge is offline'}. Signing out removes{' '}
          {props.unsent() === 1 ? 'it' : 'them'} from this device for good.
        </Show>
      </p>
      <div class="msg-form__buttons">
        <button type="button" class="button button--primary button--small" onClick={() => dialog?.close()}>
          Stay signed in
        </button>
        <button type="button" class="button button--secondary button--small" onClick={() => props.onSignOut()}>
          {props.unsent() > 0 ? 'Sign out and lose them' : 'Sign out'}
        </button>
      </div>
    </dialog>
  );
}
