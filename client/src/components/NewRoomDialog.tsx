import { createSignal, onMount, type JSX } from 'solid-js';
import { createLoungeRoom, type CreatedRoom } from '../api/community.ts';
import { isApiError } from '../api/http.ts';
import type { RoomContextType } from '../api/types.ts';
import { roomWordsProblem, slugFromName } from '../lib/room-form.ts';
import { LIMITS } from '../../../shared/rules/limits.ts';
import { RefusalAlert } from './RefusalAlert.tsx';
import { RoomTypeField } from './chat/RoomSettings.tsx';

/**
 * A platform admin opens a new topic room in The Lounge: name, address (from the name until the admin
 * writes one), emoji, what it is for and its type. What the server would refuse is said before sending
 * (the shared limits); its own refusal (an address another room uses) is shown in its words. A modal
 * dialog: Escape or Cancel closes it.
 */
export function NewRoomDialog(props: {
  token: string;
  onCreated: (room: CreatedRoom) => void;
  onClose: () => void;
}): JSX.Element {
  let dialog: HTMLDialogElement | undefined;
  const [name, setName] = createSignal('');
  const [ownSlug, setOwnSlug] = createSignal<string | null>(null);
  const slug = () => ownSlug() ?? slugFromName(name());
  const [emoji, setEmoji] = createSignal('');
  const [description, setDescription] = createSignal('');
  const [type, setType] = createSignal<RoomContextType>('text');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  onMount(() => dialog?.showModal());

  const submit = async (event: Event) => {
    event.preventDefault();
    const words = { name: name(), emoji: emoji(), description: description(), slug: slug() };
    const problem = roomWordsProblem(words);
    if (problem) return setError(problem);
    setBusy(true);
    setError(null);
    try {
      const { room } = await createLoungeRoom(props.token, {
        name: name().trim(),
        slug: slug(),
        emoji: emoji().trim(),
        description: description().trim(),
        contextType: type(),
      });
      props.onCreated(room);
      dialog?.close();
    } catch (err) {
      setError(isApiError(err) ? err.message : 'The room could not be created. Try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={(el) => (dialog = el)}
      class="room-settings"
      aria-labelledby="new-room-title"
      onClose={() => props.onClose()}
    >
      <form class="msg-form" onSubmit={(e) => void submit(e)} noValidate>
        <h2 id="new-room-title" class="room-settings__title">
          New room in The Lounge
        </h2>
        <label class="msg-form__field" for="new-room-name">
          Name
        </label>
        <input
          id="new-room-name"
          class="input"
          maxLength={LIMITS.text.roomNameMaxChars * 2}
          autocomplete="off"
          value={name()}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <label class="msg-form__field" for="new-room-slug">
          Address
        </label>
        <div class="new-room__address">
          <span class="new-room__prefix" aria-hidden="true">
            /lounge/
          </span>
          <input
            id="new-room-slug"
            class="input"
            maxLength={LIMITS.roomSlug.maxChars}
            autocomplete="off"
            spellcheck={false}
            aria-describedby="new-room-slug-rule"
            value={slug()}
            onInput={(e) => setOwnSlug(e.currentTarget.value)}
          />
        </div>
        <p class="room-settings__hint" id="new-room-slug-rule">
          Lowercase letters, digits and dashes; members share it as the room’s link.
        </p>
        <label class="msg-form__field" for="new-room-emoji">
          Emoji
        </label>
        <input
          id="new-room-emoji"
          class="input room-settings__emoji"
          maxLength={LIMITS.text.roomEmojiMaxChars * 2}
          autocomplete="off"
          value={emoji()}
          onInput={(e) => setEmoji(e.currentTarget.value)}
        />
        <label class="msg-form__field" for="new-room-description">
          What the room is for
        </label>
        <textarea
          id="new-room-description"
          class="input msg-form__textarea"
          maxLength={LIMITS.text.roomDescriptionMaxChars * 2}
          value={description()}
          onInput={(e) => setDescription(e.currentTarget.value)}
        />
        <RoomTypeField id="new-room-type" value={type()} onChange={setType} />
        <RefusalAlert message={error()} />
        <div class="msg-form__buttons">
          <button type="button" class="button button--secondary button--small" onClick={() => dialog?.close()}>
            Cancel
          </button>
          <button type="submit" class="button button--primary button--small" disabled={busy()}>
            {busy() ? 'Creating…' : 'Create room'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
