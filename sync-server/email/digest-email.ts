import type { EmailMessage } from './email-sender.ts';
import { escapeHtml } from './html.ts';
import { paths } from '../../shared/app/paths.ts';

export interface DigestRoom {
  name: string;
  url: string;
  messages: number;
  /** The busiest new threads (a help room's new questions), with how many replies each has. */
  threads: Array<{ title: string; url: string; replies: number }>;
}

export interface Digest {
  period: 'daily' | 'weekly';
  /** Mentions and replies still unread in the app. */
  unread: number;
  rooms: DigestRoom[];
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** Whether a digest has anything to say (an empty one is not sent). */
export const digestHasNews = (digest: Digest) => digest.unread > 0 || digest.rooms.length > 0;

/**
 * The day's or week's digest: unread mentions first (they are for the member), then what happened in
 * their rooms, busiest first, with the new threads that drew most replies. Text and HTML say the same;
 * the footer names the setting that changes it.
 */
export function digestEmail(to: string, digest: Digest, appUrl: string): EmailMessage {
  const when = digest.period === 'daily' ? 'today' : 'this week';
  const total = digest.rooms.reduce((n, r) => n + r.messages, 0);
  const subject = [
    `Your ${digest.period} Lounge digest`,
    [
      digest.unread > 0 ? plural(digest.unread, 'unread mention', 'unread mentions and replies') : null,
      total > 0 ? plural(total, 'new message', 'new messages') : null,
    ]
      .filter(Boolean)
      .join(', '),
  ]
    .filter(Boolean)
    .join(': ');
  const footer = `You get this ${digest.period} digest because of your Lounge settings: ${appUrl}${paths.settings}`;

  const text: string[] = [];
  if (digest.unread > 0)
    text.push(
      `You have ${plural(digest.unread, 'unread mention or reply', 'unread mentions and replies')}: ${appUrl}${paths.notifications}`,
      '',
    );
  if (digest.rooms.length > 0) text.push(`In your rooms ${when}:`, '');
  for (const room of digest.rooms) {
    text.push(`${room.name} — ${plural(room.messages, 'new message', 'new messages')}  ${room.url}`);
    for (const t of room.threads) text.push(`  • ${t.title} (${plural(t.replies, 'reply', 'replies')})  ${t.url}`);
    text.push('');
  }
  text.push(footer);

  const html = [
    '<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1b1d2a">',
    digest.unread > 0
      ? `<p><a href="${escapeHtml(`${appUrl}${paths.notifications}`)}"><strong>${escapeHtml(
          `You have ${plural(digest.unread, 'unread mention or reply', 'unread mentions and replies')}`,
        )}</strong></a></p>`
      : '',
    digest.rooms.length > 0 ? `<h2 style="font-size:16px">In your rooms ${when}</h2>` : '',
    ...digest.rooms.map(
      (room) =>
        `<p style="margin:0 0 4px"><a href="${escapeHtml(room.url)}"><strong>${escapeHtml(room.name)}</strong></a> · ` +
        `${escapeHtml(plural(room.messages, 'new message', 'new messages'))}</p>` +
        (room.threads.length > 0
          ? `<ul style="margin:0 0 12px">${room.threads
              .map(
                (t) =>
                  `<li><a href="${escapeHtml(t.url)}">${escapeHtml(t.title)}</a> <span style="color:#5c6178">(${escapeHtml(
                    plural(t.replies, 'reply', 'replies'),
                  )})</span></li>`,
              )
              .join('')}</ul>`
          : ''),
    ),
    `<p style="color:#666b81;font-size:13px">You get this ${digest.period} digest because of your ` +
      `<a href="${escapeHtml(`${appUrl}${paths.settings}`)}">Lounge settings</a>.</p>`,
    '</body></html>',
  ].join('');
  return { to, subject, text: text.join('\n'), html };
}
