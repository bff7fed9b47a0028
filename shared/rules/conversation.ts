/**
 * Why nobody can be written to in a conversation every other member has gone from: a 1:1 conversation's
 * other member can only go by deleting their account (they mute or block instead of leaving); a group's
 * members leave it. The client shows it in place of the composer, the server refuses a send with it (an
 * outbox written before the news arrived).
 */
export function aloneSentence(isGroup: boolean): string {
  return isGroup
    ? 'Everyone else left this conversation: there is nobody to write to.'
    : 'This member deleted their account: there is nobody to write to.';
}
