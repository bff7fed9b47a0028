import { isImageType, type AttachmentView } from '../../../../shared/sync/channel-doc.ts';

/** The box an image is shown in at most (CSS px); its own size when smaller. */
const MAX_W = 360;
const MAX_H = 260;

/** The size an image is drawn at, known before its bytes arrive, so the log does not jump when it loads. */
export function shownSize(a: Pick<AttachmentView, 'width' | 'height'>): { width: number; height: number } {
  const w = a.width ?? MAX_W;
  const h = a.height ?? MAX_H;
  const scale = Math.min(1, MAX_W / w, MAX_H / h);
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) };
}

/** Height (px) a message's files add to its row: a first guess for the virtual log. */
export function attachmentsHeight(files: readonly AttachmentView[]): number {
  if (files.length === 0) return 0;
  const images = files.filter((f) => isImageType(f.type)).map((f) => shownSize(f).height + 8);
  const others = files.length - images.length;
  return 8 + images.reduce((sum, h) => sum + h, 0) + others * 52;
}
