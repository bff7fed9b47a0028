import type { EmailMessage } from './email-sender.ts';
import { escapeHtml } from './html.ts';
import { excerpt } from '../../shared/rules/text.ts';

/** One notification as an email lists it. */
export interface EmailedNotification {
  kind: 'mention' | 'reply' | 'message_reply';
  actorName: string;
  /** Where: a room's name, or a thread's title with its room. */
  place: string;
  /** The words at the time of sending; empty when hidden or deleted since (then they are not shown). */
  excerpt: string;
  /** Opens the message in the app. */
  url: string;
}

const EXCERPT_CHARS = 280;

const shorten = (text: string) => excerpt(text, EXCERPT_CHARS);

const HEADLINE_VERBS: Record<EmailedNotification['kind'], string> = {
  mention: 'mentioned you in',
  message_reply: 'replied to your message in',
  reply: 'replied in',
};

const headline = (n: EmailedNotification) => `${n.actorName} ${HEADLINE_VERBS[n.kind]} ${n.place}`;

/**
 * The email of what waited for a member: one notification says exactly what happened in its subject;
 * several are counted, newest first in the body. Plain text and HTML say the same; every item links to
 * its message, and the footer to the setting that turns these emails off.
 */
export function notificationEmail(
  to: string,
  items: readonly EmailedNotification[],
  settingsUrl: string,
): EmailMessage {
  if (items.length === 0) throw new Error('an email needs something to say');
  const subject = items.length === 1 ? headline(items[0]!) : `${items.length} new mentions and replies in Lounge`;
  const footer = `You get these emails because "Email me when I'm mentioned" is on. Turn it off in your settings: ${settingsUrl}`;
  const text = [
    ...items.flatMap((n) => [headline(n), ...(n.excerpt ? [`  “${shorten(n.excerpt)}”`] : []), `  ${n.url}`, '']),
    footer,
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1b1d2a">',
    ...items.map(
      (n) =>
        `<p style="margin:0 0 16px"><strong>${escapeHtml(headline(n))}</strong>` +
        (n.excerpt ? `<br><span style="color:#5c6178">“${escapeHtml(shorten(n.excerpt))}”</span>` : '') +
        `<br><a href="${escapeHtml(n.url)}">Open in Lounge</a></p>`,
    ),
    `<p style="color:#666b81;font-size:13px">You get these emails because “Email me when I'm mentioned” is on. ` +
      `<a href="${escapeHtml(settingsUrl)}">Turn it off in your settings</a>.</p>`,
    '</body></html>',
  ].join('');
  return { to, subject, text, html };
}
