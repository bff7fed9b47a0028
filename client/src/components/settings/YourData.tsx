import { createSignal, For, onCleanup, Show, type JSX } from 'solid-js';
import { formatBytes } from '../../api/attachments.ts';
import { isApiError } from '../../api/http.ts';
import {
  deleteMyAccount,
  downloadDataExport,
  fetchDataExports,
  requestDataExport,
  type DataExport,
} from '../../api/privacy.ts';
import type { User } from '../../api/types.ts';
import { createRefreshable } from '../../lib/refreshable.ts';
import { RefusalAlert } from '../RefusalAlert.tsx';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
/** While an export is being prepared, its state is asked for this often. */
const POLL_MS = 3000;

const errorText = (err: unknown, fallback: string) => (isApiError(err) ? err.message : fallback);

/**
 * The member's rights over their data: a copy of everything Lounge keeps about them (prepared in the
 * background, downloadable for a week), and deleting their account for good.
 */
export function YourData(props: { token: string; user: User; onAccountDeleted: () => void }): JSX.Element {
  const exports = createRefreshable(
    () => props.token,
    (token) => fetchDataExports(token),
  );
  const [message, setMessage] = createSignal<{ text: string; error: boolean } | null>(null);
  const [asking, setAsking] = createSignal(false);
  const preparing = () => (exports.value() ?? []).some((e) => e.status === 'pending' || e.status === 'running');
  const timer = setInterval(() => {
    if (preparing()) exports.refresh();
  }, POLL_MS);
  onCleanup(() => clearInterval(timer));

  const ask = () => {
    setAsking(true);
    setMessage(null);
    requestDataExport(props.token)
      .then(
        () =>
          setMessage({ text: 'Preparing your data. It takes a minute or two; you can leave this page.', error: false }),
        (err: unknown) => setMessage({ text: errorText(err, 'That did not work. Please try again.'), error: true }),
      )
      .finally(() => {
        setAsking(false);
        exports.refresh();
      });
  };

  return (
    <>
      <section class="settings-section" aria-labelledby="settings-data">
        <h2 class="settings-section__title" id="settings-data">
          Your data
        </h2>
        <p class="settings-section__text">
          Download a copy of everything Lounge keeps about you: your messages (with earlier versions of edited ones),
          direct messages, reactions, notifications, settings and the files you shared, as a zip file.
        </p>
        <button type="button" class="button button--secondary" disabled={asking() || preparing()} onClick={ask}>
          {preparing() ? 'Preparing your data…' : 'Prepare a download'}
        </button>
        <div role="status" aria-live="polite">
          {/* "Preparing…" is said while it is true; a refusal stays until the next try. */}
          <Show when={message()?.error || preparing() ? message() : null}>
            {(m) => <p classList={{ refusal: m().error, settings__saved: !m().error }}>{m().text}</p>}
          </Show>
        </div>
        <Show when={(exports.value() ?? []).length > 0}>
          <ul class="settings-exports" aria-label="Your downloads">
            <For each={exports.value()}>{(e) => <ExportRow export={e} token={props.token} />}</For>
          </ul>
        </Show>
      </section>
      <DeleteAccount token={props.token} user={props.user} onDeleted={props.onAccountDeleted} />
    </>
  );
}

function ExportRow(props: { export: DataExport; token: string }): JSX.Element {
  const [error, setError] = createSignal<string | null>(null);
  const e = () => props.export;
  return (
    <li class="settings-export" data-status={e().status}>
      <span class="settings-export__what">
        <span class="settings-choice__label">Requested {timeFormat.format(new Date(e().createdAt))}</span>
        <span class="settings-choice__hint">
          {e().status === 'done'
            ? `${formatBytes(e().size ?? 0)} · available until ${dateFormat.format(new Date(e().expiresAt!))}`
            : e().status === 'failed'
              ? 'Could not be prepared. Please ask again.'
              : 'Preparing…'}
        </span>
        <Show when={error()}>
          {(text) => (
            <span class="refusal" role="alert">
              {text()}
            </span>
          )}
        </Show>
      </span>
      <Show when={e().status === 'done'}>
        <button
          type="button"
          class="button button--secondary button--small"
          onClick={() => {
            setError(null);
            downloadDataExport(props.token, e().id).catch((err: unknown) =>
              setError(errorText(err, 'The download failed. Please try again.')),
            );
          }}
        >
          Download
        </button>
      </Show>
    </li>
  );
}

/**
 * Deleting the account: said plainly what goes and what stays, confirmed by typing the handle (a slip
 * of the mouse must not do it), then every device is signed out.
 */
function DeleteAccount(props: { token: string; user: User; onDeleted: () => void }): JSX.Element {
  const [open, setOpen] = createSignal(false);
  const [typed, setTyped] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const matches = () => typed().trim().replace(/^@/, '').toLowerCase() === props.user.handle.toLowerCase();
  return (
    <section class="settings-section settings-section--danger" aria-labelledby="settings-delete">
      <h2 class="settings-section__title" id="settings-delete">
        Delete your account
      </h2>
      <p class="settings-section__text">
        Your profile, settings, memberships, notifications, drafts and downloads are erased, and you are signed out
        everywhere. Your messages stay in their conversations so they still make sense, shown as written by “Deleted
        user”; delete any you want gone first. This cannot be undone.
      </p>
      <Show
        when={open()}
        fallback={
          <button type="button" class="button button--danger" onClick={() => setOpen(true)}>
            Delete my account…
          </button>
        }
      >
        <form
          class="settings-field"
          aria-label="Confirm account deletion"
          onSubmit={(event) => {
            event.preventDefault();
            if (!matches() || busy()) return;
            setBusy(true);
            setError(null);
            deleteMyAccount(props.token, typed()).then(
              () => props.onDeleted(),
              (err: unknown) => {
                setBusy(false);
                setError(errorText(err, 'Your account was not deleted. Please try again.'));
              },
            );
          }}
        >
          <label class="settings-choice__label" for="settings-delete-confirm">
            Type your handle, {props.user.handle}, to confirm
          </label>
          <div class="settings-field__row">
            <input
              id="settings-delete-confirm"
              class="input settings-field__control"
              autocomplete="off"
              spellcheck={false}
              value={typed()}
              onInput={(event) => setTyped(event.currentTarget.value)}
            />
            <button type="submit" class="button button--danger" disabled={!matches() || busy()}>
              {busy() ? 'Deleting…' : 'Delete my account'}
            </button>
            <button
              type="button"
              class="button button--ghost"
              onClick={() => {
                setOpen(false);
                setTyped('');
              }}
            >
              Cancel
            </button>
          </div>
          <RefusalAlert message={error()} />
        </form>
      </Show>
    </section>
  );
}
