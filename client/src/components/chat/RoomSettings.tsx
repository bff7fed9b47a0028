import { createSignal, For, onMount, Show, type JSX } from 'solid-js';
import { isApiError } from '../../api/http.ts';
import { updateRoomSettings, type RoomSettingsPatch } from '../../api/community.ts';
import type { Room, RoomContextType } from '../../api/types.ts';
import { ROOM_TYPE_CHOICES, roomWordsProblem } from '../../lib/room-form.ts';
import { RefusalAlert } from '../RefusalAlert.tsx';
import { RoomRoles } from './RoomRoles.tsx';
import { LIMITS } from '../../../../shared/rules/limits.ts';
import type { PermissionLevel } from '../../../../shared/rules/roles.ts';
import type { TrustLevel } from '../../../../shared/rules/trust.ts';

/** Slow mode as a community admin reaches for it: off in a calm room, minutes during a raid. */
const SLOW_MODES = [
  { seconds: 0, label: 'Off' },
  { seconds: 5, label: '5 seconds' },
  { seconds: 10, label: '10 seconds' },
  { seconds: 30, label: '30 seconds' },
  { seconds: 60, label: '1 minute' },
  { seconds: 300, label: '5 minutes' },
  { seconds: 900, label: '15 minutes' },
  { seconds: 3600, label: '1 hour' },
] as const;

/** Who may post, in the words of the room's roles (announcement rooms: moderators, whatever this says). */
const WRITE_LEVELS: ReadonlyArray<{ level: PermissionLevel; label: string }> = [
  { level: 'everyone', label: 'Everyone who can read it' },
  { level: 'member', label: 'Members of the room' },
  { level: 'trusted', label: 'Trusted members, moderators and admins' },
  { level: 'moderator', label: 'Moderators and admins' },
  { level: 'admin', label: 'Admins only' },
];

/** Who may read: those below the level do not see the room at all (the server takes it from them at once). */
const READ_LEVELS: ReadonlyArray<{ level: PermissionLevel; label: string }> = [
  { level: 'everyone', label: 'Everyone in the community' },
  { level: 'member', label: 'Members of the room only' },
  { level: 'trusted', label: 'Trusted members, moderators and admins' },
  { level: 'moderator', label: 'Moderators and admins' },
  { level: 'admin', label: 'Admins only' },
];

/**
 * What kind of room it is, each kind with its one-line meaning (radio buttons: the explanations are read
 * with each choice). Used when creating a room and in its settings.
 */
export function RoomTypeField(props: {
  id: string;
  value: RoomContextType;
  onChange: (type: RoomContextType) => void;
}): JSX.Element {
  return (
    <fieldset class="room-types">
      <legend class="msg-form__field">Type</legend>
      <For each={ROOM_TYPE_CHOICES}>
        {(choice) => (
          <label class="room-types__choice">
            <input
              type="radio"
              name={props.id}
              value={choice.type}
              checked={props.value === choice.type}
              aria-describedby={`${props.id}-${choice.type}`}
              onChange={() => props.onChange(choice.type)}
            />
            <span class="room-types__text">
              <span class="room-types__label">{choice.label}</span>
              <span class="room-types__explanation" id={`${props.id}-${choice.type}`}>
                {choice.explanation}
              </span>
            </span>
          </label>
        )}
      </For>
    </fieldset>
  );
}

const trustLabel = (level: 'member' | 'trusted') =>
  `${LIMITS.trust[level].minMessages} messages and ${LIMITS.trust[level].minDays} days in the community`;
/** How established a member must be to post: keeps brand-new (often throwaway) accounts out of a room. */
const TRUST_CHOICES: ReadonlyArray<{ level: TrustLevel; label: string }> = [
  { level: 'new', label: 'Anyone, new accounts too' },
  { level: 'member', label: trustLabel('member') },
  { level: 'trusted', label: trustLabel('trusted') },
];

