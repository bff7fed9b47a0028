import { createSignal, For, onCleanup, onMount, Show, type JSX } from 'solid-js';
import { placePopover, type PopoverPlace } from '../../lib/popover-place.ts';
import type { MessageView } from '../../../../shared/sync/channel-doc.ts';
import type { Standing } from '../../replica/standing.ts';
import { MoreIcon } from '../icons.tsx';

export type ModerationForm = 'hide' | 'delete' | 'report' | 'warn' | 'mute' | 'ban' | 'thread';

export { REPORT_REASONS, type ReportReason } from '../../../../shared/rules/report-reasons.ts';
import { REPORT_REASONS, type ReportReason } from '../../../../shared/rules/report-reasons.ts';

export const MUTE_DURATIONS = [
  { minutes: 10, label: '10 minutes' },
  { minutes: 60, label: '1 hour' },
  { minutes: 60 * 24, label: '1 day' },
  { minutes: 60 * 24 * 7, label: '1 week' },
] as const;

interface MenuItem {
  label: string;
  form?: ModerationForm;
  run?: () => void;
  danger?: boolean;
  /** Why it is unavailable: shown instead of hiding the item when it explains something useful. */
  refusal?: string;
}

export interface MenuContext {
  message: MessageView;
  mine: boolean;
  standing: Standing;
  canStartThread: boolean;
  blocked: boolean;
  muted: boolean;
  onRelation: (kind: 'blocks' | 'mutes', on: boolean) => void;
  /** Pins (true) or unpins (false) the message; without it the menu offers no pinning. */
  onPin?: (pinned: boolean) => void;
  /** Copies the message's address; without it (an embedded widget has no page of its own) no item. */
  onCopyLink?: () => void;
}

/** Which actions the member may take on a message, decided with the same `can()` the server uses. */
export function menuItems(ctx: MenuContext): MenuItem[] {
  const { message, standing } = ctx;
  const items: MenuItem[] = [];
  // "Here is the answer: <link>": the way a forum points at a message.
  if (ctx.onCopyLink && !message.deleted) items.push({ label: 'Copy link to message', run: ctx.onCopyLink });
  if (ctx.canStartThread && message.threadId === null && !message.hidden && message.type !== 'system') {
    const d = standing.decide('create_thread', {});
    items.push({ label: 'Start a thread', form: 'thread', refusal: d.allowed ? undefined : d.reason });
  }
  const onPin = ctx.onPin;
  if (onPin && !message.deleted && !message.hidden && message.type !== 'system') {
    // Shown greyed with the reason when not allowed: it tells members who can pin (trusted members and staff).
    const d = standing.decide('pin_message', {});
    const pinned = message.pinned;
    items.push({
      label: pinned ? 'Unpin message' : 'Pin message',
      run: () => onPin(!pinned),
      refusal: d.allowed ? undefined : d.reason,
    });
  }
  if (!ctx.mine && message.authorId !== null) {
    const d = standing.decide('report_message', { message: { authorId: message.authorId } });
    if (d.allowed) items.push({ label: 'Report message', form: 'report' });
  }
  if (standing.staff()) {
    const hide = standing.decide('hide_message', {});
    if (hide.allowed) items.push({ label: message.hidden ? 'Unhide message' : 'Hide message', form: 'hide' });
    if (!ctx.mine && standing.decide('delete_any_message', {}).allowed)
      items.push({ label: 'Delete message', form: 'delete', danger: true });
    if (!ctx.mine && message.authorId !== null) {
      const subject = { userId: message.authorId, role: null, isGlobalAdmin: false };
      for (const [action, form, label] of [
        ['warn_member', 'warn', 'Warn author'],
        ['mute_member', 'mute', 'Mute author in this room'],
        ['ban_member', 'ban', 'Ban author from this room'],
      ] as const) {
        const d = standing.decide(action, { subject });
        items.push({ label, form, danger: form === 'ban', refusal: d.allowed ? undefined : d.reason });
      }
    }
  }
  if (!ctx.mine && message.authorId !== null) {
    items.push({
      label: ctx.muted ? 'Unmute author for me' : 'Mute author for me',
      run: () => ctx.onRelation('mutes', !ctx.muted),
    });
    items.push({
      label: ctx.blocked ? 'Unblock author' : 'Block author',
      run: () => ctx.onRelation('blocks', !ctx.blocked),
      danger: !ctx.blocked,
    });
  }
  return items;
}

