import { Show, type JSX } from 'solid-js';
import type { MessageView, ThreadState } from '../../../shared/sync/channel-doc.ts';
import type { Room, User } from '../api/types.ts';
import { Conversation } from '../components/chat/Conversation.tsx';
import { threadReplyRefusal, useThreadSession } from '../components/chat/thread-session.ts';
import { ChevronLeftIcon } from '../components/icons.tsx';
import { useReplica } from '../replica/context.ts';
import type { Standing } from '../replica/standing.ts';
import { MessageText } from '../components/chat/MessageText.tsx';
import { ThreadActionBar } from '../components/chat/Threads.tsx';

/**
 * A thread of the widget's room, opened in place of the room's conversation: in a help room (a learning
 * path's) every question becomes a thread, and its answers are only readable there. Back returns to the
 * room; the widget stays on its one room, with no way out of it.
 */
export function WidgetThread(props: {
  threadId: string;
  /** The thread's state from the room's meta doc (title, lock), when it has arrived. */
  thread: ThreadState | null;
  /** The room message the thread hangs off, when it is loaded. */
  parent: MessageView | null;
  room: Room;
  token: string;
  user: User;
  standing: Standing;
  onBack: () => void;
}): JSX.Element {
  const replica = useReplica();
  const session = useThreadSession(() => props.threadId);
  const title = () => props.thread?.title ?? 'Thread';
  const refusal = () => threadReplyRefusal(props.standing, props.thread);

  return (
    <section class="widget-thread" aria-labelledby="widget-thread-title" data-thread-id={props.threadId}>
      <div class="widget-thread__bar">
        <button type="button" class="button button--ghost button--small" onClick={() => props.onBack()}>
          <ChevronLeftIcon />
          Back to {props.room.name}
        </button>
        <h2 class="widget-thread__title" id="widget-thread-title">
          {title()}
        </h2>
      </div>
      {/* Resolve (the asker, in a help room), pin and lock, as in the app's thread panel. */}
      <Show when={props.thread}>
        {(thread) => (
          <div class="widget-thread__actions">
            <ThreadActionBar
              thread={{ ...thread(), messageCount: null, lastMessageAt: null }}
              standing={props.standing}
            />
          </div>
        )}
      </Show>
      <Conversation
        session={session}
        name={title()}
        token={props.token}
        user={props.user}
        room={props.room}
        standing={props.standing}
        canStartThread={false}
        postRefusal={refusal()}
        composerPlaceholder="Reply in this thread"
        intro={
          <div class="room-start widget__intro">
            <Show when={props.parent} fallback={<p class="room-start__text">The start of this thread.</p>}>
              {(parent) => (
                <figure class="thread-panel__parent">
                  <figcaption class="thread-panel__parent-author">
                    {replica.members.nameOf(parent().authorId)} {props.room.contextType === 'help' ? 'asked' : 'wrote'}{' '}
                    in {props.room.name}
                  </figcaption>
                  <blockquote class="thread-panel__parent-body">
                    <Show
                      when={!parent().hidden && !parent().deleted}
                      fallback={parent().hidden ? 'Hidden by moderation' : 'Message deleted'}
                    >
                      <MessageText body={parent().body} mentions={parent().mentions} />
                    </Show>
                  </blockquote>
                </figure>
              )}
            </Show>
          </div>
        }
      />
    </section>
  );
}
