import { createSignal, For, Show, type JSX } from 'solid-js';
import {
  decideReviewItem,
  fetchModeratedRooms,
  fetchModerationStatus,
  fetchReviewQueue,
  type ReviewAction,
  type ReviewItem,
} from '../api/community.ts';
import { isApiError } from '../api/http.ts';
import type { User } from '../api/types.ts';
import { MUTE_DURATIONS } from '../components/chat/MessageMenu.tsx';
import { reportReasonLabel } from '../../../shared/rules/report-reasons.ts';
import { RefreshIcon, ShieldIcon } from '../components/icons.tsx';
import { RestrictedMembers } from '../components/moderation/RestrictedMembers.tsx';
import { ModerationLog } from '../components/moderation/ModerationLog.tsx';
import { memberLabel } from '../components/moderation/member-label.ts';
import { MessagePlaceLink } from '../components/moderation/MessagePlaceLink.tsx';
import { MessageAttachments } from '../components/chat/Attachments.tsx';
import { attachmentUrl } from '../api/attachments.ts';
import { relativeTime } from '../format.ts';
import { useDocumentTitle } from '../lib/document-title.ts';
import { createRefreshable } from '../lib/refreshable.ts';
import { RefusalAlert } from '../components/RefusalAlert.tsx';

const SOURCE_LABELS: Record<ReviewItem['source'], string> = {
  ai: 'Flagged by AI review',
  community: 'Reported by members',
  admin: 'Raised by an admin',
  system: 'Flagged by the word filter',
};

const ACTIONS: Array<{ action: ReviewAction; label: string; kind: 'primary' | 'secondary' | 'danger' }> = [
  { action: 'approve', label: 'Approve', kind: 'secondary' },
  { action: 'hide', label: 'Hide', kind: 'secondary' },
  { action: 'delete', label: 'Delete', kind: 'danger' },
  // Acting on the author takes the message down too: the buttons say both.
  { action: 'warn', label: 'Hide and warn', kind: 'secondary' },
  { action: 'mute', label: 'Hide and mute', kind: 'secondary' },
  { action: 'ban', label: 'Hide and ban', kind: 'danger' },
  { action: 'escalate', label: 'Escalate', kind: 'secondary' },
];

const percent = (score: number) => `${Math.round(score * 100)}%`;

const errorText = (err: unknown, fallback: string) => (isApiError(err) ? err.message : fallback);

/** What a decision did, as the card says it afterwards. */
const DONE_TEXT: Record<ReviewAction, string> = {
  approve: 'Approved: the message stays.',
  hide: 'Hidden from members.',
  delete: 'Deleted for everyone.',
  warn: 'The author was warned; the message was hidden.',
  mute: 'The author is muted here; the message was hidden.',
  ban: 'The author is banned from this room; the message was hidden.',
  escalate: 'Sent to the admins.',
};

