import type { AttachmentView } from '../../../shared/sync/channel-doc.ts';
import { apiRequest, fetchWithToken } from './http.ts';

/** A 10 MB screenshot on a slow train connection takes a while; a JSON call's 20 s would give up on it. */
const UPLOAD_TIMEOUT_MS = 5 * 60_000;

/**
 * Uploads a file for a message being written. The answer's id goes into the send intent; until a
 * message claims it the file is the member's alone (and gone after a day).
 */
export async function uploadAttachment(token: string, file: File, signal?: AbortSignal): Promise<AttachmentView> {
  const view = await apiRequest<AttachmentView>(`/api/attachments?name=${encodeURIComponent(file.name)}`, {
    method: 'POST',
    token,
    bytes: file,
    timeoutMs: UPLOAD_TIMEOUT_MS,
    ...(signal ? { signal } : {}),
  });
  uploads.set(view.id, view);
  return view;
}

/** Files this tab uploaded, so a message waiting in the outbox can show what it carries. */
const uploads = new Map<string, AttachmentView>();
export const uploadedFile = (id: string): AttachmentView | undefined => uploads.get(id);

/** Object URLs of fetched files, newest last; the oldest are let go past this many. */
const KEPT_URLS = 120;
const urls = new Map<string, Promise<string>>();

/**
 * A URL an <img> or a link can use for the file's bytes. The request carries the member's token (the
 * server checks they may read the message), so the bytes come as a blob; the browser's HTTP cache keeps
 * them for a day (`Cache-Control: private`), which is what shows a seen screenshot again offline.
 */
export function attachmentUrl(token: string, id: string): Promise<string> {
  const known = urls.get(id);
  if (known) {
    urls.delete(id);
    urls.set(id, known);
    return known;
  }
  const loading = fetchBlob(token, id).then((blob) => URL.createObjectURL(blob));
  urls.set(id, loading);
  // A failure is not remembered: the next look tries again (back online, access restored).
  loading.catch(() => urls.delete(id));
  while (urls.size > KEPT_URLS) {
    const [oldest, url] = urls.entries().next().value as [string, Promise<string>];
    urls.delete(oldest);
    void url.then((u) => URL.revokeObjectURL(u)).catch(() => {});
  }
  return loading;
}

async function fetchBlob(token: string, id: string): Promise<Blob> {
  const response = await fetchWithToken(
    `/api/attachments/${encodeURIComponent(id)}`,
    token,
    'This file has not been loaded on this device yet, and Lounge is offline.',
  );
  return response.blob();
}

/** "2.4 MB", "312 KB", "18 bytes": sizes as file managers write them. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toLocaleString(undefined, { maximumFractionDigits: 1 })} MB`;
}
