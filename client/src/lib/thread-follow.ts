import type { ThreadFollow } from '../../../shared/sync/inbox.ts';
import type { Intent } from '../../../shared/sync/intents.ts';

/**
 * Whether the member follows a thread once their queued intents are processed, as the server decides it:
 * the last Follow/Unfollow or reply of theirs waiting in the outbox (writing in a thread follows it), else
 * the server's last decision (the inbox's `follows`), else whether they started it (its creator, or the author
 * of the message it hangs off).
 */
export function followsThread(
  threadId: string,
  outbox: ReadonlyArray<{ intent: Intent }>,
  decided: ThreadFollow | undefined,
  startedByMe: boolean,
): { following: boolean; pending: boolean } {
  let queued: boolean | undefined;
  let pending = false;
  for (const { intent } of outbox) {
    if (intent.kind === 'follow_thread' && intent.threadId === threadId) {
      queued = intent.following;
      pending = true;
    } else if (intent.kind === 'send' && intent.channelId === threadId) {
      queued = true;
    }
  }
  return { following: queued ?? decided?.following ?? startedByMe, pending };
}