/**
 * A room's settings for its owners and admins (the server checks `manage_room` again): name, emoji, what
 * it is for, its type (and whether each message starts a thread), slow mode, who can read and who can post,
 * archived. Only what changed is sent; what the server would refuse is said before sending (the shared
 * limits), and the server's sentence is shown when it refuses. A modal dialog: Escape or Cancel closes it and focus goes back to the button that opened it.
 */
export function RoomSettingsDialog(props: {
  room: Room;
  token: string;
  /** The member editing (their own role is not theirs to change here). */
  me: string;
  onSaved: (changed: RoomSettingsPatch) => void;
  onClose: () => void;
}): JSX.Element {
  let dialog: HTMLDialogElement | undefined;
  const [name, setName] = createSignal(props.room.name);
  const [description, setDescription] = createSignal(props.room.description);
  const [emoji, setEmoji] = createSignal(props.room.emoji);
  const [slowMode, setSlowMode] = createSignal(props.room.slowModeSeconds);
  const [archived, setArchived] = createSignal(props.room.archived);
  const [type, setType] = createSignal<RoomContextType>(props.room.contextType);
  const [autoThread, setAutoThread] = createSignal(props.room.autoThread);
  const readLevel = () => props.room.readPermissionLevel ?? 'everyone';
  const [whoReads, setWhoReads] = createSignal<PermissionLevel>(readLevel());
  const writeLevel = () => props.room.writePermissionLevel ?? 'everyone';
  const trustLevel = () => props.room.minTrustLevel ?? 'new';
  const [whoPosts, setWhoPosts] = createSignal<PermissionLevel>(writeLevel());
  const [minTrust, setMinTrust] = createSignal<TrustLevel>(trustLevel());
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  onMount(() => dialog?.showModal());

  const changes = (): RoomSettingsPatch => {
    const patch: RoomSettingsPatch = {};
    if (name().trim() !== props.room.name) patch.name = name().trim();
    if (description().trim() !== props.room.description) patch.description = description().trim();
    if (emoji().trim() !== props.room.emoji) patch.emoji = emoji().trim();
    if (slowMode() !== props.room.slowModeSeconds) patch.slowModeSeconds = slowMode();
    if (archived() !== props.room.archived) patch.archived = archived();
    if (type() !== props.room.contextType) patch.contextType = type();
    if (autoThread() !== props.room.autoThread) patch.autoThread = autoThread();
    if (whoReads() !== readLevel()) patch.readPermissionLevel = whoReads();
    if (whoPosts() !== writeLevel()) patch.writePermissionLevel = whoPosts();
    if (minTrust() !== trustLevel()) patch.minTrustLevel = minTrust();
    return patch;
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    const patch = changes();
    if (Object.keys(patch).length === 0) return props.onClose();
    const problem = roomWordsProblem({ name: name(), emoji: emoji(), description: description() });
    if (problem) return setError(problem);
    setBusy(true);
    setError(null);
    try {
      await updateRoomSettings(props.token, props.room.id, patch);
      props.onSaved(patch);
      props.onClose();
    } catch (err) {
      setError(isApiError(err) ? err.message : 'The settings could not be saved. Try again.');
    } finally {
      setBusy(false);
    }
  };
  // A slow mode set elsewhere (not one of the choices) stays selectable as it is.
  const slowChoices = () =>
    SLOW_MODES.some((m) => m.seconds === props.room.slowModeSeconds)
      ? SLOW_MODES
      : [...SLOW_MODES, { seconds: props.room.slowModeSeconds, label: `${props.room.slowModeSeconds} seconds` }];

  return (
    <dialog
      ref={(el) => (dialog = el)}
      class="room-settings"
      aria-labelledby="room-settings-title"
      onClose={() => props.onClose()}
    >
      <form class="msg-form" onSubmit={(e) => void submit(e)}>
        <h2 id="room-settings-title" class="room-settings__title">
          Room settings
        </h2>
        <label class="msg-form__field" for="room-settings-name">
          Name
        </label>
        <input
          id="room-settings-name"
          class="input"
          maxLength={LIMITS.text.roomNameMaxChars}
          required
          value={name()}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <label class="msg-form__field" for="room-settings-emoji">
          Emoji
        </label>
        <input
          id="room-settings-emoji"
          class="input room-settings__emoji"
          maxLength={LIMITS.text.roomEmojiMaxChars * 2}
          value={emoji()}
          onInput={(e) => setEmoji(e.currentTarget.value)}
        />
        <label class="msg-form__field" for="room-settings-description">
          What the room is for
        </label>
        <textarea
          id="room-settings-description"
          class="input msg-form__textarea"
          maxLength={LIMITS.text.roomDescriptionMaxChars}
          value={description()}
          onInput={(e) => setDescription(e.currentTarget.value)}
        />
        <Show when={props.room.roomType !== 'circle'}>
          <RoomTypeField
            id="room-settings-type"
            value={type()}
            onChange={(next) => {
              setType(next);
              // As the server decides for a new room: a help room threads each question, other kinds do not.
              setAutoThread(next === 'help');
            }}
          />
        </Show>
        <label class="room-settings__check">
          <input type="checkbox" checked={autoThread()} onChange={(e) => setAutoThread(e.currentTarget.checked)} />
          Each new message starts its own thread
        </label>
        <label class="msg-form__field" for="room-settings-readers">
          Who can read (whoever no longer can loses the room at once)
        </label>
        <select
          id="room-settings-readers"
          class="input"
          value={whoReads()}
          onChange={(e) => setWhoReads(e.currentTarget.value as PermissionLevel)}
        >
          <For each={READ_LEVELS}>{(c) => <option value={c.level}>{c.label}</option>}</For>
        </select>
        <label class="msg-form__field" for="room-settings-slow">
          Slow mode (new members wait twice as long; trusted members, moderators and admins not at all)
        </label>
        <select
          id="room-settings-slow"
          class="input"
          value={String(slowMode())}
          onChange={(e) => setSlowMode(Number(e.currentTarget.value))}
        >
          <For each={slowChoices()}>{(m) => <option value={String(m.seconds)}>{m.label}</option>}</For>
        </select>
        <Show
          when={type() !== 'announcement'}
          fallback={
            <p class="room-settings__note">
              An announcement room: only its moderators and admins post; everyone reacts.
            </p>
          }
        >
          <label class="msg-form__field" for="room-settings-writers">
            Who can post
          </label>
          <select
            id="room-settings-writers"
            class="input"
            value={whoPosts()}
            onChange={(e) => setWhoPosts(e.currentTarget.value as PermissionLevel)}
          >
            <For each={WRITE_LEVELS}>{(c) => <option value={c.level}>{c.label}</option>}</For>
          </select>
        </Show>
        <label class="msg-form__field" for="room-settings-trust">
          Members need before posting (moderators and admins are exempt)
        </label>
        <select
          id="room-settings-trust"
          class="input"
          value={minTrust()}
          onChange={(e) => setMinTrust(e.currentTarget.value as TrustLevel)}
        >
          <For each={TRUST_CHOICES}>{(c) => <option value={c.level}>{c.label}</option>}</For>
        </select>
        <label class="room-settings__check">
          <input type="checkbox" checked={archived()} onChange={(e) => setArchived(e.currentTarget.checked)} />
          Archived (read-only: nobody posts until it is unarchived)
        </label>
        <RefusalAlert message={error()} />
        <div class="msg-form__buttons">
          <button type="button" class="button button--secondary button--small" onClick={() => dialog?.close()}>
            Cancel
          </button>
          <button type="submit" class="button button--primary button--small" disabled={busy()}>
            {busy() ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
      <RoomRoles roomId={props.room.id} token={props.token} me={props.me} />
    </dialog>
  );
}
