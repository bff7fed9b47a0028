import { createEffect, createSignal, For, onCleanup, Show, type Accessor, type JSX } from 'solid-js';
import type * as Y from 'yjs';
import { fetchSettings, patchSettings, setRelation, type DmPermission, type MySettings } from '../api/community.ts';
import { isApiError } from '../api/http.ts';
import type { User } from '../api/types.ts';
import { Avatar } from '../components/Avatar.tsx';
import { SettingsIcon } from '../components/icons.tsx';
import { setTheme, theme, type ThemeChoice } from '../components/settings/theme.ts';
import { YourData } from '../components/settings/YourData.tsx';
import { browserPushSubscribed, disablePush, enablePush, pushUnsupported } from '../lib/push-subscription.ts';
import { useDocumentTitle } from '../lib/document-title.ts';
import { createRefreshable } from '../lib/refreshable.ts';
import { useReplica } from '../replica/context.ts';

const THEMES: Array<{ value: ThemeChoice; label: string; hint: string }> = [
  { value: 'system', label: 'System', hint: 'Follows your device' },
  { value: 'light', label: 'Light', hint: 'Always light' },
  { value: 'dark', label: 'Dark', hint: 'Always dark' },
];

const DM_CHOICES: Array<{ value: DmPermission; label: string; hint: string }> = [
  { value: 'everyone', label: 'Everyone', hint: 'Any member can start a conversation with you.' },
  {
    value: 'connections',
    label: 'Connections',
    hint: 'Only your connections on the AllThrive platform (from your profile there).',
  },
  { value: 'following', label: 'People you follow', hint: 'Only members you follow on the AllThrive platform.' },
  { value: 'none', label: 'Nobody', hint: 'No new conversations; existing ones stay.' },
];

/** How long "Saved: …" stays on screen. */
const STATUS_SHOWN_MS = 5000;

const DIGESTS: Array<{ value: MySettings['emailDigest']; label: string }> = [
  { value: 'off', label: 'Off' },
  { value: 'daily', label: 'Daily' },
  { value: 'weekly', label: 'Weekly' },
];

// What this server delivers outside the app: a switch for something it cannot send stays off and says why.
// (An older server that does not say is taken at its word for all of them.)
const emailOn = (s: MySettings) => (s.delivery?.email ?? 'on') === 'on';
const smsOn = (s: MySettings) => (s.delivery?.sms ?? 'on') === 'on';
const pushOn = (s: MySettings) => (s.delivery?.push ?? 'on') === 'on';
const emailHint = (s: MySettings) =>
  s.delivery?.email === 'off'
    ? 'This server does not send email.'
    : s.delivery?.email === 'no_address'
      ? 'Your account has no email address; add one on the platform.'
      : 'When you have not seen it in the app within a few minutes; one email for what waited.';

const errorText = (err: unknown) => (isApiError(err) ? err.message : 'That did not save. Please try again.');

/** Reactive: the ids in one of the inbox doc's relation maps (`blocked`, `muted`), live as it syncs. */
function useRelationIds(doc: Y.Doc, name: 'blocked' | 'muted'): Accessor<string[]> {
  const map = doc.getMap<true>(name);
  const [ids, setIds] = createSignal([...map.keys()]);
  const update = () => setIds([...map.keys()]);
  map.observe(update);
  onCleanup(() => map.unobserve(update));
  return ids;
}

/** A titled group of settings. */
function Section(props: { id: string; title: string; description?: string; children: JSX.Element }): JSX.Element {
  return (
    <section class="settings-section" aria-labelledby={props.id}>
      <h2 class="settings-section__title" id={props.id}>
        {props.title}
      </h2>
      <Show when={props.description}>
        <p class="settings-section__text">{props.description}</p>
      </Show>
      {props.children}
    </section>
  );
}

