import { imageSize } from 'image-size';
import { LIMITS } from '../../shared/rules/limits.ts';
import type { AttachmentType } from '../../shared/sync/channel-doc.ts';

export type Classified =
  { ok: true; type: AttachmentType; width?: number; height?: number } | { ok: false; reason: string };

const IMAGE_TYPES: Readonly<Record<string, AttachmentType>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

/** A browser decodes every pixel of an image it shows: a tiny file can claim a gigapixel ("image bomb"). */
const MAX_PIXELS = 50_000_000;

export const ACCEPTED_DESCRIPTION = 'images (PNG, JPEG, GIF, WebP), PDFs and plain-text files';

/**
 * What an upload really is, from its bytes: the uploader's file name and claimed type are never trusted
 * (a page saved as `cat.png` must not be served as HTML). Images are read for their size so replicas can
 * reserve their box; SVG is refused as an image (it is a document that can run script) and accepted only
 * as the text it is.
 */
export function classifyUpload(bytes: Uint8Array): Classified {
  const image = readImage(bytes);
  if (image) {
    if (image.width * image.height > MAX_PIXELS) {
      return { ok: false, reason: `This image is too large to show (${image.width} × ${image.height} pixels).` };
    }
    return { ok: true, ...image };
  }
  if (startsWith(bytes, '%PDF-')) return { ok: true, type: 'application/pdf' };
  if (isPlainText(bytes)) return { ok: true, type: 'text/plain' };
  return { ok: false, reason: `Lounge accepts ${ACCEPTED_DESCRIPTION}; this file is none of those.` };
}

function readImage(bytes: Uint8Array): { type: AttachmentType; width: number; height: number } | undefined {
  let found: ReturnType<typeof imageSize>;
  try {
    found = imageSize(bytes);
  } catch {
    return undefined;
  }
  const type = found.type ? IMAGE_TYPES[found.type] : undefined;
  if (!type || !found.width || !found.height) return undefined;
  // EXIF orientation 5–8 turns the picture a quarter: the box a browser draws is the other way round.
  const turned = found.orientation !== undefined && found.orientation >= 5;
  return { type, width: turned ? found.height : found.width, height: turned ? found.width : found.height };
}

function startsWith(bytes: Uint8Array, ascii: string): boolean {
  if (bytes.length < ascii.length) return false;
  for (let i = 0; i < ascii.length; i++) if (bytes[i] !== ascii.charCodeAt(i)) return false;
  return true;
}

/** Valid UTF-8 without NUL or other control characters than tab, line breaks and form feed. */
function isPlainText(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
  return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text);
}

/**
 * The name a file is shown and downloaded under: the last part of what the member's system sent (some
 * send a path), without control characters, at most LIMITS.attachments.filenameMaxChars code points with
 * its extension kept.
 */
export function cleanFilename(raw: string | undefined): string {
  const base = (raw ?? '').split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters cannot be part of a shown name
  const name = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (name.length === 0 || name === '.' || name === '..') return 'file';
  const chars = [...name];
  const max = LIMITS.attachments.filenameMaxChars;
  if (chars.length <= max) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? [...name.slice(dot)] : [];
  return [...chars.slice(0, max - ext.length - 1), '…', ...ext].join('');
}
