/**
 * A link preview's picture is named by its bytes' SHA-256 and its type (`<hex>.png`): the name is the only
 * thing a reader's request carries, so the type it is served as comes from the name, never from input.
 */
const EXTENSION_OF = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
} as const;
type PictureType = keyof typeof EXTENSION_OF;

const TYPE_OF: Readonly<Record<string, PictureType>> = Object.fromEntries(
  Object.entries(EXTENSION_OF).map(([type, ext]) => [ext, type as PictureType]),
);

export const LINK_IMAGE_ID = /^[0-9a-f]{64}\.(png|jpg|gif|webp)$/;

/** The id of a picture with this hash and type; undefined for a type that is not a picture. */
export function linkImageId(sha256Hex: string, type: string): string | undefined {
  const ext = (EXTENSION_OF as Readonly<Record<string, string>>)[type];
  return ext ? `${sha256Hex}.${ext}` : undefined;
}

/** The type a picture is served as, from its id (checked against LINK_IMAGE_ID first). */
export function linkImageType(id: string): PictureType | undefined {
  return LINK_IMAGE_ID.test(id) ? TYPE_OF[id.slice(id.lastIndexOf('.') + 1)] : undefined;
}

/** Where the picture's bytes are kept in the attachment store. */
export const linkImageKey = (id: string): string => `link-images/${id}`;