/** Radio buttons as one labelled group: arrow keys move between them, as in any radio group. */
function Choices<T extends string>(props: {
  name: string;
  legend: string;
  choices: Array<{ value: T; label: string; hint: string }>;
  value: T | undefined;
  disabled?: boolean;
  onChange: (value: T) => void;
}): JSX.Element {
  return (
    <fieldset class="settings-choices" disabled={props.disabled}>
      <legend class="visually-hidden">{props.legend}</legend>
      <For each={props.choices}>
        {(choice) => (
          <label class="settings-choice" classList={{ 'settings-choice--on': props.value === choice.value }}>
            <input
              type="radio"
              name={props.name}
              value={choice.value}
              checked={props.value === choice.value}
              onChange={() => props.onChange(choice.value)}
            />
            <span class="settings-choice__text">
              <span class="settings-choice__label">{choice.label}</span>
              <span class="settings-choice__hint">{choice.hint}</span>
            </span>
          </label>
        )}
      </For>
    </fieldset>
  );
}

function Toggle(props: {
  label: string;
  hint?: string;
  checked: boolean;
  disabled?: boolean;
  /**
   * A change that can fail (the browser refusing permission) answers whether it took: when it did not,
   * the switch goes back to what is true — the reactive value did not change, so nothing else would move it.
   */
  onChange: (checked: boolean) => void | Promise<boolean>;
}): JSX.Element {
  return (
    <label class="settings-toggle">
      <input
        type="checkbox"
        role="switch"
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => {
          const input = e.currentTarget;
          const result = props.onChange(input.checked);
          if (result)
            void result.then((took) => {
              if (!took) input.checked = props.checked;
            });
        }}
      />
      <span class="settings-choice__text">
        <span class="settings-choice__label">{props.label}</span>
        <Show when={props.hint}>
          <span class="settings-choice__hint">{props.hint}</span>
        </Show>
      </span>
    </label>
  );
}

/** The members in one relation map, each with the button that lifts it. */
function RelationList(props: {
  ids: string[];
  empty: string;
  label: string;
  action: string;
  onLift: (id: string) => void;
}): JSX.Element {
  const replica = useReplica();
  return (
    <Show when={props.ids.length > 0} fallback={<p class="side-panel__note">{props.empty}</p>}>
      <ul class="settings-people" aria-label={props.label}>
        <For each={props.ids}>
          {(id) => {
            const name = () => replica.members.nameOf(id);
            const handle = () => replica.members.get(id)?.handle ?? '';
            return (
              <li class="settings-person">
                <Avatar
                  user={{ id, handle: handle(), displayName: name(), avatarUrl: null, isGlobalAdmin: false }}
                  size={32}
                />
                <span class="settings-person__name">
                  {name()}
                  <Show when={handle()}>
                    <span class="picker__handle"> @{handle()}</span>
                  </Show>
                </span>
                <button
                  type="button"
                  class="button button--secondary button--small"
                  aria-label={`${props.action} ${name()}`}
                  onClick={() => props.onLift(id)}
                >
                  {props.action}
                </button>
              </li>
            );
          }}
        </For>
      </ul>
    </Show>
  );
}

/**
 * The member's settings: theme (this device), who may start a DM with them, notifications as far as
 * the server keeps them, the members they block or mute (with the way to undo it), and their data (a
 * copy of it, deleting the account). Each change saves at once and says so.
 */
