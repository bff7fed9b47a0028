import { createSignal, For, Show, type JSX } from 'solid-js';
import { fetchRestrictedMembers, type PublicUser } from '../../api/community.ts';
import { isApiError } from '../../api/http.ts';
import { useReplica } from '../../replica/context.ts';
import { Avatar } from '../Avatar.tsx';
import { RefreshIcon } from '../icons.tsx';

interface Restricted {
  room: { id: string; name: string; emoji: string };
  member: { user: PublicUser; role: 'muted' | 'banned' };
}

/**
 * Members a moderator muted until further notice or banned, in the rooms this member moderates, with
 * the way back (Unmute, Unban) as `moderate_member` intents: the server decides and logs them like
 * any moderation action.
 */
export function RestrictedMembers(props: { token: string }): JSX.Element {
  const replica = useReplica();
  const [list, setList] = createSignal<Restricted[] | null>(null);
  const [loading, setLoading] = createSignal(false);
  const [status, setStatus] = createSignal<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = createSignal<string | null>(null);

  const load = async () => {
    setLoading(true);
    try {
      // One answer for every room this member moderates — project rooms and circles too.
      setList((await fetchRestrictedMembers(props.token)).entries);
    } catch (err) {
      setStatus({ text: isApiError(err) ? err.message : 'Members could not be loaded.', error: true });
    } finally {
      setLoading(false);
    }
  };
  void load();

  const lift = (entry: Restricted) => {
    const action = entry.member.role === 'banned' ? 'unban' : 'unmute';
    const key = `${entry.room.id}:${entry.member.user.id}`;
    setBusy(key);
    const id = replica.enqueue({
      kind: 'moderate_member',
      roomId: entry.room.id,
      userId: entry.member.user.id,
      action,
      durationMinutes: null,
      reason: '',
    });
    void replica.whenVerdict(id).then((verdict) => {
      setBusy(null);
      if (verdict.status === 'rejected') {
        replica.dropFailed(id);
        setStatus({ text: verdict.reason, error: true });
        return;
      }
      const name = entry.member.user.displayName;
      setStatus({
        text:
          action === 'unban'
            ? `${name} may come back to ${entry.room.name}.`
            : `${name} may post in ${entry.room.name} again.`,
        error: false,
      });
      setList((all) => (all ?? []).filter((e) => `${e.room.id}:${e.member.user.id}` !== key));
    });
  };

  return (
    <section class="restricted" aria-labelledby="restricted-title">
      <div class="restricted__head">
        <h2 class="restricted__title" id="restricted-title">
          Muted and banned members
        </h2>
        <button type="button" class="button button--ghost button--small" onClick={() => void load()}>
          <RefreshIcon />
          {loading() ? 'Loading…' : 'Refresh'}
        </button>
      </div>
      <div role="status" aria-live="polite">
        <Show when={status()}>
          {(s) => <p classList={{ refusal: s().error, settings__saved: !s().error }}>{s().text}</p>}
        </Show>
      </div>
      <Show
        when={(list() ?? []).length > 0}
        fallback={
          <Show when={list()}>
            <p class="side-panel__note">Nobody is muted until further notice or banned in the rooms you moderate.</p>
          </Show>
        }
      >
        <ul class="settings-people" aria-label="Muted and banned members">
          <For each={list() ?? []}>
            {(entry) => {
              const user = entry.member.user;
              const banned = entry.member.role === 'banned';
              const label = `${banned ? 'Unban' : 'Unmute'} ${user.displayName} in ${entry.room.name}`;
              return (
                <li class="settings-person">
                  <Avatar
                    user={{
                      id: user.id,
                      handle: user.handle ?? '',
                      displayName: user.displayName,
                      avatarUrl: user.avatarUrl,
                      isGlobalAdmin: false,
                    }}
                    size={32}
                  />
                  <span class="settings-person__name">
                    {user.displayName}
                    <Show when={user.handle}>
                      <span class="picker__handle"> @{user.handle}</span>
                    </Show>
                    <span class="restricted__where">
                      {banned ? 'Banned from' : 'Muted in'} {entry.room.emoji} {entry.room.name}
                    </span>
                  </span>
                  <button
                    type="button"
                    class="button button--secondary button--small"
                    aria-label={label}
                    disabled={busy() === `${entry.room.id}:${user.id}`}
                    onClick={() => lift(entry)}
                  >
                    {banned ? 'Unban' : 'Unmute'}
                  </button>
                </li>
              );
            }}
          </For>
        </ul>
      </Show>
    </section>
  );
}
