import { apiRequest, fetchWithToken } from './http.ts';

export interface DataExport {
  id: string;
  status: 'pending' | 'running' | 'done' | 'failed';
  createdAt: string;
  completedAt: string | null;
  size: number | null;
  expiresAt: string | null;
}

export const requestDataExport = (token: string) =>
  apiRequest<DataExport>('/api/me/exports', { method: 'POST', token });

export const fetchDataExports = (token: string) =>
  apiRequest<{ exports: DataExport[] }>('/api/me/exports', { token }).then((r) => r.exports);

export const deleteMyAccount = (token: string, confirmHandle: string) =>
  apiRequest<{ deleted: true }>('/api/me', { method: 'DELETE', token, body: { confirmHandle } });

/**
 * Saves a finished export to the member's device. The archive needs the member's token, so it is
 * fetched as a blob and handed to the browser's download through a temporary link.
 */
export async function downloadDataExport(token: string, id: string): Promise<void> {
  const response = await fetchWithToken(
    `/api/me/exports/${encodeURIComponent(id)}/download`,
    token,
    "Can't reach Lounge right now. Check your connection and try again.",
  );
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'lounge-data.zip';
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the blob once the click is handled.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