/** "More actions": a small list of what else can be done with a message (thread, report, moderation). */
export function MessageMenu(props: {
  items: MenuItem[];
  onForm: (form: ModerationForm) => void;
  /** The button's and the list's name (default "More actions"). */
  label?: string;
  /** An element naming what the menu acts on (e.g. a thread's title), for screen readers. */
  describedBy?: string;
}): JSX.Element {
  const [open, setOpen] = createSignal(false);
  /**
   * The list floats over the conversation (fixed to the window), under the button or above it where
   * there is more room: inside the scrolling log, the last messages' menus were cut off at the composer.
   */
  const [place, setPlace] = createSignal<PopoverPlace | null>(null);
  let root: HTMLDivElement | undefined;
  let button: HTMLButtonElement | undefined;
  let panel: HTMLUListElement | undefined;
  const position = () => {
    if (button && panel) setPlace(placePopover(button, panel));
  };
  const onDocumentPointer = (event: PointerEvent) => {
    if (open() && root && !root.contains(event.target as Node)) setOpen(false);
  };
  // The log scrolled or the window changed under an open menu: it follows its button.
  const onMove = (event: Event) => {
    if (open() && !(event.target instanceof Node && panel?.contains(event.target))) position();
  };
  onMount(() => {
    document.addEventListener('pointerdown', onDocumentPointer);
    document.addEventListener('scroll', onMove, true);
    window.addEventListener('resize', onMove);
  });
  onCleanup(() => {
    document.removeEventListener('pointerdown', onDocumentPointer);
    document.removeEventListener('scroll', onMove, true);
    window.removeEventListener('resize', onMove);
  });
  const id = `menu-${Math.random().toString(36).slice(2)}`;
  return (
    <Show when={props.items.length > 0}>
      <div class="msg-menu" ref={(el) => (root = el)}>
        <button
          type="button"
          class="icon-button"
          aria-label={props.label ?? 'More actions'}
          title={props.label ?? 'More actions'}
          aria-describedby={props.describedBy}
          aria-expanded={open()}
          aria-controls={id}
          ref={(el) => (button = el)}
          onClick={() => {
            setOpen(!open());
            setPlace(null);
            if (open())
              queueMicrotask(() => {
                position();
                root?.querySelector<HTMLButtonElement>('.msg-menu__item')?.focus({ preventScroll: true });
              });
          }}
        >
          <MoreIcon />
        </button>
        <Show when={open()}>
          <ul
            ref={(el) => (panel = el)}
            class="msg-menu__panel"
            style={{
              top: `${place()?.top ?? 0}px`,
              left: `${place()?.left ?? 0}px`,
              'max-height': place() ? `${place()!.maxHeight}px` : undefined,
              visibility: place() ? 'visible' : 'hidden',
            }}
            id={id}
            aria-label={props.label ?? 'More actions'}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.preventDefault();
                e.stopPropagation();
                // Focus first: the list held it, and a message's toolbar goes away once focus leaves the row.
                button?.focus();
                setOpen(false);
              }
            }}
          >
            <For each={props.items}>
              {(item) => (
                <li>
                  <button
                    type="button"
                    class="msg-menu__item"
                    classList={{ 'msg-menu__item--danger': item.danger === true }}
                    disabled={item.refusal !== undefined}
                    onClick={() => {
                      // Focus back on the menu's button before the list goes (a form that opens takes it next).
                      button?.focus();
                      setOpen(false);
                      if (item.run) item.run();
                      else if (item.form) props.onForm(item.form);
                    }}
                  >
                    {item.label}
                    <Show when={item.refusal}>{(why) => <span class="msg-menu__why">{why()}</span>}</Show>
                  </button>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </div>
    </Show>
  );
}

export interface FormResult {
  reason: string;
  details: string;
  /** What is wrong with a reported message: always chosen by the member (a report); null for other forms. */
  reportReason: ReportReason | null;
  durationMinutes: number | null;
  title: string;
  body: string;
}

const FORM_TITLES: Record<ModerationForm, string> = {
  hide: 'Hide this message',
  delete: 'Delete this message for everyone',
  report: 'Report this message to the moderators',
  warn: 'Warn the author',
  mute: 'Mute the author in this room',
  ban: 'Ban the author from this room',
  thread: 'Start a thread from this message',
};