export function SettingsPage(props: { token: string; user: User; onAccountDeleted: () => void }): JSX.Element {
  useDocumentTitle(() => 'Settings');
  const replica = useReplica();
  const loaded = createRefreshable(
    () => props.user.id,
    () => fetchSettings(props.token),
  );
  const [override, setOverride] = createSignal<MySettings | null>(null);
  const settings = () => override() ?? loaded.value() ?? null;
  const [status, setStatus] = createSignal<{ text: string; error: boolean } | null>(null);
  // "Saved: …" is a passing word at the window's foot; a refusal stays until the next change.
  let statusTimer: ReturnType<typeof setTimeout> | undefined;
  createEffect(() => {
    const current = status();
    clearTimeout(statusTimer);
    if (current && !current.error) statusTimer = setTimeout(() => setStatus(null), STATUS_SHOWN_MS);
  });
  onCleanup(() => clearTimeout(statusTimer));
  const [phone, setPhone] = createSignal<string | null>(null);
  /** Whether this browser has a push subscription (undefined while asking). */
  const [browserSubscribed, setBrowserSubscribed] = createSignal<boolean | undefined>(undefined);
  const refreshSubscribed = () => void browserPushSubscribed().then(setBrowserSubscribed);
  refreshSubscribed();

  // Changes are sent one after another (arrow keys through a radio group make several in a row), so
  // the server ends with the last choice; only the answer to the latest change is shown.
  let queue: Promise<unknown> = Promise.resolve();
  let latest = 0;
  const save = (patch: Partial<MySettings>, done: string) => {
    const before = settings();
    if (!before) return;
    setOverride({ ...before, ...patch });
    // "Saved" is said of the latest change only: an earlier change's answer must not stand for it.
    setStatus(null);
    const mine = ++latest;
    queue = queue.then(() =>
      patchSettings(props.token, patch).then(
        (next) => {
          if (mine !== latest) return;
          setOverride(next);
          setStatus({ text: done, error: false });
        },
        (err: unknown) => {
          if (mine === latest) setOverride(before);
          setStatus({ text: errorText(err), error: true });
        },
      ),
    );
  };

  const blocked = useRelationIds(replica.inboxDoc, 'blocked');
  const muted = useRelationIds(replica.inboxDoc, 'muted');
  const lift = (kind: 'blocks' | 'mutes', id: string) => {
    const name = replica.members.nameOf(id);
    setRelation(props.token, kind, id, false).then(
      () => setStatus({ text: kind === 'blocks' ? `You unblocked ${name}.` : `You unmuted ${name}.`, error: false }),
      (err: unknown) => setStatus({ text: errorText(err), error: true }),
    );
  };

  return (
    <main class="content-page" id="main" tabIndex={-1}>
      <div class="content-page__inner settings">
        <h1 class="content-page__title">
          <SettingsIcon />
          Settings
        </h1>
        <div class="settings__status" role="status" aria-live="polite">
          <Show when={status()}>
            {(s) => <p classList={{ refusal: s().error, settings__saved: !s().error }}>{s().text}</p>}
          </Show>
        </div>

        <Section id="settings-theme" title="Appearance" description="Saved on this device.">
          <Choices name="theme" legend="Theme" choices={THEMES} value={theme()} onChange={setTheme} />
        </Section>

        <Show
          when={settings()}
          fallback={
            <Show
              when={loaded.error()}
              fallback={
                <p class="side-panel__note" role="status">
                  Loading your settings…
                </p>
              }
            >
              <div class="refusal" role="alert">
                <p>{errorText(loaded.error())}</p>
                <button type="button" class="button button--secondary button--small" onClick={() => loaded.refresh()}>
                  Try again
                </button>
              </div>
            </Show>
          }
        >
          {(s) => (
            <>
              <Section
                id="settings-dms"
                title="Direct messages"
                description="Who can start a new conversation with you. Members you block can never write to you."
              >
                <Choices
                  name="dm-permission"
                  legend="Who can message you"
                  choices={DM_CHOICES}
                  value={s().dmPermission}
                  onChange={(dmPermission) => save({ dmPermission }, 'Saved: who can message you.')}
                />
              </Section>

              <Section
                id="settings-notifications"
                title="Notifications"
                description="Mentions, replies in your threads and moderators' notices always show under the bell. Outside the app:"
              >
                <div class="settings-list">
                  <Toggle
                    label="Push notifications on this browser"
                    hint={
                      !pushOn(s())
                        ? 'This server does not send push notifications.'
                        : (pushUnsupported() ??
                          "Mentions, replies in your threads, direct messages and moderators' notices, even with Lounge closed. Your other browsers keep their own setting.")
                    }
                    checked={pushOn(s()) && s().notifyPush && browserSubscribed() === true}
                    disabled={!pushOn(s()) || pushUnsupported() !== null}
                    onChange={(on) => {
                      // The switch is this browser's: on subscribes it (asking permission first), off
                      // unsubscribes it alone. The account's setting is turned on with the first browser.
                      const change = on ? enablePush(props.token) : disablePush(props.token);
                      return change.then(
                        () => {
                          refreshSubscribed();
                          if (on && !s().notifyPush)
                            save({ notifyPush: true }, 'Push notifications are on for this browser.');
                          else
                            setStatus({
                              text: on
                                ? 'Push notifications are on for this browser.'
                                : 'Push notifications are off for this browser.',
                              error: false,
                            });
                          return true;
                        },
                        (err: unknown) => {
                          refreshSubscribed();
                          setStatus({
                            text: err instanceof Error ? err.message : 'Push could not be turned on.',
                            error: true,
                          });
                          return false;
                        },
                      );
                    }}
                  />
                  <Toggle
                    label="Email me when I'm mentioned"
                    hint={emailHint(s())}
                    checked={emailOn(s()) && s().notifyEmailMentions}
                    disabled={!emailOn(s())}
                    onChange={(notifyEmailMentions) => save({ notifyEmailMentions }, 'Saved: emails for mentions.')}
                  />
                  <label class="settings-field">
                    <span class="settings-choice__label">Email digest</span>
                    <select
                      class="input settings-field__control"
                      disabled={!emailOn(s())}
                      // Like the switches: a server that sends no email shows the digest off, not a choice it ignores.
                      value={emailOn(s()) ? s().emailDigest : 'off'}
                      aria-describedby={emailOn(s()) ? undefined : 'settings-digest-hint'}
                      onChange={(e) =>
                        save(
                          { emailDigest: e.currentTarget.value as MySettings['emailDigest'] },
                          'Saved: email digest.',
                        )
                      }
                    >
                      <For each={DIGESTS}>{(d) => <option value={d.value}>{d.label}</option>}</For>
                    </select>
                    <Show when={!emailOn(s())}>
                      <span class="settings-choice__hint" id="settings-digest-hint">
                        This server does not send email.
                      </span>
                    </Show>
                  </label>
                  <Show when={smsOn(s())}>
                    <form
                      class="settings-field"
                      onSubmit={(e) => {
                        e.preventDefault();
                        const value = (phone() ?? s().phoneE164 ?? '').trim();
                        save({ phoneE164: value === '' ? null : value }, 'Saved: phone number.');
                        setPhone(null);
                      }}
                    >
                      <label class="settings-choice__label" for="settings-phone">
                        Phone for urgent SMS alerts
                      </label>
                      <div class="settings-field__row">
                        <input
                          id="settings-phone"
                          class="input settings-field__control"
                          type="tel"
                          inputMode="tel"
                          autocomplete="tel"
                          placeholder="+14155550123"
                          value={phone() ?? s().phoneE164 ?? ''}
                          onInput={(e) => setPhone(e.currentTarget.value)}
                        />
                        <button type="submit" class="button button--secondary button--small">
                          Save number
                        </button>
                      </div>
                    </form>
                  </Show>
                  <Toggle
                    label="Urgent SMS alerts"
                    hint={
                      !smsOn(s())
                        ? 'This server does not send text messages.'
                        : s().phoneE164
                          ? `When a moderator bans or mutes you. Sent to ${s().phoneE164}.`
                          : 'When a moderator bans or mutes you. Needs a phone number above.'
                    }
                    checked={smsOn(s()) && s().smsCritical}
                    disabled={!smsOn(s())}
                    onChange={(smsCritical) => save({ smsCritical }, 'Saved: SMS alerts.')}
                  />
                </div>
              </Section>

              <Section id="settings-profile" title="Profile">
                <Toggle
                  label={'"Ask me" on my profile'}
                  hint="Members can ask you questions in a thread on your profile."
                  checked={s().askMeEnabled}
                  onChange={(askMeEnabled) => save({ askMeEnabled }, 'Saved: "Ask me".')}
                />
              </Section>
            </>
          )}
        </Show>

        <Section
          id="settings-blocked"
          title="Blocked members"
          description="You and they can't message or mention each other, and their messages are folded away on your devices."
        >
          <RelationList
            ids={blocked()}
            empty="You haven't blocked anyone."
            label="Blocked members"
            action="Unblock"
            onLift={(id) => lift('blocks', id)}
          />
        </Section>
        <Section
          id="settings-muted"
          title="Muted members"
          description="Their messages are collapsed for you; they are not told."
        >
          <RelationList
            ids={muted()}
            empty="You haven't muted anyone."
            label="Muted members"
            action="Unmute"
            onLift={(id) => lift('mutes', id)}
          />
        </Section>
        <YourData token={props.token} user={props.user} onAccountDeleted={props.onAccountDeleted} />
      </div>
    </main>
  );
}