/** The review queue: what the filters and members flagged in the rooms this member moderates. */
export function ModerationPage(props: { token: string; user: User }): JSX.Element {
  useDocumentTitle(() => 'Review queue');
  const status = createRefreshable(() => props.token, fetchModerationStatus);
  // Room moderators see what waits in their rooms; global admins can also open what was escalated to them.
  const [view, setView] = createSignal<'pending' | 'escalated'>('pending');
  const queue = createRefreshable(
    () => ({ token: props.token, view: view() }),
    (key) => fetchReviewQueue(key.token, key.view),
  );
  const [done, setDone] = createSignal<Record<string, string>>({});
  // The rooms this member moderates, from the server: the log's picker offers only those (project rooms and
  // circles too), on any device, whatever pages it has opened before.
  const moderated = createRefreshable(() => props.token, fetchModeratedRooms);

  return (
    <main class="content-page" id="main" tabIndex={-1}>
      <div class="content-page__inner">
        <h1 class="content-page__title">
          <ShieldIcon />
          Review queue
        </h1>
        <Show when={status.value()}>
          {(s) => (
            <Show when={s().layer2 === 'off'}>
              <p class="banner" role="note">
                <strong>AI review (Layer 2) is off.</strong> {s().message}
              </p>
            </Show>
          )}
        </Show>
        <Show when={props.user.isGlobalAdmin}>
          <div class="segmented" role="group" aria-label="Which items">
            <button
              type="button"
              class="button button--small"
              classList={{ 'button--primary': view() === 'pending', 'button--secondary': view() !== 'pending' }}
              aria-pressed={view() === 'pending'}
              onClick={() => setView('pending')}
            >
              Waiting for review
            </button>
            <button
              type="button"
              class="button button--small"
              classList={{ 'button--primary': view() === 'escalated', 'button--secondary': view() !== 'escalated' }}
              aria-pressed={view() === 'escalated'}
              onClick={() => setView('escalated')}
            >
              Escalated to admins
            </button>
          </div>
        </Show>
        <div>
          <button type="button" class="button button--secondary button--small" onClick={() => queue.refresh()}>
            <RefreshIcon />
            {queue.loading() ? 'Loading…' : 'Refresh'}
          </button>
        </div>
        <Show when={queue.error()}>
          <p class="refusal" role="alert">
            {errorText(queue.error(), 'The review queue could not be loaded.')}
          </p>
        </Show>
        <Show
          when={(queue.value()?.items ?? []).length > 0}
          fallback={
            <Show when={queue.value()}>
              <p class="side-panel__note">
                {view() === 'escalated'
                  ? 'Nothing was escalated to the admins.'
                  : 'Nothing waits for review. Well done, team.'}
              </p>
            </Show>
          }
        >
          <ul class="review-list" aria-label={view() === 'escalated' ? 'Escalated items' : 'Items waiting for review'}>
            <For each={queue.value()?.items ?? []}>
              {(item) => (
                <ReviewCard
                  item={item}
                  roomName={item.roomName ?? (item.roomId ? 'a room' : 'a direct message')}
                  token={props.token}
                  outcome={done()[item.id]}
                  onDone={(text) => setDone((all) => ({ ...all, [item.id]: text }))}
                />
              )}
            </For>
          </ul>
        </Show>
        <RestrictedMembers token={props.token} />
        <Show when={moderated.value()?.rooms}>{(list) => <ModerationLog token={props.token} rooms={list()} />}</Show>
      </div>
    </main>
  );
}

