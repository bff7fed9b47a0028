import { createSignal, onCleanup } from 'solid-js';
import { LIMITS } from '../../../../shared/rules/limits.ts';
import type { AttachmentView } from '../../../../shared/sync/channel-doc.ts';
import { formatBytes } from '../../api/attachments.ts';
import type { DeferredFile } from '../../replica/deferred-sends.ts';

export type ComposerFileState = 'waiting' | 'uploading' | 'ready' | 'failed';

/** A file picked for the message being written, and how its upload is going. */
export interface ComposerFile {
  key: string;
  name: string;
  size: number;
  /** A thumbnail of the member's own image, made on this device (no upload needed to show it). */
  previewUrl: string | null;
  state: ComposerFileState;
  view?: AttachmentView;
  error?: string;
}

interface Entry extends ComposerFile {
  /** The bytes on this device; none for a file restored from a send that was refused (uploaded already). */
  file?: File;
  abort?: AbortController;
}

export interface ComposerFiles {
  files: () => ComposerFile[];
  /** Adds picked, pasted or dropped files; answers why some were not added (too large, too many). */
  add: (picked: readonly File[]) => string | null;
  remove: (key: string) => void;
  retry: (key: string) => void;
  /** The channel on screen changed: its own files come back, the others wait for their channel. */
  switchTo: (channelId: string) => void;
  /** Every file uploaded: the message can go. */
  ready: () => boolean;
  /** The uploaded files, in the order picked, handed to the send and cleared from the composer. */
  take: () => AttachmentView[];
  /** Every file, uploaded or not, handed to a send that waits for its uploads; cleared from the composer. */
  takeForLater: () => DeferredFile[];
  /** Puts back files already uploaded (a refused send being edited), as ready to send again. */
  restore: (views: readonly AttachmentView[]) => void;
}

const maxBytes = LIMITS.attachments.maxBytes;

/**
 * The files of a message being written. Each starts uploading as soon as it is picked, so pressing Send
 * rarely waits; a file picked offline waits and uploads by itself when the connection is back. Files
 * belong to the channel they were picked in (switching rooms and back keeps them) for as long as the page
 * lives: they are bytes on this device, not part of the synced draft.
 */
export function createComposerFiles(options: {
  upload: (file: File, signal: AbortSignal) => Promise<AttachmentView>;
  online: () => boolean;
}): ComposerFiles {
  const [files, setFiles] = createSignal<Entry[]>([]);
  const parked = new Map<string, Entry[]>();
  let channel = '';
  let counter = 0;

  const update = (key: string, patch: Partial<Entry>) =>
    setFiles((list) => list.map((f) => (f.key === key ? { ...f, ...patch } : f)));
  const find = (key: string) =>
    files().find((f) => f.key === key) ?? [...parked.values()].flat().find((f) => f.key === key);

  const start = (entry: Entry) => {
    const file = entry.file;
    if (!file) return;
    if (!options.online()) {
      update(entry.key, { state: 'waiting' });
      return;
    }
    const abort = new AbortController();
    update(entry.key, { state: 'uploading', abort, error: undefined });
    options.upload(file, abort.signal).then(
      (view) => updateAnywhere(entry.key, { state: 'ready', view, abort: undefined }),
      (err: unknown) => {
        if (abort.signal.aborted) return;
        const offline = !options.online();
        updateAnywhere(entry.key, {
          state: offline ? 'waiting' : 'failed',
          abort: undefined,
          error: offline ? undefined : err instanceof Error ? err.message : 'The upload failed.',
        });
      },
    );
  };
  /** An upload may finish after its channel was left: its entry is updated where it is parked. */
  const updateAnywhere = (key: string, patch: Partial<Entry>) => {
    if (files().some((f) => f.key === key)) return update(key, patch);
    for (const [id, list] of parked)
      parked.set(
        id,
        list.map((f) => (f.key === key ? { ...f, ...patch } : f)),
      );
  };

  const onOnline = () => {
    for (const f of files()) if (f.state === 'waiting') start(f);
  };
  window.addEventListener('online', onOnline);
  onCleanup(() => {
    window.removeEventListener('online', onOnline);
    for (const f of [...files(), ...[...parked.values()].flat()]) {
      f.abort?.abort();
      if (f.previewUrl) URL.revokeObjectURL(f.previewUrl);
    }
  });

  return {
    files,
    add(picked) {
      const problems: string[] = [];
      const room = LIMITS.attachments.perMessage - files().length;
      const fitting = picked.filter((file) => {
        if (file.size > maxBytes) {
          problems.push(`“${file.name}” is ${formatBytes(file.size)}; files can be at most ${formatBytes(maxBytes)}.`);
          return false;
        }
        if (file.size === 0) {
          problems.push(`“${file.name}” is empty.`);
          return false;
        }
        return true;
      });
      if (fitting.length > room) problems.push(`A message can carry at most ${LIMITS.attachments.perMessage} files.`);
      const added = fitting.slice(0, Math.max(0, room)).map((file): Entry => ({
        key: `f${++counter}`,
        file,
        name: file.name || 'pasted image',
        size: file.size,
        previewUrl: file.type.startsWith('image/') ? URL.createObjectURL(file) : null,
        state: 'waiting',
      }));
      setFiles((list) => [...list, ...added]);
      for (const entry of added) start(entry);
      return problems.length > 0 ? problems.join(' ') : null;
    },
    remove(key) {
      const entry = find(key);
      entry?.abort?.abort();
      if (entry?.previewUrl) URL.revokeObjectURL(entry.previewUrl);
      setFiles((list) => list.filter((f) => f.key !== key));
    },
    retry(key) {
      const entry = files().find((f) => f.key === key);
      if (entry && (entry.state === 'failed' || entry.state === 'waiting')) start(entry);
    },
    switchTo(channelId) {
      if (channelId === channel) return;
      if (channel) parked.set(channel, files());
      channel = channelId;
      const back = parked.get(channelId) ?? [];
      parked.delete(channelId);
      setFiles(back);
      for (const f of back) if (f.state === 'waiting') start(f);
    },
    ready: () => files().every((f) => f.state === 'ready'),
    restore(views) {
      const known = new Set(files().map((f) => f.view?.id));
      const back = views
        .filter((v) => !known.has(v.id))
        .map((view): Entry => ({
          key: `f${++counter}`,
          name: view.name,
          size: view.size,
          previewUrl: null,
          state: 'ready',
          view,
        }));
      setFiles((list) => [...list, ...back]);
    },
    takeForLater() {
      const handed = files().map((f): DeferredFile =>
        f.view
          ? { name: f.name, size: f.size, view: f.view }
          : { name: f.name, size: f.size, ...(f.file ? { blob: f.file } : {}) },
      );
      for (const f of files()) {
        f.abort?.abort();
        if (f.previewUrl) URL.revokeObjectURL(f.previewUrl);
      }
      setFiles([]);
      return handed;
    },
    take() {
      const views = files().flatMap((f) => (f.view ? [f.view] : []));
      for (const f of files()) if (f.previewUrl) URL.revokeObjectURL(f.previewUrl);
      setFiles([]);
      return views;
    },
  };
}
