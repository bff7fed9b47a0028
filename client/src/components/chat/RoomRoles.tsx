import { createSignal, For, Show, type JSX } from 'solid-js';
import { isApiError } from '../../api/http.ts';
import { fetchMembers, grantRole, type GrantableRole, type RoomMember } from '../../api/community.ts';
import { RefusalAlert } from '../RefusalAlert.tsx';

const ROLE_CHOICES: ReadonlyArray<{ role: GrantableRole; label: string }> = [
  { role: 'member', label: 'Member' },
  { role: 'trusted', label: 'Trusted member' },
  { role: 'moderator', label: 'Moderator' },
  { role: 'admin', label: 'Admin' },
];
const GRANTABLE = new Set<string>(ROLE_CHOICES.map((c) => c.role));

/**
 * A room's members with their roles, for its owners and admins: each grantable role can be changed in
 * place (the server checks that the giver outranks both the old and the new role and says why not).
 * Owners, muted and banned members are listed but not changed here.
 */
export function RoomRoles(props: { roomId: string; token: string; me: string }): JSX.Element {
  const [members, setMembers] = createSignal<RoomMember[] | null>(null);
  const [status, setStatus] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  void fetchMembers(props.token, props.roomId)
    .then((answer) => setMembers(answer.members))
    .catch((err: unknown) => setError(isApiError(err) ? err.message : 'The members could not be loaded.'));

  const change = async (member: RoomMember, role: GrantableRole) => {
    setStatus(null);
    setError(null);
    try {
      await grantRole(props.token, props.roomId, member.user.id, role);
      setMembers((list) => list?.map((m) => (m.user.id === member.user.id ? { ...m, role } : m)) ?? null);
      setStatus(`${member.user.displayName} is now ${ROLE_CHOICES.find((c) => c.role === role)!.label.toLowerCase()}.`);
    } catch (err) {
      setError(isApiError(err) ? err.message : 'The role could not be changed.');
    }
  };

  return (
    <fieldset class="room-roles">
      <legend>Members and roles</legend>
      <Show when={members()} fallback={<p class="side-panel__note">Loading members…</p>}>
        {(list) => (
          <ul class="room-roles__list" aria-label="Members of this room">
            <For each={list()}>
              {(member) => (
                <li class="room-roles__member">
                  <span class="room-roles__name">
                    {member.user.displayName} <span class="room-roles__handle">@{member.user.handle}</span>
                  </span>
                  <Show
                    when={GRANTABLE.has(member.role) && member.user.id !== props.me}
                    fallback={<span class="chip">{member.role}</span>}
                  >
                    <select
                      class="input room-roles__select"
                      aria-label={`Role of ${member.user.displayName}`}
                      value={member.role}
                      onChange={(e) => void change(member, e.currentTarget.value as GrantableRole)}
                    >
                      <For each={ROLE_CHOICES}>{(c) => <option value={c.role}>{c.label}</option>}</For>
                    </select>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        )}
      </Show>
      <Show when={status()}>
        {(text) => (
          <p class="side-panel__note" role="status">
            {text()}
          </p>
        )}
      </Show>
      <RefusalAlert message={error()} />
    </fieldset>
  );
}
