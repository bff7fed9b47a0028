import { createSignal, For, Show, type JSX } from 'solid-js';
import { isApiError } from '../../api/http.ts';
import { fetchModerationLog, type ModeratedRoom, type ModerationLogEntry } from '../../api/community.ts';
import { relativeTime } from '../../format.ts';
import { RefusalAlert } from '../RefusalAlert.tsx';
import { memberLabel } from './member-label.ts';
import { MessagePlaceLink } from './MessagePlaceLink.tsx';

/** What each logged action reads as, by whom it was taken. */
const ACTION_WORDS: Record<string, string> = {
  approve: 'approved a message',
  flag: 'flagged a message',
  hide: 'hid a message',
  unhide: 'restored a message',
  delete: 'deleted a message',
  warn: 'warned',
  mute: 'muted',
  unmute: 'unmuted',
  ban: 'banned',
  unban: 'lifted the ban of',
  escalate: 'escalated a message',
};
/** Rooms that are not Lounge rooms say what they are, so "Orbit" the project reads apart from a topic. */
const ROOM_KIND: Record<string, string> = {
  circle: 'Thrive Circle',
  project: 'project',
  learning_path: 'learning path',
};

const SOURCE_ACTOR: Record<string, string> = {
  ai: 'Automatic moderation',
  system: 'The filter',
  community: 'Member reports',
};

/**
 * A room's moderation log for its moderators: who did what to whom and why, newest first — so a team of
 * moderators sees each other's decisions (the spec's moderator dashboard). One room at a time.
 */
export function ModerationLog(props: { token: string; rooms: readonly ModeratedRoom[] }): JSX.Element {
  const [roomId, setRoomId] = createSignal<string>('');
  const [entries, setEntries] = createSignal<ModerationLogEntry[] | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const load = async (id: string) => {
    setRoomId(id);
    setEntries(null);
    setError(null);
    if (!id) return;
    try {
      setEntries((await fetchModerationLog(props.token, id)).entries);
    } catch (err) {
      setError(isApiError(err) ? err.message : 'The log could not be loaded.');
    }
  };
  const who = (e: ModerationLogEntry) =>
    memberLabel(e.actorHandle, e.actorDeleted, SOURCE_ACTOR[e.source] ?? 'Someone');
  const what = (e: ModerationLogEntry) => {
    const words = ACTION_WORDS[e.action] ?? e.action;
    const target = memberLabel(e.targetHandle, e.targetDeleted, '');
    return target && !words.endsWith('message') ? `${words} ${target}` : `${words}${target ? ` by ${target}` : ''}`;
  };
  return (
    <section class="restricted moderation-log" aria-labelledby="moderation-log-title">
      <h2 id="moderation-log-title" class="restricted__title">
        Moderation log
      </h2>
      <label class="msg-form__field" for="moderation-log-room">
        Room
      </label>
      <select
        id="moderation-log-room"
        class="input"
        value={roomId()}
        onChange={(e) => void load(e.currentTarget.value)}
      >
        <option value="">Choose a room…</option>
        <For each={props.rooms}>
          {(room) => (
            <option value={room.id}>
              {room.name}
              {ROOM_KIND[room.roomType] ? ` (${ROOM_KIND[room.roomType]})` : ''}
              {room.archived ? ' · archived' : ''}
            </option>
          )}
        </For>
      </select>
      <RefusalAlert message={error()} />
      <Show when={entries()}>
        {(list) => (
          <Show when={list().length > 0} fallback={<p class="side-panel__note">Nothing logged in this room yet.</p>}>
            <ol class="moderation-log__list" aria-label="Moderation actions, newest first">
              <For each={list()}>
                {(entry) => (
                  <li class="moderation-log__entry">
                    <span class="moderation-log__when">{relativeTime(entry.createdAt)}</span>{' '}
                    <strong>{who(entry)}</strong> {what(entry)}
                    <Show when={entry.reason}>
                      <span class="moderation-log__reason">: {entry.reason}</span>
                    </Show>{' '}
                    <MessagePlaceLink place={entry.place} class="moderation-log__open" />
                  </li>
                )}
              </For>
            </ol>
          </Show>
        )}
      </Show>
    </section>
  );
}