function ReviewCard(props: {
  item: ReviewItem;
  roomName: string;
  token: string;
  outcome: string | undefined;
  onDone: (text: string) => void;
}): JSX.Element {
  const gone = () => item().message.authorDeleted === true;
  const [reason, setReason] = createSignal('');
  const [duration, setDuration] = createSignal(60);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const item = () => props.item;
  /** The words as reported or flagged, when the author edited them since (null: not edited since). */
  const editedSince = () => item().message.bodyWhenFlagged ?? null;
  const raisedAs = () => (item().source === 'community' ? 'reported' : 'flagged');
  const categories = () =>
    Object.entries(item().aiCategories)
      .filter(([, score]) => score > 0.01)
      .sort((a, b) => b[1] - a[1]);
  const act = async (action: ReviewAction) => {
    setBusy(true);
    setError(null);
    try {
      await decideReviewItem(props.token, item().id, {
        action,
        reason: reason().trim(),
        ...(action === 'mute' ? { durationMinutes: duration() } : {}),
      });
      props.onDone(DONE_TEXT[action]);
    } catch (err) {
      setError(errorText(err, 'That action did not go through. Please try again.'));
    } finally {
      setBusy(false);
    }
  };
  const headingId = `review-${props.item.id}`;
  return (
    <li class="review-item" aria-labelledby={headingId} data-item-id={item().id}>
      <div class="review-item__head">
        <span class="badge badge--danger" id={headingId}>
          {SOURCE_LABELS[item().source]}
        </span>
        <span>in {item().place?.channelKind === 'thread' ? `a thread of ${props.roomName}` : props.roomName}</span>
        <span>· {relativeTime(item().createdAt)}</span>
        <Show when={item().reportCount > 0}>
          <span>
            · {item().reportCount} {item().reportCount === 1 ? 'report' : 'reports'}
          </span>
        </Show>
        <Show when={item().escalated}>
          <span class="badge">Escalated</span>
        </Show>
      </div>
      <p class="review-item__reason">{item().reason}</p>
      <Show when={item().escalation}>
        {(e) => (
          <p class="review-item__reason">
            <strong>
              Escalated{e().byHandle || e().byDeleted ? ` by ${memberLabel(e().byHandle, e().byDeleted, '')}` : ''}
            </strong>
            {e().reason ? `: ${e().reason}` : '.'}
          </p>
        )}
      </Show>
      <Show when={item().context.length > 0}>
        <ul class="review-item__context" aria-label="Messages before it">
          <For each={item().context.filter((c) => c.seq < item().message.seq)}>
            {(c) => (
              <li>
                <strong>{memberLabel(c.authorHandle, c.authorDeleted, '@unknown')}:</strong> {c.body}
              </li>
            )}
          </For>
        </ul>
      </Show>
      {/* Edited since it was raised: the words that were reported come first, marked, then what it says now. */}
      <Show when={editedSince() !== null}>
        <p class="review-item__edited" role="note">
          <strong>Edited after it was {raisedAs()}</strong>
          {item().message.editedAt ? ` (${relativeTime(item().message.editedAt!)})` : ''}. As {raisedAs()}:
        </p>
      </Show>
      <blockquote class="review-item__message">
        <strong>{memberLabel(item().message.authorHandle, item().message.authorDeleted, '@unknown')}:</strong>{' '}
        {editedSince() ?? (item().message.body || (item().message.attachments?.length ? '' : '(no text)'))}
        <Show when={editedSince() === null && item().message.editedAt}>
          <span class="msg__edited"> (edited)</span>
        </Show>
        <Show when={item().message.attachments?.length}>
          <MessageAttachments
            files={item().message.attachments ?? []}
            fileUrl={(id) => attachmentUrl(props.token, id)}
          />
        </Show>
      </blockquote>
      <Show when={editedSince() !== null}>
        <p class="review-item__edited">It now reads:</p>
        <blockquote class="review-item__message review-item__message--now">
          {item().message.body || '(no text)'}
        </blockquote>
      </Show>
      <MessagePlaceLink place={item().place} class="review-item__open" />
      <Show when={item().message.hidden || item().message.deleted}>
        <p class="side-panel__note">
          {item().message.deleted
            ? 'Already deleted.'
            : `Hidden from members${item().message.hiddenReason ? `: ${item().message.hiddenReason}` : ''}.`}
        </p>
      </Show>
      <Show when={categories().length > 0}>
        <ul class="review-item__scores" aria-label="AI categories and scores">
          <For each={categories()}>
            {([category, score]) => (
              <li class="badge" classList={{ 'badge--danger': score >= 0.5 }}>
                {category.replace(/[_/-]/g, ' ')}: {percent(score)}
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={item().reports.length > 0}>
        <ul class="review-item__context" aria-label="Reports">
          <For each={item().reports}>
            {(r) => (
              <li>
                {reportReasonLabel(r.reason)}
                {r.details ? `: “${r.details}”` : ''} · {relativeTime(r.createdAt)}
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show
        when={!props.outcome}
        fallback={
          <p class="side-panel__note" role="status">
            {props.outcome}
          </p>
        }
      >
        <div class="review-item__actions">
          <div class="review-item__reason">
            <label class="msg-form__field" for={`reason-${item().id}`}>
              {gone()
                ? 'Reason (kept in the moderation log)'
                : 'Reason (the author is told it; kept in the moderation log)'}
            </label>
            <input
              id={`reason-${item().id}`}
              class="input"
              maxLength={1000}
              value={reason()}
              onInput={(e) => setReason(e.currentTarget.value)}
            />
          </div>
          <Show when={!gone()}>
            <div>
              <label class="msg-form__field" for={`duration-${item().id}`}>
                Mute for
              </label>
              <select
                id={`duration-${item().id}`}
                class="input"
                onChange={(e) => setDuration(Number(e.currentTarget.value))}
              >
                <For each={MUTE_DURATIONS}>
                  {(d) => (
                    <option value={d.minutes} selected={d.minutes === duration()}>
                      {d.label}
                    </option>
                  )}
                </For>
              </select>
            </div>
          </Show>
        </div>
        <div class="review-item__actions" role="group" aria-label="Decide">
          {/* Escalating is what room moderators do; an escalated item is for the admins to decide. */}
          {/* A deleted account has nobody left to warn, mute or ban: the message alone is decided. */}
          <For
            each={ACTIONS.filter(
              (a) =>
                !(a.action === 'escalate' && item().status === 'escalated') &&
                !(gone() && (a.action === 'warn' || a.action === 'mute' || a.action === 'ban')),
            )}
          >
            {(a) => (
              <button
                type="button"
                class={`button button--small button--${a.kind}`}
                disabled={busy()}
                onClick={() => void act(a.action)}
              >
                {a.label}
              </button>
            )}
          </For>
        </div>
        <RefusalAlert message={error()} />
      </Show>
    </li>
  );
}
