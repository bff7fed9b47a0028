import { createEffect, createSignal, For, on, Show, type JSX } from 'solid-js';
import { messageExcerpt } from '../../../shared/markdown/message-markdown.ts';
import { useReplica } from '../replica/context.ts';
import { AlertIcon, TrashIcon } from './icons.tsx';

/**
 * Messages the server refused where no conversation on screen shows them: written offline for a room the
 * member was banned from meanwhile (the room is gone from their list), or refused after they moved on to
 * another page. Each says why, and offers its words to copy before it is discarded: a message is never
 * lost without a word.
 */
export function UnsentElsewhere(): JSX.Element {
  const replica = useReplica();
  const [copied, setCopied] = createSignal<string | null>(null);
  const copy = (id: string, body: string) => {
    void navigator.clipboard?.writeText(body).then(
      () => setCopied(id),
      () => setCopied(null),
    );
  };
  // Folded to one line on request, so it covers nothing the member is working with; a new refusal opens it.
  const [folded, setFolded] = createSignal(false);
  const count = () => replica.failedSendsElsewhere().length;
  createEffect(on(count, (now, before) => now > (before ?? 0) && setFolded(false)));
  return (
    <Show when={count() > 0}>
      <section class="unsent-elsewhere" role="alert" aria-label="Messages not sent">
        <button
          type="button"
          class="unsent-elsewhere__toggle"
          aria-expanded={!folded()}
          onClick={() => setFolded((f) => !f)}
        >
          <AlertIcon />
          {count() === 1 ? '1 message not sent' : `${count()} messages not sent`}
          <span class="unsent-elsewhere__toggle-hint">{folded() ? 'Show' : 'Hide'}</span>
        </button>
        <Show when={!folded()}>
          <For each={replica.failedSendsElsewhere()}>
            {(failed) => (
              <div class="unsent-elsewhere__item">
                <p class="unsent-elsewhere__reason">
                  <AlertIcon />
                  <span>A message you wrote was not sent: {failed.verdict.reason}</span>
                </p>
                <blockquote class="unsent-elsewhere__body">{messageExcerpt(failed.intent.body, 200)}</blockquote>
                <div class="unsent-elsewhere__buttons">
                  <button
                    type="button"
                    class="button button--secondary button--small"
                    onClick={() => copy(failed.id, failed.intent.body)}
                  >
                    {copied() === failed.id ? 'Copied' : 'Copy the text'}
                  </button>
                  <button
                    type="button"
                    class="button button--ghost button--small"
                    onClick={() => replica.dropFailed(failed.id)}
                  >
                    <TrashIcon />
                    Discard
                  </button>
                </div>
              </div>
            )}
          </For>
        </Show>
      </section>
    </Show>
  );
}
