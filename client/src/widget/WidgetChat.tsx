import { createEffect, createMemo, createSignal, Match, on, onCleanup, Show, Switch, type JSX } from 'solid-js';
import { isApiError, isNetworkError, isUnauthorized } from '../api/http.ts';
import type { User } from '../api/types.ts';
import { ReplicaContext } from '../replica/context.ts';
import { Replica } from '../replica/replica.ts';
import type { EmbedAddress } from './embed-address.ts';
import {
  cachedEmbedView,
  fetchEmbedView,
  forgetEmbedView,
  joinEmbedRoom,
  rememberEmbedView,
  type EmbedView,
} from './embed-api.ts';
import { WidgetNotice } from './WidgetNotice.tsx';
import { WidgetRoom } from './WidgetRoom.tsx';

/** Answers that mean "you may not see this here": the channel stays closed, whatever was cached. */
const REFUSAL_TITLE: Record<number, string> = {
  400: 'This chat address is not valid',
  403: "You can't open this conversation",
  404: 'No conversation here yet',
};

/**
 * A signed-in widget: the member's local replica (the same one the app keeps: IndexedDB docs, outbox,
 * one sync socket) and the one channel the host context names. The last known context answer is kept, so
 * the widget opens from the replica while offline.
 */
export function WidgetChat(props: {
  address: EmbedAddress;
  token: string;
  user: User;
  onUnauthorized: () => void;
}): JSX.Element {
  const replica = createMemo(
    on(
      () => props.user.id,
      (userId) => {
        const r = new Replica({
          userId,
          handle: props.user.handle,
          name: props.user.displayName,
          token: () => props.token,
          onUnauthorized: () => props.onUnauthorized(),
        });
        onCleanup(() => queueMicrotask(() => void r.destroy()));
        return r;
      },
    ),
  );

  const [view, setView] = createSignal<EmbedView | null>(cachedEmbedView(props.user.id, props.address));
  const [failure, setFailure] = createSignal<unknown>(undefined);
  let generation = 0;
  const load = (): void => {
    const mine = ++generation;
    fetchEmbedView(props.token, props.address).then(
      (fresh) => {
        if (mine !== generation) return;
        rememberEmbedView(props.user.id, props.address, fresh);
        setView(fresh);
        setFailure(undefined);
      },
      (err: unknown) => {
        if (mine !== generation) return;
        if (isUnauthorized(err)) {
          props.onUnauthorized();
          return;
        }
        // Offline keeps the cached view; a refusal (access lost, context removed) closes the channel.
        if (!isNetworkError(err)) {
          forgetEmbedView(props.user.id, props.address);
          setView(null);
        }
        setFailure(err);
      },
    );
  };
  load();

  // A moderator acted on the member in this widget's room (mute, ban, warning, or lifted one): its view is
  // read again, so the composer gives way to the reason, or comes back, at once — as in the app.
  createEffect(
    on(replica, (current) => {
      const stop = current.onModerationNotice((roomId) => {
        if (roomId === view()?.roomId) load();
      });
      onCleanup(stop);
    }),
  );

  // Back online: the member's standing may have changed meanwhile (joined elsewhere, muted, thread locked).
  createEffect(
    on(
      () => replica().displayState() === 'online',
      (online, wasOnline) => {
        if (online && wasOnline === false) load();
      },
      { defer: true },
    ),
  );

  const refusal = () => {
    const err = failure();
    if (!isApiError(err) || isNetworkError(err)) return null;
    return { title: REFUSAL_TITLE[err.status] ?? 'This conversation could not be opened', text: err.message };
  };

  const join = async (): Promise<string | null> => {
    try {
      const joined = await joinEmbedRoom(props.token, props.address);
      rememberEmbedView(props.user.id, props.address, joined);
      setView(joined);
      return null;
    } catch (err) {
      if (isUnauthorized(err)) props.onUnauthorized();
      return isApiError(err) ? err.message : 'Joining did not work. Please try again.';
    }
  };

  return (
    <Show when={replica()} keyed>
      {(current) => (
        <ReplicaContext.Provider value={current}>
          <Switch>
            <Match when={refusal()}>{(r) => <WidgetNotice alert title={r().title} text={r().text} />}</Match>
            <Match when={view()}>
              {(v) => <WidgetRoom view={v()} token={props.token} user={props.user} onJoin={join} />}
            </Match>
            <Match when={failure()}>
              <WidgetNotice
                alert
                title="Lounge is out of reach"
                text="This conversation has not been opened on this device yet, so it needs a connection. Check yours and try again."
                onRetry={load}
              />
            </Match>
            <Match when={true}>
              <WidgetNotice busy title="Opening the conversation…" text="Loading messages." />
            </Match>
          </Switch>
        </ReplicaContext.Provider>
      )}
    </Show>
  );
}