/** The small form under a message for a moderation action, a report or a new thread. */
export function ActionForm(props: {
  form: ModerationForm;
  hidden: boolean;
  snippet: string;
  onSubmit: (result: FormResult) => void;
  onCancel: () => void;
}): JSX.Element {
  const [reason, setReason] = createSignal('');
  const [details, setDetails] = createSignal('');
  // No reason is chosen for the member: a report filed under a preselected one would say what they never said.
  const [reportReason, setReportReason] = createSignal<ReportReason | null>(null);
  const [reasonMissing, setReasonMissing] = createSignal(false);
  let choices: HTMLFieldSetElement | undefined;
  const [duration, setDuration] = createSignal<number | null>(60);
  const [title, setTitle] = createSignal(props.snippet);
  const [body, setBody] = createSignal('');
  const unhiding = () => props.form === 'hide' && props.hidden;
  const valid = () => (props.form === 'thread' ? title().trim() !== '' && body().trim() !== '' : true);
  const submit = (e: Event) => {
    e.preventDefault();
    if (!valid()) return;
    if (props.form === 'report' && reportReason() === null) {
      setReasonMissing(true);
      choices?.querySelector<HTMLInputElement>('input[type="radio"]')?.focus();
      return;
    }
    props.onSubmit({
      reason: reason().trim(),
      details: details().trim(),
      reportReason: reportReason(),
      durationMinutes: duration(),
      title: title().trim(),
      body: body().trim(),
    });
  };
  const label = () => (unhiding() ? 'Unhide this message' : FORM_TITLES[props.form]);
  const uid = Math.random().toString(36).slice(2);
  return (
    <form
      ref={(el) =>
        // The form opened from a menu: the keyboard goes to its first field, as in any dialog.
        queueMicrotask(() => el.querySelector<HTMLElement>('input, select, textarea, button')?.focus())
      }
      class="msg-form"
      classList={{ 'msg-form--danger': ['delete', 'ban'].includes(props.form) }}
      aria-label={label()}
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          props.onCancel();
        }
      }}
    >
      <p class="msg-form__title">{label()}</p>
      <Show when={props.form === 'thread'}>
        <label class="msg-form__field" for={`title-${uid}`}>
          Thread title
        </label>
        <input
          id={`title-${uid}`}
          class="input"
          value={title()}
          maxLength={200}
          onInput={(e) => setTitle(e.currentTarget.value)}
        />
        <label class="msg-form__field" for={`body-${uid}`}>
          First message
        </label>
        <textarea
          id={`body-${uid}`}
          class="input msg-form__textarea"
          value={body()}
          onInput={(e) => setBody(e.currentTarget.value)}
        />
      </Show>
      <Show when={props.form === 'report'}>
        <fieldset
          ref={(el) => (choices = el)}
          class="msg-form__choices"
          aria-describedby={reasonMissing() ? `report-missing-${uid}` : undefined}
        >
          <legend class="msg-form__field">What is wrong with it?</legend>
          <For each={REPORT_REASONS}>
            {(r) => (
              <label class="msg-form__choice">
                <input
                  type="radio"
                  name={`report-${uid}`}
                  value={r.value}
                  checked={reportReason() === r.value}
                  aria-invalid={reasonMissing() ? 'true' : undefined}
                  onChange={() => {
                    setReportReason(r.value);
                    setReasonMissing(false);
                  }}
                />
                {r.label}
              </label>
            )}
          </For>
        </fieldset>
        <Show when={reasonMissing()}>
          <p class="refusal" role="alert" id={`report-missing-${uid}`}>
            Choose what is wrong with the message, so the moderators know what to look for.
          </p>
        </Show>
        <label class="msg-form__field" for={`details-${uid}`}>
          Anything the moderators should know (optional)
        </label>
        <textarea
          id={`details-${uid}`}
          class="input msg-form__textarea"
          maxLength={1000}
          value={details()}
          onInput={(e) => setDetails(e.currentTarget.value)}
        />
      </Show>
      <Show when={props.form === 'mute'}>
        <label class="msg-form__field" for={`duration-${uid}`}>
          For how long
        </label>
        <select
          id={`duration-${uid}`}
          class="input"
          onChange={(e) => setDuration(e.currentTarget.value === '' ? null : Number(e.currentTarget.value))}
        >
          <For each={MUTE_DURATIONS}>
            {(d) => (
              <option value={d.minutes} selected={duration() === d.minutes}>
                {d.label}
              </option>
            )}
          </For>
          <option value="">Until a moderator unmutes them</option>
        </select>
      </Show>
      <Show when={props.form !== 'report' && props.form !== 'thread' && !unhiding()}>
        <label class="msg-form__field" for={`reason-${uid}`}>
          Reason {props.form === 'hide' ? '(shown in place of the message)' : '(recorded in the moderation log)'}
        </label>
        <input
          id={`reason-${uid}`}
          class="input"
          maxLength={500}
          value={reason()}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
      </Show>
      <div class="msg-form__buttons">
        <button type="button" class="button button--secondary button--small" onClick={() => props.onCancel()}>
          Cancel
        </button>
        <button
          type="submit"
          class="button button--small"
          classList={{
            'button--danger': ['delete', 'ban', 'hide'].includes(props.form) && !unhiding(),
            'button--primary': !['delete', 'ban', 'hide'].includes(props.form) || unhiding(),
          }}
          disabled={!valid()}
        >
          {
            {
              hide: unhiding() ? 'Unhide' : 'Hide',
              delete: 'Delete',
              report: 'Send report',
              warn: 'Warn',
              mute: 'Mute',
              ban: 'Ban',
              thread: 'Start thread',
            }[props.form]
          }
        </button>
      </div>
    </form>
  );
}
