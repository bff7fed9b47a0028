import * as z from 'zod/mini';
import type { EmbedAddress } from './embed-address.ts';

/**
 * The widget's conversation with the page that embeds it. The host platform already knows who its
 * visitor is, so it hands the widget that member's token (the same JWT its pages use for Lounge); the
 * widget never asks the member to sign in again and keeps no password.
 *
 *   widget → host   { type: 'lounge:token-request', contextType, contextId }   (no secret: any origin may read it)
 *   host → widget   { type: 'lounge:token', token: string | null }          (null: the visitor is signed out)
 *   widget → host   { type: 'lounge:widget-size', collapsed: boolean, height: number }   (the member minimized
 *                   or reopened the chat: a host that listens sizes the iframe to `height` CSS pixels, or back)
 *   widget → host   { type: 'lounge:rematch', battleId: string }   (on a battle's discussion, the member asked
 *                   for a rematch: battles are the host's, so the host page starts it, or says why not)
 *
 * The host must post the answer to the iframe's window with the Lounge origin as targetOrigin, so the
 * token can reach nobody else. The widget asks again when the server refuses the token (expired).
 */
export const TOKEN_REQUEST = 'lounge:token-request';
export const TOKEN_ANSWER = 'lounge:token';

// Host JWTs are a few hundred bytes; the cap only stops a page from handing over megabytes.
const tokenAnswerSchema = z.object({
  type: z.literal(TOKEN_ANSWER),
  token: z.nullable(z.string().check(z.minLength(1), z.maxLength(8192))),
});

/** True when the widget runs inside a frame (a host page), false when its address was opened directly. */
export function isFramed(): boolean {
  try {
    return window.self !== window.top;
  } catch {
    // A cross-origin top window cannot even be compared in some browsers: that is a frame too.
    return true;
  }
}

export const WIDGET_SIZE = 'lounge:widget-size';

/**
 * Tells the host page that the member minimized the chat to its header (`height` pixels) or opened it
 * again, so it can shrink the iframe and give the page back its room. Nothing secret: any origin may read it.
 */
export function announceWidgetSize(collapsed: boolean, height: number): void {
  if (isFramed()) window.parent.postMessage({ type: WIDGET_SIZE, collapsed, height: Math.ceil(height) }, '*');
}

/** Asks the host page for its member's token. */
export function requestHostToken(address: EmbedAddress): void {
  window.parent.postMessage({ type: TOKEN_REQUEST, ...address }, '*');
}

/**
 * Calls `onToken` with each valid answer from the page that frames this widget (and nobody else: a
 * message from another window or frame is ignored, as is anything that is not a token answer).
 */
export function listenForHostToken(onToken: (token: string | null) => void): () => void {
  const onMessage = (event: MessageEvent<unknown>) => {
    if (event.source !== window.parent || window.parent === window) return;
    const answer = tokenAnswerSchema.safeParse(event.data);
    if (answer.success) onToken(answer.data.token);
  };
  window.addEventListener('message', onMessage);
  return () => window.removeEventListener('message', onMessage);
}

export const REMATCH = 'lounge:rematch';

/**
 * Asks the host page for a rematch of the battle this discussion is about (the spec's battle widget:
 * "discussion, rematch"). Battles live on the host platform, which decides; answers false when there is
 * no host page to ask (the widget's address opened on its own).
 */
export function requestRematch(battleId: string): boolean {
  if (!isFramed()) return false;
  window.parent.postMessage({ type: REMATCH, battleId }, '*');
  return true;
}
